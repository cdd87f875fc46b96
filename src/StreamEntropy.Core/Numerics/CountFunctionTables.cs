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
    public static double FNG(long n) => n < Limit ? NG[n] : n * SpecialFunctions.Grassberger(n);

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
    /// <remarks>Uses (n+1)ψ(n+1) − nψ(n) = ψ(n+1) + 1, which follows from ψ(n+1) = ψ(n) + 1/n.</remarks>
    public static double ComputeDeltaNG(long n)
    {
        if (n == 0)
        {
            return SpecialFunctions.Grassberger(1);
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
