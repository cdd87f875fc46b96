using CsCheck;
using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Core.Tests;

public class EntropyEstimatorsTests
{
    private const double Gamma = Naive.EulerGamma;
    private static readonly double Ln2 = Math.Log(2);
    private static readonly long[] Small = [1, 1, 2, 3, 5]; // N = 12, K = 5, f1 = 2

    private static CountTable Table(params long[] counts)
    {
        var table = new CountTable();
        for (int id = 0; id < counts.Length; id++)
        {
            table.Add(id, counts[id]);
        }

        return table;
    }

    private static double PlugInSmall() => Math.Log(12) - (((2 * Math.Log(2)) + (3 * Math.Log(3)) + (5 * Math.Log(5))) / 12);

    [Fact]
    public void Entropy_MaximumLikelihood_MatchesHandValue()
    {
        Assert.Equal(PlugInSmall(), EntropyEstimators.Entropy(Table(Small), EntropyEstimator.MaximumLikelihood), 14);
        Assert.Equal(1.42412991734677351306, PlugInSmall(), 14); // −Σ (n/12) ln(n/12) in 30-digit arithmetic (mpmath)
        double naive = 0;
        foreach (long n in Small)
        {
            naive -= n / 12.0 * Math.Log(n / 12.0);
        }

        Assert.Equal(naive, EntropyEstimators.PlugIn(Table(Small)), 14);
    }

    [Fact]
    public void Entropy_MillerMadow_AddsKMinusOneOverTwoN()
    {
        Assert.Equal(PlugInSmall() + (4.0 / 24), EntropyEstimators.Entropy(Table(Small), EntropyEstimator.MillerMadow), 14);
    }

    [Fact]
    public void Entropy_Grassberger_MatchesHandValue()
    {
        double g1 = -Gamma - Ln2;
        double g2 = 2 - Gamma - Ln2; // = G(3)
        double g5 = 2 + (2.0 / 3) - Gamma - Ln2; // = G(4)
        double expected = Math.Log(12) - (((1 * g1) + (1 * g1) + (2 * g2) + (3 * g2) + (5 * g5)) / 12);
        Assert.Equal(expected, EntropyEstimators.Entropy(Table(Small), EntropyEstimator.Grassberger), 13);
    }

    [Fact]
    public void Entropy_ChaoShen_MatchesDefinition()
    {
        double coverage = 1 - (2.0 / 12);
        double expected = 0;
        foreach (long n in Small)
        {
            double pa = coverage * n / 12;
            expected -= pa * Math.Log(pa) / (1 - Math.Pow(1 - pa, 12));
        }

        Assert.Equal(expected, EntropyEstimators.Entropy(Table(Small), EntropyEstimator.ChaoShen), 13);
    }

    [Fact]
    public void Entropy_ChaoShenAllSingletons_UsesNMinusOne()
    {
        // f1 = N = 3 ⇒ f1 := 2, C = 1/3, each p̂a = 1/9.
        double pa = 1.0 / 9;
        double expected = -3 * pa * Math.Log(pa) / (1 - Math.Pow(8.0 / 9, 3));
        Assert.Equal(expected, EntropyEstimators.Entropy(Table(1, 1, 1), EntropyEstimator.ChaoShen), 13);
    }

    [Fact]
    public void Entropy_Shrink_MatchesHausserStrimmer()
    {
        // u = n/12, t = 1/5: Σu² = 40/144, Σ(t − u)² = 40/144 − 1/5, λ = (1 − Σu²)/(11 Σ(t − u)²) = 65/77,
        // so p = λ/5 + (1 − λ) n/12 = (13 + n)/77.
        double expected = 0;
        foreach (long n in Small)
        {
            double p = (13.0 + n) / 77;
            expected -= p * Math.Log(p);
        }

        Assert.Equal(expected, EntropyEstimators.Entropy(Table(Small), EntropyEstimator.Shrink), 13);
    }

    [Fact]
    public void Entropy_ShrinkIntensityAboveOne_IsClippedToUniform()
    {
        // [1, 2]: λ = (4/9)/(2 · 1/18) = 4 ⇒ 1 ⇒ uniform ⇒ ln 2. Equal counts: no misspecification ⇒ λ = 1.
        Assert.Equal(Math.Log(2), EntropyEstimators.Entropy(Table(1, 2), EntropyEstimator.Shrink), 14);
        Assert.Equal(Math.Log(5), EntropyEstimators.Entropy(Table(7, 7, 7, 7, 7), EntropyEstimator.Shrink), 14);
    }

