namespace StreamEntropy.TestSupport;

/// <summary>Deliberately naive reference implementations, written from the textbook definitions and independent of the
/// product code, for every test project to check the product against.</summary>
internal static class Naive
{
    /// <summary>The Euler–Mascheroni constant γ (OEIS A001620).</summary>
    public const double EulerGamma = 0.57721566490153286060651209008240243;

    public const double Ln2 = 0.69314718055994530941723212145817657;

    private const int GrassbergerTableLength = 1 << 16;
    private static readonly Lazy<double[]> GrassbergerTable = new(BuildGrassberger);

    /// <summary>Counts the values with a dictionary.</summary>
    public static Dictionary<T, long> Count<T>(IEnumerable<T> values)
        where T : notnull
    {
        var counts = new Dictionary<T, long>();
        foreach (T v in values)
        {
            counts[v] = counts.GetValueOrDefault(v) + 1;
        }

        return counts;
    }

    /// <summary>The non-zero counts of a count vector.</summary>
    public static long[] NonZero(IEnumerable<long> counts) => [.. counts.Where(c => c > 0)];

    /// <summary>−Σ p ln p over non-zero counts, in nats.</summary>
    public static double PlugIn(IEnumerable<long> counts)
    {
        long[] c = NonZero(counts);
        double n = c.Sum();
        double h = 0;
        foreach (long x in c)
        {
            double p = x / n;
            h -= p * Math.Log(p);
        }

        return h;
    }

    /// <summary>The plug-in entropy of the values in bits.</summary>
    public static double Bits<T>(IEnumerable<T> values)
        where T : notnull => PlugIn(Count(values).Values) / Math.Log(2);

    /// <summary>Σ n ln n over non-zero counts.</summary>
    public static double SumNLogN(IEnumerable<long> counts) => NonZero(counts).Sum(n => n * Math.Log(n));

    /// <summary>Σ n ln² n over non-zero counts.</summary>
    public static double SumNLog2N(IEnumerable<long> counts) => NonZero(counts).Sum(n => n * Math.Log(n) * Math.Log(n));

    /// <summary>Σ n G(n) over non-zero counts.</summary>
    public static double SumNG(IEnumerable<long> counts) => NonZero(counts).Sum(n => n * Grassberger(n));

    /// <summary>ψ(<paramref name="twice"/> / 2) for a positive integer or half-integer, from ψ(1) = −γ,
    /// ψ(1/2) = −γ − 2 ln 2 and the recurrence ψ(x + 1) = ψ(x) + 1/x.</summary>
    public static double DigammaOfHalf(int twice)
    {
        double x = (twice & 1) == 0 ? 1 : 0.5;
        double psi = (twice & 1) == 0 ? -EulerGamma : -EulerGamma - (2 * Ln2);
        while (2 * x < twice)
        {
            psi += 1 / x;
            x += 1;
        }

        return psi;
    }

