using CsCheck;
using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Core.Tests;

public class GTestTests
{
    [Fact]
    public void Homogeneity_TwoByTwo_MatchesHandComputation()
    {
        // current [10, 20], reference [20, 10]: every expected count is 15.
        // G = 2 · 2 · (10 ln(10/15) + 20 ln(20/15)); p from mpmath: gammainc(1/2, G/2, inf, regularized=True).
        GTest test = GTest.Homogeneity(Table(10, 20), Table(20, 10));
        double expected = 4 * ((10 * Math.Log(10.0 / 15)) + (20 * Math.Log(20.0 / 15)));
        AssertClose(expected, test.Statistic, 1e-13, "G");
        Assert.Equal(1, test.DegreesOfFreedom);
        AssertClose(0.0091364306206966598846, test.PValue, 1e-13, "p");
        AssertClose(Math.Log10(0.0091364306206966598846), test.Log10PValue, 1e-12, "log10 p");
    }

    [Fact]
    public void Homogeneity_EqualsTwoNTimesMutualInformationWithSampleLabel()
    {
        Gen.Select(Gen.Int[0, 40].Array[1, 30], Gen.Int[0, 40].Array[1, 30]).Sample((c, r) =>
        {
            CountTable current = Table(c);
            CountTable reference = Table(r);
            if (current.Total == 0 || reference.Total == 0)
            {
                return;
            }

            // I(X;W) = H(X) + H(W) − H(X,W) over the pooled sample, W being which sample an observation came from.
            var pooled = new List<long>();
            var cells = new List<long>();
            for (int i = 0; i < Math.Max(c.Length, r.Length); i++)
            {
                long cn = i < c.Length ? c[i] : 0;
                long rn = i < r.Length ? r[i] : 0;
                pooled.Add(cn + rn);
                cells.Add(cn);
                cells.Add(rn);
            }

            double n = current.Total + reference.Total;
            double mutualInformation = Entropy(pooled) + Entropy([current.Total, reference.Total]) - Entropy(cells);
            GTest test = GTest.Homogeneity(current, reference);
            Assert.True(Math.Abs((2 * n * mutualInformation) - test.Statistic) <= 1e-9 * Math.Max(1, test.Statistic), $"G {test.Statistic} vs 2N·I {2 * n * mutualInformation}");
            int distinct = pooled.Count(v => v > 0);
            Assert.Equal(distinct - 1, test.DegreesOfFreedom);
            Assert.InRange(test.PValue, 0, 1);
        });
    }

    [Fact]
    public void Homogeneity_ProportionalCounts_GivesZeroAndPOne()
    {
        GTest test = GTest.Homogeneity(Table(5, 10, 0, 20), Table(50, 100, 0, 200));
        Assert.Equal(0, test.Statistic, 9);
        Assert.Equal(2, test.DegreesOfFreedom);
        Assert.Equal(1, test.PValue, 9);
    }

    [Fact]
    public void Homogeneity_EmptySide_IsUndefined()
    {
        GTest test = GTest.Homogeneity(Table(), Table(1, 2));
        Assert.True(double.IsNaN(test.Statistic));
        Assert.True(double.IsNaN(test.PValue));
        Assert.Equal(0, test.DegreesOfFreedom);
    }

    [Fact]
    public void Homogeneity_OneValueOnBothSides_HasNoDegreesOfFreedom()
    {
        GTest test = GTest.Homogeneity(Table(7), Table(3));
        Assert.Equal(0, test.DegreesOfFreedom);
        Assert.Equal(1, test.PValue);
        Assert.Equal(0, test.Log10PValue);
    }

    [Fact]
    public void Homogeneity_HugeDifference_ReportsFiniteLogPWhenPUnderflows()
    {
        GTest test = GTest.Homogeneity(Table(1_000_000, 10), Table(10, 1_000_000));
        Assert.Equal(0, test.PValue);
        Assert.True(double.IsFinite(test.Log10PValue) && test.Log10PValue < -300_000, $"log10 p = {test.Log10PValue}");
    }

    private static CountTable Table(params int[] counts)
    {
        var table = new CountTable();
        for (int id = 0; id < counts.Length; id++)
        {
            table.Add(id, counts[id]);
        }

        return table;
    }

    private static double Entropy(IEnumerable<long> counts)
    {
        double total = counts.Sum();
        double h = 0;
        foreach (long c in counts)
        {
            if (c > 0)
            {
                double p = c / total;
                h -= p * Math.Log(p);
            }
        }

        return h;
    }
}
