using CsCheck;
using StreamEntropy.Core.Numerics;

namespace StreamEntropy.Core.Tests;

public class ChiSquaredTests
{
    private static readonly double Ln10 = Math.Log(10);

    // Reference values from mpmath (40 digits): gammainc(df/2, s/2, inf, regularized=True).
    [Theory]
    [InlineData(3.841458820694124, 1, 0.050000000000000057435, -1.3010299956639806963)]
    [InlineData(18.307038053275146, 10, 0.050000000000000006706, -1.301029995663981137)]
    [InlineData(1074.679, 1000, 0.050000986595394850722, -1.3010214262898088716)]
    [InlineData(100, 1, 1.5239706048321052132e-23, -22.817023409822094699)]
    [InlineData(1e-3, 1, 0.97477287936996038828, -0.011096562482616877952)]
    [InlineData(0.5, 3, 0.91889141165467585936, -0.036735807553548718042)]
    [InlineData(50, 5, 1.3857973367009593204e-9, -8.8583002776520458277)]
    [InlineData(0.01, 0.5, 0.70691910527898041424, -0.15063028088628448242)]
    [InlineData(7, 7, 0.42887985755305471947, -0.36766435002806911392)]
    [InlineData(300, 3, 9.948758346327708869e-65, -64.002231117946436695)]
    [InlineData(5000, 4000, 1.6633156038804351599e-25, -24.779025338261361017)]
    [InlineData(1e5, 1e5, 0.49940529189520668861, -0.30154686000487428938)]
    [InlineData(100999, 1e5, 0.012942732539834552389, -1.8879740233822492508)]
    [InlineData(101414.3, 1e5, 0.00081866683434731372129, -3.0868928032976346308)]
    public void SurvivalProbability_KnownValues_MatchReference(double statistic, double df, double p, double log10P)
    {
        AssertRelative(p, ChiSquared.SurvivalProbability(statistic, df), 1e-11, $"p(χ²({df}) ≥ {statistic})");
        AssertRelative(log10P, ChiSquared.Log10SurvivalProbability(statistic, df), 1e-11, "log10 p");
        AssertRelative(log10P * Ln10, ChiSquared.LogSurvivalProbability(statistic, df), 1e-11, "ln p");
    }

    [Theory]
    [InlineData(2000, 10, -423.67295423102295479)]
    [InlineData(9000, 100, -1838.0971064119462854)]
    [InlineData(1e6, 2e5, -103824.29347934343272)]
    public void Log10SurvivalProbability_PValueUnderflows_StaysAccurate(double statistic, double df, double log10P)
    {
        Assert.Equal(0, ChiSquared.SurvivalProbability(statistic, df));
        AssertRelative(log10P, ChiSquared.Log10SurvivalProbability(statistic, df), 1e-11, "log10 p");
    }

    [Fact]
    public void SurvivalProbability_TwoDegreesOfFreedom_IsExpOfMinusHalf()
    {
        // χ²(2) is exponential with mean 2: P(X ≥ x) = exp(−x/2) exactly.
        for (double x = 1e-6; x < 1e5; x *= 1.37)
        {
            AssertRelative(Math.Exp(-x / 2), ChiSquared.SurvivalProbability(x, 2), 1e-13, $"x = {x}");
            AssertRelative(-x / 2, ChiSquared.LogSurvivalProbability(x, 2), 1e-13, $"ln p at x = {x}");
        }
    }

    [Fact]
    public void SurvivalProbability_EvenDegreesOfFreedom_MatchPoissonSum()
    {
        // Q(k, x) for integer k is P(Poisson(x) < k) = e⁻ˣ Σ_{j<k} xʲ/j!.
        Gen.Select(Gen.Int[1, 60], Gen.Double[0.01, 150]).Sample((k, halfStatistic) =>
        {
            double term = Math.Exp(-halfStatistic);
            double sum = 0;
            for (int j = 0; j < k; j++)
            {
                sum += term;
                term *= halfStatistic / (j + 1);
            }

            if (sum > 1e-280)
            {
                AssertRelative(sum, ChiSquared.SurvivalProbability(2 * halfStatistic, 2 * k), 1e-12, $"k = {k}, x = {halfStatistic}");
            }
        });
    }

