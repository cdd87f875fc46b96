using CsCheck;
using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Core.Sketches;
using static StreamEntropy.Core.Tests.DivergencesTests;

namespace StreamEntropy.Core.Tests;

public class DivergenceBracketTests
{
    private static CountIntervals Exact(params long[] counts) =>
        new(counts.Sum(), [.. Enumerable.Range(0, counts.Length).Select(i => (ulong)i)], counts, counts, 0);

    [Fact]
    public void TotalVariation_HandExamples_IsHalfTheL1Distance()
    {
        Assert.Equal(0.5, Divergences.Compute(Table(1, 1), Table(3)).TotalVariation, 14);
        Assert.Equal(1, Divergences.Compute(Table(2, 0), Table(0, 5)).TotalVariation, 14);
        Assert.Equal(0, Divergences.Compute(Table(1, 3), Table(2, 6)).TotalVariation, 14);
        Assert.True(double.IsNaN(Divergences.Compute(Table(1), new CountTable()).TotalVariation));
    }

    [Fact]
    public void Compute_ExactCountsOnBothSides_MeetsAtTheExactValues()
    {
        long[] current = [5, 0, 7, 1, 30];
        long[] reference = [9, 4, 2, 0, 20];
        Divergences exact = Divergences.Compute(Table(current), Table(reference));

        DivergenceBracket b = DivergenceBracket.Compute(Exact(current), Exact(reference));

        Assert.InRange(exact.JensenShannon, b.JensenShannonLower, b.JensenShannonUpper);
        Assert.InRange(exact.TotalVariation, b.TotalVariationLower, b.TotalVariationUpper);
        Assert.True(b.JensenShannonUpper - b.JensenShannonLower < 1e-9);
        Assert.True(b.TotalVariationUpper - b.TotalVariationLower < 1e-9);
        Assert.Equal((0.0, 0.0), (b.CurrentRestShare, b.ReferenceRestShare));
    }

    [Fact]
    public void Compute_SameHeadUnknownRest_BracketsFromZeroToTheDisjointRest()
    {
        // Both sides: value a has 6 of 10 for sure, the other 4 are untracked values of at most 1 each. They may be the
        // same values (divergence 0) or different ones (TV = 0.4, JS = 0.4 ln 2): the bracket is exactly that range.
        var side = new CountIntervals(10, [42UL], [6L], [6L], 1);

        DivergenceBracket b = DivergenceBracket.Compute(side, side);

        Assert.Equal(0, b.JensenShannonLower);
        Assert.Equal(0, b.TotalVariationLower);
        Assert.Equal(0.4, b.TotalVariationUpper, 9);
        Assert.Equal(0.4 * Math.Log(2), b.JensenShannonUpper, 9);
        Assert.Equal(2, b.Buckets);
    }

    [Fact]
    public void Compute_DisjointHeads_LowerBoundSeesTheShiftThroughTheErrors()
    {
        // Current: a ∈ [700, 800] of 1000; reference: b ∈ [650, 700] of 1000; each side's other values ≤ 50.
        var current = new CountIntervals(1000, [1UL], [700L], [800L], 50);
        var reference = new CountIntervals(1000, [2UL], [650L], [700L], 50);

        DivergenceBracket b = DivergenceBracket.Compute(current, reference);

        // Nearest corners: a (0.7 vs ≤ 0.05), b (≤ 0.05 vs 0.65); the rests, [0.15, 0.3] and [0.25, 0.35], overlap.
        Assert.Equal(0.5 * (0.65 + 0.6), b.TotalVariationLower, 9);
        Assert.True(b.TotalVariationUpper >= 0.5 * (0.7 + 0.65 + 0.3 + 0.35) - 1e-9);
        Assert.True(b.JensenShannonLower > 0.3);
    }

    [Fact]
    public void Compute_EmptySide_IsUndefined()
    {
        DivergenceBracket b = DivergenceBracket.Compute(Exact(3, 4), new CountIntervals(0, [], [], [], 0));
        Assert.True(double.IsNaN(b.JensenShannonLower) && double.IsNaN(b.TotalVariationUpper));
    }

    [Fact]
    public void Compute_RandomStreamsAndCapacities_AlwaysContainTheExactValues()
    {
        // Random streams (values 0–59), summaries of 1–24 counters, the current side merged from two; the reference is
        // its own stream or, half the time, the current events in reverse order (exact divergence 0, while the
        // summaries' errors differ): the exact JS and TV of the full counts lie in the bracket in every case.
        Gen<int[]> stream = Gen.Int[0, 59].Array[1, 400];
        Gen.Select(stream, stream, stream, Gen.Int[1, 24], Gen.Bool).Sample(
            (a, b, own, capacity, same) =>
            {
                int[] r = same ? [.. a.Concat(b).Reverse()] : own;
                var current = new BoundedCountSummary(capacity, 2);
                var other = new BoundedCountSummary(capacity, 2);
                var reference = new BoundedCountSummary(capacity, 2);
                long[] exactCurrent = new long[60];
                long[] exactReference = new long[60];
                foreach (int v in a)
                {
                    current.Add((ulong)v);
                    exactCurrent[v]++;
                }

                foreach (int v in b)
                {
                    other.Add((ulong)v);
                    exactCurrent[v]++;
                }

                foreach (int v in r)
                {
                    reference.Add((ulong)v);
                    exactReference[v]++;
                }

                current.Merge(other);
                Divergences exact = Divergences.Compute(Table(exactCurrent), Table(exactReference));
                DivergenceBracket bracket = DivergenceBracket.Compute(SummaryIntervals.Of(current), SummaryIntervals.Of(reference));
                Assert.InRange(exact.JensenShannon, bracket.JensenShannonLower, bracket.JensenShannonUpper);
                Assert.InRange(exact.TotalVariation, bracket.TotalVariationLower, bracket.TotalVariationUpper);
            },
            iter: 2_000);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Compute_SpaceSavingSummaries_ContainTheExactValues(int seed)
    {
        // Small summaries of skewed streams, one of them merged (Σ counts > N after a merge), against exact counts.
        var random = new Random(seed);
        var current = new BoundedCountSummary(32, 64);
        var pane = new BoundedCountSummary(32, 64);
        var reference = new BoundedCountSummary(32, 64);
        var exactCurrent = new long[400];
        var exactReference = new long[400];
        for (int i = 0; i < 6000; i++)
        {
            int v = (int)Math.Min(399, Math.Floor(Math.Pow(random.NextDouble(), 3) * 400));
            (i % 2 == 0 ? current : pane).Add((ulong)v);
            exactCurrent[v]++;
            int w = (int)Math.Min(399, Math.Floor(Math.Pow(random.NextDouble(), 2.5) * 400));
            reference.Add((ulong)w);
            exactReference[w]++;
        }

        current.Merge(pane);
        Divergences exact = Divergences.Compute(Table(exactCurrent), Table(exactReference));

        DivergenceBracket b = DivergenceBracket.Compute(SummaryIntervals.Of(current), SummaryIntervals.Of(reference));

        Assert.False(current.IsExact || reference.IsExact);
        Assert.InRange(exact.JensenShannon, b.JensenShannonLower, b.JensenShannonUpper);
        Assert.InRange(exact.TotalVariation, b.TotalVariationLower, b.TotalVariationUpper);
    }
}
