namespace StreamEntropy.Core.Numerics;

/// <summary>Precomputed n·ln n, n·ln² n and n·G(n) and their forward differences for small counts.</summary>
/// <remarks>Most updates of a frequency table move a small count by one; a table lookup then replaces a logarithm.
/// Differences are computed from their own accurate formulas, not as f(n+1) − f(n), to avoid cancellation.</remarks>
internal static class CountFunctionTables
{
    /// <summary>Counts below this limit are tabulated (and kept in a table's dense fingerprint).</summary>
    public const int Limit = 1024;

    public static readonly double[] NLogN = Build(static n => n == 0 ? 0 : n * Math.Log(n));
    public static readonly double[] NLog2N = Build(static n => n == 0 ? 0 : n * Math.Log(n) * Math.Log(n));
    public static readonly double[] NG = Build(static n => n == 0 ? 0 : n * SpecialFunctions.Grassberger(n));
    public static readonly double[] DeltaNLogN = Build(ComputeDeltaNLogN);
    public static readonly double[] DeltaNLog2N = Build(ComputeDeltaNLog2N);
    public static readonly double[] DeltaNG = Build(ComputeDeltaNG);

    /// <summary>f(n) = n ln n, for any n ≥ 0.</summary>
    public static double FNLogN(long n) => n < Limit ? NLogN[n] : n * Math.Log(n);

    /// <summary>f(n) = n ln² n, for any n ≥ 0.</summary>
    public static double FNLog2N(long n)
    {
        if (n < Limit)
        {
            return NLog2N[n];
        }

        double ln = Math.Log(n);
        return n * ln * ln;
    }

    /// <summary>f(n) = n G(n), for any n ≥ 0.</summary>
    public static double FNG(long n)
    {
        if (n < Limit)
        {
            return NG[n];
        }

        double ln = Math.Log(n);
        return (n * DigammaLarge(n, ln)) + (AlternatingSign(n) * KD(n));
    }

    /// <summary>The three forward differences at a large count n ≥ <see cref="Limit"/> − 1, sharing one logarithm.</summary>
    /// <remarks>The per-update slow path: heavy values of a skewed stream take it on every update, so it avoids the
    /// five digamma evaluations of the general formulas and uses asymptotic series that are exact to double precision
    /// for n ≥ 1023 (checked against the general formulas in tests).</remarks>
    public static void LargeDeltas(long n, out double deltaNLogN, out double deltaNLog2N, out double deltaNG)
    {
        double m = n + 1;
        double lnNext = Math.Log(m);
        double r = SpecialFunctions.NLog1PInverse(n); // n ln(1 + 1/n)
        double lnN = lnNext - (r / n);
        deltaNLogN = lnNext + r;
        deltaNLog2N = (lnNext * lnNext) + (r * (lnNext + lnN));
        // (n+1)G(n+1) − nG(n) = ψ(n+1) + 1 + s(n+1)·[(n+1)d(n+1) + n d(n)], d(k) = ψ((k+1)/2) − ψ(k/2), s(k) = ±½.
        deltaNG = DigammaLarge(m, lnNext) + 1 + (AlternatingSign(n + 1) * (KD(n + 1) + KD(n)));
    }

    // ψ(x) for large x given ln x: ln x − 1/(2x) − 1/(12x²) + 1/(120x⁴) − 1/(252x⁶); the next term is below 1e-21 for x ≥ 1023.
    private static double DigammaLarge(double x, double lnX)
    {
        double inv = 1 / x;
        double inv2 = inv * inv;
        return lnX - (0.5 * inv) - (inv2 * ((1.0 / 12) - (inv2 * ((1.0 / 120) - (inv2 / 252)))));
    }

    // k·[ψ((k+1)/2) − ψ(k/2)] = 1 + 1/(2k) − 1/(4k³) + 1/(2k⁵) − 17/(8k⁷) + O(k⁻⁹).
    private static double KD(double k)
    {
        double t = 1 / k;
        double t2 = t * t;
        return 1 + (t * (0.5 - (t2 * (0.25 - (t2 * (0.5 - (t2 * 17.0 / 8)))))));
    }

    // The sign factor ½(−1)ᵏ of the alternating part of G(k).
    private static double AlternatingSign(long k) => (k & 1) == 0 ? 0.5 : -0.5;

    /// <summary>(n+1) ln(n+1) − n ln n = ln(n+1) + n ln(1 + 1/n).</summary>
    public static double ComputeDeltaNLogN(long n) => n == 0 ? 0 : Math.Log(n + 1) + SpecialFunctions.NLog1PInverse(n);

    /// <summary>(n+1) ln²(n+1) − n ln² n = ln²(n+1) + n ln(1 + 1/n) (ln(n+1) + ln n).</summary>
    public static double ComputeDeltaNLog2N(long n)
    {
        double lnNext = Math.Log(n + 1);
        if (n == 0)
        {
            return lnNext * lnNext; // = 0
        }

        double nLog1P = SpecialFunctions.NLog1PInverse(n);
        double lnN = lnNext - (nLog1P / n);
        return (lnNext * lnNext) + (nLog1P * (lnNext + lnN));
    }

    /// <summary>(n+1) G(n+1) − n G(n) = ψ(n+1) + 1 + [(n+1)A(n+1) − n A(n)], with A the alternating part of G.</summary>
    /// <remarks>Uses (n+1)ψ(n+1) − nψ(n) = ψ(n+1) + 1, which follows from ψ(n+1) = ψ(n) + 1/n; large n take the
    /// asymptotic form of <see cref="LargeDeltas"/>.</remarks>
    public static double ComputeDeltaNG(long n)
    {
        if (n == 0)
        {
            return SpecialFunctions.Grassberger(1);
        }

        if (n >= Limit - 1)
        {
            // The general form subtracts ψ((m+1)/2) − ψ(m/2) ≈ 1/m from two numbers near ln m: at n = 10⁶ that
            // loses eight digits. The asymptotic form keeps all of them.
            LargeDeltas(n, out _, out _, out double deltaNG);
            return deltaNG;
        }

        return SpecialFunctions.Digamma(n + 1) + 1 + ((n + 1) * Alternating(n + 1)) - (n * Alternating(n));

        static double Alternating(long m)
        {
            double sign = (m & 1) == 0 ? 0.5 : -0.5;
            return sign * (SpecialFunctions.Digamma((m + 1) / 2.0) - SpecialFunctions.Digamma(m / 2.0));
        }
    }

    private static double[] Build(Func<long, double> f)
    {
        var table = new double[Limit + 1];
        for (int n = 0; n <= Limit; n++)
        {
            table[n] = f(n);
        }

        return table;
    }
}