    [Fact]
    public void IncompleteGamma_LowerPlusUpper_IsOne()
    {
        Gen.Select(Gen.Double[0.05, 5000], Gen.Double[0, 10000]).Sample((a, x) =>
        {
            double p = IncompleteGamma.LowerRegularized(a, x);
            double q = IncompleteGamma.UpperRegularized(a, x);
            Assert.InRange(p, 0, 1);
            Assert.InRange(q, 0, 1);
            Assert.True(Math.Abs(p + q - 1) < 1e-13, $"P + Q = {p + q:R} at a = {a}, x = {x}");
        });
    }

    [Fact]
    public void IncompleteGamma_Recurrence_Holds()
    {
        // Q(a + 1, x) = Q(a, x) + xᵃ e⁻ˣ / Γ(a + 1).
        Gen.Select(Gen.Double[0.1, 300], Gen.Double[0.01, 400]).Sample((a, x) =>
        {
            double expected = IncompleteGamma.UpperRegularized(a, x)
                + Math.Exp((a * Math.Log(x)) - x - IncompleteGamma.LogGamma(a + 1));
            double actual = IncompleteGamma.UpperRegularized(a + 1, x);
            Assert.True(Math.Abs(expected - actual) <= 1e-12 * Math.Max(actual, 1e-300) + 1e-300, $"a = {a}, x = {x}: {expected:R} vs {actual:R}");
        });
    }

    [Fact]
    public void SurvivalProbability_IsDecreasingInStatistic()
    {
        foreach (double df in new[] { 0.5, 1, 3, 11, 99, 1000, 54321 })
        {
            double previous = 1;
            double previousLog = 0;
            for (double s = 0; s < 5 * (df + 10); s += (df + 10) / 97)
            {
                double p = ChiSquared.SurvivalProbability(s, df);
                double logP = ChiSquared.LogSurvivalProbability(s, df);
                Assert.True(p <= previous + 1e-15, $"df = {df}: p({s}) = {p} > {previous}");
                Assert.True(logP <= previousLog + 1e-13, $"df = {df}: ln p({s}) = {logP} > {previousLog}");
                previous = p;
                previousLog = logP;
            }
        }
    }

    [Fact]
    public void LogGamma_KnownValues_Match()
    {
        double factorial = 1;
        for (int n = 1; n <= 170; n++)
        {
            AssertClose(Math.Log(factorial), IncompleteGamma.LogGamma(n), 1e-14, $"ln Γ({n})");
            factorial *= n;
        }

        AssertRelative(0.5 * Math.Log(Math.PI), IncompleteGamma.LogGamma(0.5), 1e-14, "ln Γ(½)");
        AssertClose(Math.Log(Math.Sqrt(Math.PI) / 2), IncompleteGamma.LogGamma(1.5), 1e-14, "ln Γ(3/2)");
        // ln Γ(1e6) from mpmath: loggamma(10**6).
        AssertRelative(12815504.569147612, IncompleteGamma.LogGamma(1e6), 1e-15, "ln Γ(1e6)");
    }

    [Fact]
    public void SurvivalProbability_EdgeCases_AreDefined()
    {
        Assert.Equal(1, ChiSquared.SurvivalProbability(0, 3));
        Assert.Equal(1, ChiSquared.SurvivalProbability(-1, 3));
        Assert.Equal(0, ChiSquared.LogSurvivalProbability(0, 3));
        Assert.Equal(0, ChiSquared.SurvivalProbability(double.PositiveInfinity, 3));
        Assert.Equal(double.NegativeInfinity, ChiSquared.LogSurvivalProbability(double.PositiveInfinity, 3));
        Assert.True(double.IsNaN(ChiSquared.SurvivalProbability(double.NaN, 3)));
        Assert.True(double.IsNaN(ChiSquared.SurvivalProbability(1, 0)));
        Assert.True(double.IsNaN(ChiSquared.SurvivalProbability(1, -2)));
        Assert.True(double.IsNaN(ChiSquared.Log10SurvivalProbability(1, double.NaN)));
        Assert.True(double.IsNaN(IncompleteGamma.LogGamma(0)));
    }

    private static void AssertRelative(double expected, double actual, double tolerance, string what)
    {
        double error = Math.Abs(expected - actual) / Math.Max(Math.Abs(expected), double.Epsilon);
        Assert.True(error <= tolerance, $"{what}: expected {expected:R}, actual {actual:R}, relative error {error:E2}");
    }
}
