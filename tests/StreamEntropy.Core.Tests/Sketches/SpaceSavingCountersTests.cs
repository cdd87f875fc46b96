using CsCheck;
using StreamEntropy.Core.Sketches;

namespace StreamEntropy.Core.Tests.Sketches;

public class SpaceSavingCountersTests
{
    [Fact]
    public void Add_FewerDistinctThanCapacity_CountsExactly()
    {
        var counters = new SpaceSavingCounters(8);
        int[] stream = [1, 2, 2, 3, 3, 3, 1, 7];
        foreach (int v in stream)
        {
            counters.Add(SketchTestData.Key(v));
        }

        Dictionary<ulong, long> truth = SketchTestData.CountKeys(stream);
        Assert.Equal(0, counters.UntrackedBound);
        Assert.Equal(8, counters.Total);
        Assert.Equal(truth.Count, counters.Count);
        for (int i = 0; i < counters.Count; i++)
        {
            Assert.Equal(truth[counters.Keys[i]], counters.Counts[i]);
            Assert.Equal(0, counters.Errors[i]);
        }
    }

    [Fact]
    public void Add_AnyStream_KeepsDeterministicIntervals()
    {
        Gen.Select(SketchTestData.Streams, Gen.Int[1, 40]).Sample((stream, capacity) =>
        {
            var counters = new SpaceSavingCounters(capacity);
            foreach (int v in stream)
            {
                counters.Add(SketchTestData.Key(v));
            }

            AssertInvariants(counters, SketchTestData.CountKeys(stream), stream.Length);
            long sum = 0;
            foreach (long c in counters.Counts)
            {
                sum += c;
            }

            Assert.Equal(stream.Length, sum); // without merges Σ c = N
        });
    }

    [Fact]
    public void Merge_AnySplit_KeepsDeterministicIntervals()
    {
        Gen.Select(SketchTestData.Streams, Gen.Int[1, 30], Gen.Int[1, 30], Gen.Int[0, 1500]).Sample((stream, c1, c2, cut) =>
        {
            cut = Math.Min(cut, stream.Length);
            var left = new SpaceSavingCounters(c1);
            var right = new SpaceSavingCounters(c2);
            for (int i = 0; i < stream.Length; i++)
            {
                (i < cut ? left : right).Add(SketchTestData.Key(stream[i]));
            }

            left.Merge(right);
            AssertInvariants(left, SketchTestData.CountKeys(stream), stream.Length);

            // Further updates after a merge keep the invariants too.
            foreach (int v in stream.AsSpan(0, cut))
            {
                left.Add(SketchTestData.Key(v));
            }

            AssertInvariants(left, SketchTestData.CountKeys(stream.Concat(stream.Take(cut))), stream.Length + cut);
        });
    }

    [Fact]
    public void Clear_AfterEvictions_StartsOverExactly()
    {
        var counters = new SpaceSavingCounters(2);
        for (int v = 0; v < 10; v++)
        {
            counters.Add(SketchTestData.Key(v));
        }

        Assert.True(counters.UntrackedBound > 0);
        counters.Clear();
        counters.Add(SketchTestData.Key(3));
        Assert.Equal(0, counters.UntrackedBound);
        Assert.Equal(1, counters.Total);
        Assert.Equal(1, counters.Count);
        Assert.Equal(0, counters.Find(SketchTestData.Key(3)));
        Assert.Equal(-1, counters.Find(SketchTestData.Key(4)));
    }

    [Fact]
    public void AddWeighted_RunsOfOneKey_KeepDeterministicIntervals()
    {
        Gen.Select(SketchTestData.Streams, Gen.Int[1, 40], Gen.Int[1, 9]).Sample((stream, capacity, runLength) =>
        {
            // The stream cut into runs of equal values, each added at once with its length as weight.
            var counters = new SpaceSavingCounters(capacity);
            int i = 0;
            while (i < stream.Length)
            {
                int j = i + 1;
                while (j < stream.Length && j - i < runLength && stream[j] == stream[i])
                {
                    j++;
                }

                counters.Add(SketchTestData.Key(stream[i]), j - i);
                i = j;
            }

            AssertInvariants(counters, SketchTestData.CountKeys(stream), stream.Length);
        });
    }

    [Fact]
    public void AddWeighted_NonPositiveCount_Throws()
    {
        var counters = new SpaceSavingCounters(4);
        Assert.Throws<ArgumentOutOfRangeException>(() => counters.Add(1UL, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => counters.Add(1UL, -3));
    }

    internal static void AssertInvariants(SpaceSavingCounters counters, Dictionary<ulong, long> truth, long total)
    {
        Assert.Equal(total, counters.Total);
        long m = counters.UntrackedBound;
        var tracked = new HashSet<ulong>();
        for (int i = 0; i < counters.Count; i++)
        {
            ulong key = counters.Keys[i];
            Assert.True(tracked.Add(key), "keys are unique");
            Assert.Equal(i, counters.Find(key));
            long n = truth.GetValueOrDefault(key);
            long c = counters.Counts[i];
            Assert.InRange(n, c - counters.Errors[i], c);
            Assert.True(m <= c, "m ≤ every count");
        }

        foreach ((ulong key, long n) in truth)
        {
            if (!tracked.Contains(key))
            {
                Assert.True(n <= m, $"untracked count {n} exceeds m = {m}");
                Assert.Equal(-1, counters.Find(key));
            }
        }
    }
}
