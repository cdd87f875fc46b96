namespace StreamEntropy.Core.Numerics;

/// <summary>Special functions needed by the bias-corrected entropy estimators.</summary>
internal static class SpecialFunctions
{
    /// <summary>The digamma function ψ(x) = d/dx ln Γ(x) for x &gt; 0.</summary>
    /// <remarks>Shifts x up to at least 10 with ψ(x) = ψ(x + 1) − 1/x, then uses the asymptotic series
    /// ln x − 1/(2x) − Σ B₂ₖ/(2k x²ᵏ) to the x⁻¹⁴ term, which leaves an error below 1e-16 for x ≥ 10.</remarks>
    public static double Digamma(double x)
    {
        if (!(x > 0))
        {
            return double.NaN;
        }

        double shift = 0;
        while (x < 10)
        {
            shift -= 1 / x;
            x += 1;
        }

        double inv2 = 1 / (x * x);
        // Bernoulli terms B2k/(2k): 1/12, -1/120, 1/252, -1/240, 1/132, -691/32760, 1/12.
        double series = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 * (1.0 / 132 - inv2 * (691.0 / 32760 - inv2 / 12))))));
        return shift + Math.Log(x) - 0.5 / x - series;
    }

    /// <summary>Grassberger's G(n) = ψ(n) + ½(−1)ⁿ[ψ((n+1)/2) − ψ(n/2)] for n ≥ 1 (Grassberger 2003, eq. 35).</summary>
    public static double Grassberger(long n)
    {
        double sign = (n & 1) == 0 ? 0.5 : -0.5;
        return Digamma(n) + (sign * (Digamma((n + 1) / 2.0) - Digamma(n / 2.0)));
    }

    /// <summary>n·ln(1 + 1/n) for n ≥ 1, accurate where 1 + 1/n would round.</summary>
    public static double NLog1PInverse(double n)
    {
        if (n < 64)
        {
            // Goldberg's log1p: with u = 1 + x rounded, ln(u)·x/(u − 1) is accurate to a few ulps.
            double x0 = 1 / n;
            double u = 1 + x0;
            return n * Math.Log(u) * x0 / (u - 1);
        }

        // Series 1 − 1/(2n) + 1/(3n²) − …; for n ≥ 64 the terms past 1/(10n⁹) are below 1e-19.
        // (Stopping at 1/(8n⁷) left 1/(9n⁸) ≈ 3.9e-16 at n = 64, several ulps.)
        double x = 1 / n;
        return 1 - (x * ((1.0 / 2) - (x * ((1.0 / 3) - (x * ((1.0 / 4) - (x * ((1.0 / 5) - (x * ((1.0 / 6) - (x * ((1.0 / 7) - (x * ((1.0 / 8) - (x * ((1.0 / 9) - (x / 10)))))))))))))))));
    }

    /// <summary>ln(1 + x) for x &gt; −1, accurate for small |x| (Goldberg's method).</summary>
    public static double Log1P(double x)
    {
        double u = 1 + x;
        if (double.IsPositiveInfinity(u))
        {
            return u; // ∞·x/∞ would be NaN
        }

        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    /// <summary>eˣ − 1, accurate for small |x| (Kahan's method).</summary>
    public static double ExpM1(double x)
    {
        double u = Math.Exp(x);
        if (u == 1)
        {
            return x;
        }

        if (double.IsPositiveInfinity(u))
        {
            return u; // overflow (x > ~709.78): ∞·x/ln ∞ would be NaN
        }

        double um1 = u - 1;
        return um1 == -1 ? -1 : um1 * x / Math.Log(u);
    }
}
