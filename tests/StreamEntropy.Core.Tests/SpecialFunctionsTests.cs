using CsCheck;
using StreamEntropy.Core.Numerics;

namespace StreamEntropy.Core.Tests;

public class SpecialFunctionsTests
{
    private const double Gamma = Naive.EulerGamma;

    [Fact]
    public void Digamma_KnownValues_MatchClosedForms()
    {
        // Abramowitz & Stegun 6.3.2–6.3.4 and Gauss's digamma theorem.
        AssertClose(-Gamma, SpecialFunctions.Digamma(1), 1e-14, "ψ(1)");
        AssertClose(1 - Gamma, SpecialFunctions.Digamma(2), 1e-14, "ψ(2)");
        AssertClose(-Gamma - (2 * Math.Log(2)), SpecialFunctions.Digamma(0.5), 1e-14, "ψ(1/2)");
        AssertClose(2 - Gamma - (2 * Math.Log(2)), SpecialFunctions.Digamma(1.5), 1e-14, "ψ(3/2)");
        AssertClose((7129.0 / 2520) - Gamma, SpecialFunctions.Digamma(10), 1e-14, "ψ(10) = H₉ − γ");
        AssertClose(-Gamma - (Math.PI / 2) - (3 * Math.Log(2)), SpecialFunctions.Digamma(0.25), 1e-14, "ψ(1/4)");
        AssertClose(-Gamma - (Math.PI / (2 * Math.Sqrt(3))) - (1.5 * Math.Log(3)), SpecialFunctions.Digamma(1.0 / 3), 1e-14, "ψ(1/3)");
        // ψ(1.4616321449683623…) = 0: the positive root of digamma (OEIS A030169).
        Assert.True(Math.Abs(SpecialFunctions.Digamma(1.4616321449683623412626595)) < 1e-15);
    }

    [Theory]
    [InlineData(1e3)]
    [InlineData(1e6)]
    [InlineData(1e9)]
    [InlineData(1e15)]
    public void Digamma_LargeArgument_MatchesAsymptoticExpansion(double x)
    {
        // ψ(x) = ln x − 1/(2x) − 1/(12x²) + 1/(120x⁴) − …; at x ≥ 1000 the x⁻⁴ term is below 1e-13 relative.
        double expected = Math.Log(x) - (0.5 / x) - (1 / (12 * x * x)) + (1 / (120 * x * x * x * x));
        AssertClose(expected, SpecialFunctions.Digamma(x), 1e-15, $"ψ({x})");
    }

    [Fact]
    public void Digamma_IntegersAndHalfIntegers_MatchRecurrence()
    {
        for (int twice = 1; twice <= 400; twice++)
        {
            AssertClose(Naive.DigammaOfHalf(twice), SpecialFunctions.Digamma(twice / 2.0), 1e-14, $"ψ({twice}/2)");
        }
    }

