using CsCheck;
using StreamEntropy.Core.Sketches;

namespace StreamEntropy.Core.Tests.Sketches;

public class DistinctSampleTests
{
    [Fact]
    public void Add_AnyStream_KeepsTheSmallestKeysWithExactCounts()
    {
        Gen.Select(SketchTestData.Streams, Gen.Int[2, 40]).Sample((stream, capacity) =>
        {
            var sample = new DistinctSample(capacity);
            foreach (int v in stream)
            {
                sample.Add(SketchTestData.Key(v));
            }

            AssertBottomK(sample, SketchTestData.CountKeys(stream), capacity);
        });
    }

    [Fact]
    public void Merge_AnySplit_EqualsTheSampleOfTheWholeStream()
    {
        Gen.Select(SketchTestData.Streams, Gen.Int[2, 40], Gen.Int[0, 1500]).Sample((stream, capacity, cut) =>
        {
            cut = Math.Min(cut, stream.Length);
            var left = new DistinctSample(capacity);
            var right = new DistinctSample(capacity);
            for (int i = 0; i < stream.Length; i++)
            {
                (i < cut ? left : right).Add(SketchTestData.Key(stream[i]));
            }

            left.Merge(right);
            AssertBottomK(left, SketchTestData.CountKeys(stream), capacity);
        });
    }

    [Fact]
    public void DistinctEstimate_ManyValues_IsWithinFiveStandardErrors()
    {
        const int capacity = 1024;
        const int distinct = 200_000;
        var sample = new DistinctSample(capacity);
        for (int v = 0; v < distinct; v++)
        {
            ulong key = SketchTestData.Key(v);
            sample.Add(key);
            sample.Add(key);
        }

        double relativeError = Math.Abs(sample.DistinctEstimate - distinct) / distinct;
        Assert.True(relativeError < 5 / Math.Sqrt(capacity - 2), $"relative error {relativeError}");
    }

    private static void AssertBottomK(DistinctSample sample, Dictionary<ulong, long> truth, int capacity)
    {
        ulong[] expected = truth.Keys.Order().Take(capacity).ToArray();
        Assert.Equal(expected, sample.Keys.ToArray().Order());
        for (int i = 0; i < sample.Count; i++)
        {
            Assert.Equal(truth[sample.Keys[i]], sample.Counts[i]);
        }

        Assert.Equal(truth.Count < capacity, sample.IsComplete);
        if (sample.IsComplete)
        {
            Assert.Equal(truth.Count, sample.DistinctEstimate);
        }
    }
}