    [Fact]
    public void Entropy_EntropyPackageExampleCounts_MatchDefinitions()
    {
        // The non-empty bins of y = c(4, 2, 3, 0, 2, 4, 0, 0, 2, 1, 1) from the R package 'entropy'. Unlike that
        // package, shrink here targets the K = 8 observed values (an empty bin is indistinguishable from an unseen one).
        long[] y = [4, 2, 3, 2, 4, 2, 1, 1];
        CountTable table = Table(y);
        foreach (EntropyEstimator estimator in Enum.GetValues<EntropyEstimator>())
        {
            AssertClose(Naive.Entropy(y, estimator.ToName()), EntropyEstimators.Entropy(table, estimator), 1e-13, estimator.ToName());
        }

        // ML by hand: N = 19.
        double ml = Math.Log(19) - (((2 * 4 * Math.Log(4)) + (3 * 2 * Math.Log(2)) + (3 * Math.Log(3))) / 19);
        Assert.Equal(ml, EntropyEstimators.PlugIn(table), 14);
    }

    [Fact]
    public void Entropy_SingleObservation_GivesDefinitionValues()
    {
        CountTable one = Table(1);
        Assert.Equal(0.0, EntropyEstimators.Entropy(one, EntropyEstimator.MaximumLikelihood));
        Assert.Equal(0.0, EntropyEstimators.Entropy(one, EntropyEstimator.MillerMadow));
        Assert.Equal(0.0, EntropyEstimators.Entropy(one, EntropyEstimator.ChaoShen), 15);
        Assert.Equal(0.0, EntropyEstimators.Entropy(one, EntropyEstimator.Shrink), 15);
        Assert.Equal(Gamma + Ln2, EntropyEstimators.Entropy(one, EntropyEstimator.Grassberger), 14); // ln 1 − G(1)
    }

    [Fact]
    public void StandardError_SmallTables_MatchesNaiveFormula()
    {
        // [1, 3]: p = (1/4, 3/4).
        double h = -((0.25 * Math.Log(0.25)) + (0.75 * Math.Log(0.75)));
        double m2 = (0.25 * Math.Log(0.25) * Math.Log(0.25)) + (0.75 * Math.Log(0.75) * Math.Log(0.75));
        Assert.Equal(Math.Sqrt((m2 - (h * h)) / 4), EntropyEstimators.StandardError(Table(1, 3)), 14);
        AssertClose(Naive.StandardError(Small), EntropyEstimators.StandardError(Table(Small)), 1e-13, "[1,1,2,3,5]");
        Assert.Equal(0.0, EntropyEstimators.StandardError(Table(4, 4, 4, 4)), 14); // uniform: −ln p is constant
    }

    [Fact]
    public void Entropy_RandomCounts_MatchDefinitionsAndBounds()
    {
        Gen.Frequency((4, Gen.Int[0, 6]), (1, Gen.Int[0, 3000])).Array[1, 30].Sample(
            raw =>
            {
                long[] counts = raw.Select(c => (long)c).ToArray();
                if (counts.All(c => c == 0))
                {
                    return;
                }

                CountTable table = Table(counts);
                foreach (EntropyEstimator estimator in Enum.GetValues<EntropyEstimator>())
                {
                    AssertClose(Naive.Entropy(counts, estimator.ToName()), EntropyEstimators.Entropy(table, estimator), 1e-10, estimator.ToName());
                }

                double ml = EntropyEstimators.PlugIn(table);
                Assert.InRange(ml, 0, Math.Log(table.Distinct) + 1e-12);
                Assert.InRange(EntropyEstimators.Entropy(table, EntropyEstimator.Shrink), ml - 1e-12, Math.Log(table.Distinct) + 1e-12);
                // Compare variances: near zero, sqrt turns a 1e-17 rounding difference into 1e-9.
                double se = Naive.StandardError(counts);
                double actual = EntropyEstimators.StandardError(table);
                AssertClose(se * se, actual * actual, 1e-12, "squared standard error");
            },
            iter: 3000);
    }

    [Fact]
    public void Entropy_UnknownEstimator_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => EntropyEstimators.Entropy(Table(1, 2), (EntropyEstimator)99));
    }
}