    /// <summary>Grassberger's G(n) from its closed form G(2m) = G(2m+1) = −γ − ln 2 + Σ_{k=1..m} 2/(2k−1) (Grassberger 2003).</summary>
    public static double Grassberger(long n)
    {
        if (n < 1 || n >= GrassbergerTableLength)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "Outside the reference table.");
        }

        return GrassbergerTable.Value[n];
    }

    /// <summary>The entropy in nats by the estimator of that name (<c>ml</c>, <c>miller-madow</c>, <c>chao-shen</c>,
    /// <c>grassberger</c>, <c>shrink</c>), each computed directly from its definition, one term per value; NaN without
    /// counts.</summary>
    public static double Entropy(IEnumerable<long> counts, string estimator)
    {
        long[] c = NonZero(counts);
        if (c.Length == 0)
        {
            return double.NaN;
        }

        long n = c.Sum();
        int k = c.Length;
        return estimator switch
        {
            "ml" => PlugIn(c),
            "miller-madow" => PlugIn(c) + ((k - 1) / (2.0 * n)),
            "grassberger" => Math.Log(n) - (c.Sum(x => x * Grassberger(x)) / n),
            "chao-shen" => ChaoShen(c),
            "shrink" => Shrink(c),
            _ => throw new ArgumentOutOfRangeException(nameof(estimator), estimator, "unknown estimator"),
        };
    }

    /// <summary>Chao &amp; Shen (2003) as in the R package 'entropy' (entropy.ChaoShen).</summary>
    public static double ChaoShen(long[] c)
    {
        long n = c.Sum();
        long f1 = c.Count(x => x == 1);
        if (f1 == n)
        {
            f1 = n - 1;
        }

        double coverage = 1 - ((double)f1 / n);
        double h = 0;
        foreach (long x in c)
        {
            double pa = coverage * x / n;
            double seen = 1 - Math.Pow(1 - pa, n);
            h -= pa * Math.Log(pa) / seen;
        }

        return h;
    }

    /// <summary>Hausser &amp; Strimmer (2009) James–Stein shrinkage toward uniform over the K observed values.</summary>
    public static double Shrink(long[] c)
    {
        long n = c.Sum();
        int k = c.Length;
        double t = 1.0 / k;
        double sumU2 = 0;
        double msp = 0;
        foreach (long x in c)
        {
            double u = (double)x / n;
            sumU2 += u * u;
            msp += (t - u) * (t - u);
        }

        double lambda = n <= 1 || msp == 0 ? 1 : (1 - sumU2) / ((n - 1) * msp);
        lambda = Math.Min(1, Math.Max(0, lambda));
        double h = 0;
        foreach (long x in c)
        {
            double p = (lambda * t) + ((1 - lambda) * x / n);
            h -= p * Math.Log(p);
        }

        return h;
    }

    /// <summary>sqrt((Σ p ln² p − H²)/N).</summary>
    public static double StandardError(IEnumerable<long> counts)
    {
        long[] c = NonZero(counts);
        double n = c.Sum();
        double h = PlugIn(c);
        double m2 = 0;
        foreach (long x in c)
        {
            double p = x / n;
            m2 += p * Math.Log(p) * Math.Log(p);
        }

        return Math.Sqrt(Math.Max(0, m2 - (h * h)) / n);
    }

    private static double[] BuildGrassberger()
    {
        var g = new double[GrassbergerTableLength];
        // Kahan-compensated running sum of 2/(2k−1).
        double sum = -EulerGamma - Ln2;
        double compensation = 0;
        g[0] = double.NaN;
        for (int n = 1; n < GrassbergerTableLength; n++)
        {
            if ((n & 1) == 0)
            {
                int m = n / 2;
                double y = (2.0 / ((2 * m) - 1)) - compensation;
                double t = sum + y;
                compensation = (t - sum) - y;
                sum = t;
            }

            g[n] = sum;
        }

        return g;
    }

    /// <summary>The plug-in I(X;Y) of paired observations in nats, Σ p(x,y) ln(p(x,y) / (p(x) p(y))), with dictionaries.</summary>
    public static double MutualInformation<TX, TY>(IReadOnlyList<(TX X, TY Y)> pairs)
        where TX : notnull
        where TY : notnull => MutualInformationMoments(pairs).Mean;

    /// <summary>The delta-method standard error of the plug-in I(X;Y), sqrt((Σ p ln² r − I²) / N) with
    /// r = p(x,y) / (p(x) p(y)), written as the textbook difference of moments.</summary>
    public static double MutualInformationStandardError<TX, TY>(IReadOnlyList<(TX X, TY Y)> pairs)
        where TX : notnull
        where TY : notnull
    {
        (double mean, double second) = MutualInformationMoments(pairs);
        return Math.Sqrt(Math.Max(0, second - (mean * mean)) / pairs.Count);
    }

    private static (double Mean, double Second) MutualInformationMoments<TX, TY>(IReadOnlyList<(TX X, TY Y)> pairs)
        where TX : notnull
        where TY : notnull
    {
        Dictionary<(TX, TY), long> joint = Count(pairs);
        Dictionary<TX, long> xs = Count(pairs.Select(p => p.X));
        Dictionary<TY, long> ys = Count(pairs.Select(p => p.Y));
        double n = pairs.Count;
        double mean = 0;
        double second = 0;
        foreach (((TX x, TY y), long c) in joint)
        {
            double p = c / n;
            double logRatio = Math.Log(p / (xs[x] / n * (ys[y] / n)));
            mean += p * logRatio;
            second += p * logRatio * logRatio;
        }

        return (mean, second);
    }
}
