using CsCheck;
using StreamEntropy.Core.Sketches;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Tests.Counting;

public class BoundedCountsTests
{
    [Fact]
    public void HashIdMap_GivesDenseIdsInOrderOfFirstSightUpToItsLimit()
    {
        const int Limit = 5000;
        var map = new HashIdMap(Limit);
        for (int i = 0; i < Limit; i++)
        {
            Assert.Equal(i, map.GetOrAdd(StableHash64.Hash((ulong)i)));
        }

        for (int i = Limit - 1; i >= 0; i--)
        {
            Assert.Equal(i, map.GetOrAdd(StableHash64.Hash((ulong)i))); // stable across the rehashes
        }

        Assert.Equal(-1, map.GetOrAdd(StableHash64.Hash((ulong)Limit)));
        Assert.Equal(Limit, map.Count);
        Assert.Equal(StableHash64.Hash(17UL), map.Keys[17]);
    }

    [Fact]
    public void Add_UpToTheBudget_IsExactAndEqualsThePlugIn()
    {
        var counts = new BoundedCounts(4);
        ulong[] keys = [1, 2, 2, 3, 3, 3, 4, 4, 4, 4];
        foreach (ulong k in keys)
        {
            counts.Add(StableHash64.Hash(k));
        }

        EntropyBracket h = counts.Entropy();
        Assert.True(counts.IsExact);
        Assert.True(h.IsExact);
        Assert.Equal(PlugIn(keys), h.Estimate, 1e-12);
        Assert.Equal(4, counts.Distinct);
        Assert.Equal(10, counts.Total);
        Assert.Equal(0.9, counts.Coverage(), 1e-12); // one singleton
        Assert.True(counts.StandardError() > 0);
        Assert.Null(counts.Summary);

        counts.Add(StableHash64.Hash(5UL)); // the fifth distinct value: over the budget
        Assert.False(counts.IsExact);
        Assert.NotNull(counts.Summary);
        Assert.Equal(11, counts.Total);
        Assert.True(double.IsNaN(counts.StandardError()));
        Assert.True(double.IsNaN(counts.Coverage()));
        Assert.True(counts.Entropy().Contains(PlugIn([.. keys, 5])));
    }

    [Fact]
    public void Empty_IsExactWithUndefinedEntropy()
    {
        var counts = new BoundedCounts(16);

        Assert.True(counts.IsExact);
        Assert.True(double.IsNaN(counts.Entropy().Estimate));
        Assert.Equal(0, counts.Total);
    }

    [Fact]
    public void Add_RandomSkewedStreams_ExactWithinTheBudgetElseTheBracketContainsThePlugIn()
    {
        Gen.Select(Gen.Int[1, 40], Gen.Double[0, 3].Array[1, 400]).Sample(
            (budget, draws) =>
            {
                // Skewed values: u³ scaled to 0..99, so a few are heavy and many are rare.
                ulong[] keys = [.. draws.Select(d => (ulong)(100 * Math.Pow(d / 3, 3)))];
                var counts = new BoundedCounts(budget);
                foreach (ulong k in keys)
                {
                    counts.Add(StableHash64.Hash(k));
                }

                int distinct = keys.Distinct().Count();
                double exact = PlugIn(keys);
                EntropyBracket h = counts.Entropy();
                Assert.Equal(keys.Length, counts.Total);
                Assert.Equal(distinct <= budget, counts.IsExact);
                if (counts.IsExact)
                {
                    Assert.Equal(exact, h.Estimate, 1e-12);
                    Assert.Equal(distinct, counts.Distinct);
                }
                else
                {
                    Assert.True(h.Contains(exact), $"{exact} outside [{h.Lower}, {h.Upper}]");
                    Assert.InRange(counts.Distinct, budget + 1, keys.Length);
                }
            },
            iter: 300);
    }

    private static double PlugIn(IEnumerable<ulong> keys)
    {
        long[] counts = [.. keys.GroupBy(k => k).Select(g => (long)g.Count())];
        double n = counts.Sum();
        return -counts.Sum(c => c / n * Math.Log(c / n));
    }
}