    [Fact]
    public void Digamma_RandomArguments_SatisfyRecurrence()
    {
        // ψ(x) + 1/x adds two terms of size about 1/x whose sum is small, so its rounding error scales with 1/x.
        Gen.Double[1e-3, 200].Sample(
            x => AssertClose(SpecialFunctions.Digamma(x) + (1 / x), SpecialFunctions.Digamma(x + 1), 1e-13 * (1 + (1 / x)), $"ψ({x}+1)"),
            iter: 5000);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void Digamma_NonPositive_IsNaN(double x) => Assert.True(double.IsNaN(SpecialFunctions.Digamma(x)));

    [Fact]
    public void Grassberger_SmallN_MatchesHandValues()
    {
        double g1 = -Gamma - Math.Log(2);
        double g2 = 2 - Gamma - Math.Log(2);
        AssertClose(g1, SpecialFunctions.Grassberger(1), 1e-14, "G(1)");
        AssertClose(g2, SpecialFunctions.Grassberger(2), 1e-14, "G(2)");
        // G(2) from the definition with known digamma values: ψ(2) + ½[ψ(3/2) − ψ(1)].
        double psi2 = 1 - Gamma;
        double psi32 = 2 - Gamma - (2 * Math.Log(2));
        double psi1 = -Gamma;
        AssertClose(psi2 + (0.5 * (psi32 - psi1)), g2, 1e-15, "G(2) identity");
        AssertClose(g2, SpecialFunctions.Grassberger(3), 1e-14, "G(3) = G(2)");
        AssertClose(g2 + (2.0 / 3), SpecialFunctions.Grassberger(4), 1e-14, "G(4) = G(2) + 2/3");
    }

    [Fact]
    public void Grassberger_UpTo20000_MatchesDefinitionAndClosedForm()
    {
        for (int n = 1; n <= 20000; n++)
        {
            // Definition G(n) = ψ(n) + ½(−1)ⁿ[ψ((n+1)/2) − ψ(n/2)] with the test's own digamma, for small n.
            if (n <= 200)
            {
                double sign = (n & 1) == 0 ? 0.5 : -0.5;
                double definition = Naive.DigammaOfHalf(2 * n) + (sign * (Naive.DigammaOfHalf(n + 1) - Naive.DigammaOfHalf(n)));
                AssertClose(definition, Naive.Grassberger(n), 1e-13, $"reference G({n})");
            }

            AssertClose(Naive.Grassberger(n), SpecialFunctions.Grassberger(n), 1e-13, $"G({n})");
        }
    }

    public static TheoryData<double> SmallArguments => new()
    {
        1.0 / (1 << 10), -1.0 / (1 << 10), 1.0 / (1 << 20), -1.0 / (1 << 20), 3.0 / (1 << 30), -3.0 / (1 << 30),
        1.0 / (1L << 45), -5.0 / (1L << 50), 7.0 / (1 << 14),
    };

    [Theory]
    [MemberData(nameof(SmallArguments))]
    public void Log1P_SmallArgument_MatchesDecimalSeries(double x)
    {
        // ln(1 + x) = x · F with F = Σ_{k≥1} (−1)^{k+1} x^{k−1}/k ≈ 1, summed in decimal (28 digits).
        decimal dx = (decimal)x;
        decimal factor = 0;
        decimal power = 1;
        for (int k = 1; k < 40 && power != 0; k++)
        {
            factor += ((k & 1) == 1 ? power : -power) / k;
            power *= dx;
        }

        double expected = x * (double)factor;
        double actual = SpecialFunctions.Log1P(x);
        // A naive Math.Log(1 + x) is off by ~1e-16/|x| relative here; Goldberg's method should be within a few ulps.
        Assert.True(Math.Abs(actual - expected) <= 4e-16 * Math.Abs(expected), $"Log1P({x:R}) = {actual:R}, expected {expected:R}");
    }

    [Theory]
    [MemberData(nameof(SmallArguments))]
    public void ExpM1_SmallArgument_MatchesDecimalSeries(double x)
    {
        // eˣ − 1 = x · F with F = Σ_{k≥1} x^{k−1}/k!.
        decimal dx = (decimal)x;
        decimal factor = 0;
        decimal term = 1;
        for (int k = 1; k < 40 && term != 0; k++)
        {
            term /= k;
            factor += term;
            term *= dx;
        }

        double expected = x * (double)factor;
        double actual = SpecialFunctions.ExpM1(x);
        Assert.True(Math.Abs(actual - expected) <= 4e-16 * Math.Abs(expected), $"ExpM1({x:R}) = {actual:R}, expected {expected:R}");
    }

    [Fact]
    public void Log1P_AndExpM1_EdgeValues()
    {
        Assert.Equal(0.0, SpecialFunctions.Log1P(0));
        Assert.Equal(0.0, SpecialFunctions.ExpM1(0));
        Assert.Equal(double.NegativeInfinity, SpecialFunctions.Log1P(-1));
        Assert.Equal(-1.0, SpecialFunctions.ExpM1(double.NegativeInfinity));
        Assert.Equal(-1.0, SpecialFunctions.ExpM1(-800));
        AssertClose(Math.Log(3), SpecialFunctions.Log1P(2), 1e-15, "Log1P(2)");
        AssertClose(Math.E - 1, SpecialFunctions.ExpM1(1), 1e-15, "ExpM1(1)");
        // Overflow must give +∞ (e^x − 1 > double.MaxValue), not NaN.
        Assert.Equal(double.PositiveInfinity, SpecialFunctions.ExpM1(710));
        Assert.Equal(double.PositiveInfinity, SpecialFunctions.ExpM1(double.PositiveInfinity));
        Assert.Equal(double.PositiveInfinity, SpecialFunctions.Log1P(double.PositiveInfinity));
    }

    [Fact]
    public void ExpM1_OfLog1P_RoundTrips()
    {
        Gen.Double[-0.999, 10].Sample(
            x => AssertClose(x, SpecialFunctions.ExpM1(SpecialFunctions.Log1P(x)), 1e-14, $"x = {x}"),
            iter: 5000);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(100)]
    [InlineData(1023)]
    [InlineData(1024)]
    [InlineData(1_000_000)]
    [InlineData(1L << 40)]
    public void NLog1PInverse_MatchesDecimalSeries(long n)
    {
        // n ln(1 + 1/n) = Σ_{k≥1} (−1)^{k+1} n^{1−k} / k; ln 2 for n = 1.
        decimal expectedDecimal;
        if (n == 1)
        {
            expectedDecimal = 0.6931471805599453094172321215m;
        }
        else
        {
            decimal x = 1m / n;
            decimal power = 1;
            expectedDecimal = 0;
            for (int k = 1; k < 200 && power != 0; k++)
            {
                expectedDecimal += ((k & 1) == 1 ? power : -power) / k;
                power *= x;
            }
        }

        double expected = (double)expectedDecimal;
        double actual = SpecialFunctions.NLog1PInverse(n);
        // About one ulp of a value just below 1 (ulp = 1.1e-16 there), allowing for the final rounding.
        Assert.True(Math.Abs(actual - expected) <= 2.3e-16, $"NLog1PInverse({n}) = {actual:R}, expected {expected:R}, error {actual - expected:R}");
    }
}
