namespace StreamEntropy.Worker.Tests.Support;

/// <summary>Deliberately naive reference computations from the textbook definitions, independent of the product code.</summary>
internal static class Naive
{
    /// <summary>The Euler–Mascheroni constant γ (OEIS A001620).</summary>
    public const double EulerGamma = 0.57721566490153286060651209008240243;

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

    /// <summary>−Σ p ln p in nats.</summary>
    public static double PlugIn(IEnumerable<long> counts)
    {
        long[] c = [.. counts.Where(x => x > 0)];
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

    /// <summary>ψ(x) for x a positive integer or half-integer, from ψ(1) = −γ, ψ(½) = −γ − 2 ln 2 and ψ(x+1) = ψ(x) + 1/x.</summary>
    public static double DigammaHalfInteger(double x)
    {
        double twice = 2 * x;
        if (twice != Math.Floor(twice) || x <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "only positive integers and half-integers");
        }

        double y = x == Math.Floor(x) ? 1 : 0.5;
        double psi = y == 1 ? -EulerGamma : -EulerGamma - (2 * Math.Log(2));
        for (; y < x; y++)
        {
            psi += 1 / y;
        }

        return psi;
    }

    /// <summary>Entropy in nats by each estimator, from the definitions.</summary>
    public static double Entropy(IReadOnlyList<long> counts, string estimator)
    {
        long[] c = [.. counts.Where(x => x > 0)];
        double n = c.Sum();
        int k = c.Length;
        switch (estimator)
        {
            case "ml":
                return PlugIn(c);
            case "miller-madow":
                return PlugIn(c) + ((k - 1) / (2 * n));
            case "grassberger":
            {
                // Grassberger (2003): H = ln N − (1/N) Σ n G(n), G(n) = ψ(n) + ½(−1)ⁿ[ψ((n+1)/2) − ψ(n/2)].
                double sum = 0;
                foreach (long x in c)
                {
                    double sign = x % 2 == 0 ? 0.5 : -0.5;
                    double g = DigammaHalfInteger(x) + (sign * (DigammaHalfInteger((x + 1) / 2.0) - DigammaHalfInteger(x / 2.0)));
                    sum += x * g;
                }

                return Math.Log(n) - (sum / n);
            }

            case "chao-shen":
            {
                // Chao & Shen (2003): coverage C = 1 − f1/N, pa = C p, H = −Σ pa ln pa / (1 − (1 − pa)^N).
                double f1 = c.Count(x => x == 1);
                if (f1 == n)
                {
                    f1 = n - 1;
                }

                double coverage = 1 - (f1 / n);
                double h = 0;
                foreach (long x in c)
                {
                    double pa = coverage * x / n;
                    h -= pa * Math.Log(pa) / (1 - Math.Pow(1 - pa, n));
                }

                return h;
            }

            case "shrink":
            {
                // Hausser & Strimmer (2009): shrink toward uniform 1/K with
                // λ = (1 − Σ p̂²) / ((N − 1) Σ (1/K − p̂)²), clamped to [0, 1].
                double t = 1.0 / k;
                double sumSquares = c.Sum(x => (x / n) * (x / n));
                double sumDeviation = c.Sum(x => (t - (x / n)) * (t - (x / n)));
                double lambda = Math.Clamp((1 - sumSquares) / ((n - 1) * sumDeviation), 0, 1);
                double h = 0;
                foreach (long x in c)
                {
                    double p = (lambda * t) + ((1 - lambda) * x / n);
                    h -= p * Math.Log(p);
                }

                return h;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(estimator), estimator, "unknown");
        }
    }
}
