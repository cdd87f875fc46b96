using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Numerics;

namespace StreamEntropy.Core.Estimation;

/// <summary>Entropy estimates, in nats, from a <see cref="CountTable"/>.</summary>
/// <remarks>Every estimator here is a symmetric function of the counts, so it is evaluated over the table's
/// fingerprint (one term per distinct count) rather than over every value. An empty table gives NaN: the
/// entropy of no observations is undefined, and reporting 0 would look like a stuck field.</remarks>
public static class EntropyEstimators
{
    /// <summary>Estimates the entropy of the counted distribution in nats.</summary>
    public static double Entropy(CountTable table, EntropyEstimator estimator)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.Total == 0)
        {
            return double.NaN;
        }

        return estimator switch
        {
            EntropyEstimator.MaximumLikelihood => PlugIn(table),
            EntropyEstimator.MillerMadow => PlugIn(table) + ((table.Distinct - 1) / (2.0 * table.Total)),
            EntropyEstimator.ChaoShen => ChaoShen(table),
            EntropyEstimator.Grassberger => Math.Log(table.Total) - (table.SumNG / table.Total),
            EntropyEstimator.Shrink => Shrink(table),
            _ => throw new ArgumentOutOfRangeException(nameof(estimator), estimator, "Unknown estimator."),
        };
    }

    /// <summary>The plug-in (maximum-likelihood) entropy ln N − S1/N in nats; NaN when empty.</summary>
    /// <remarks>Rounding can push a value a hair below 0; it is clamped there.</remarks>
    public static double PlugIn(CountTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        long n = table.Total;
        return n == 0 ? double.NaN : Math.Max(0, Math.Log(n) - (table.SumNLogN / n));
    }

    /// <summary>The standard error of the plug-in estimate, sqrt((Σ p ln² p − H²)/N), in nats; NaN when empty.</summary>
    /// <remarks>Σ p ln² p − H² is the variance of ln p under p, which is shift-invariant, so it equals the variance
    /// of ln n. It is summed in two passes over the fingerprint, Σ (n/N)(ln n − S1/N)², rather than as
    /// S2/N − (S1/N)², whose cancellation leaves noise of ~1e-8 after the square root where the variance is 0.</remarks>
    public static double StandardError(CountTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        long n = table.Total;
        if (n == 0)
        {
            return double.NaN;
        }

        double variance = table.SumOverCounts(new LogDeviationTerm(n, table.SumNLogN / n));
        return Math.Sqrt(Math.Max(0, variance) / n);
    }

    private static double ChaoShen(CountTable table)
    {
        long n = table.Total;
        long f1 = table.Singletons;
        if (f1 == n)
        {
            f1 = n - 1; // all singletons: coverage would be 0; Chao & Shen (2003) use N − 1
        }

        double coverage = 1 - ((double)f1 / n);
        return table.SumOverCounts(new ChaoShenTerm(n, coverage));
    }

    private static double Shrink(CountTable table)
    {
        long n = table.Total;
        double target = 1.0 / table.Distinct;
        double sumSquares = table.SumOverCounts(new SquareTerm(n, 0));
        double sumDeviation = table.SumOverCounts(new SquareTerm(n, target));
        double lambda = n > 1 && sumDeviation > 0 ? (1 - sumSquares) / ((n - 1) * sumDeviation) : 1;
        lambda = Math.Clamp(lambda, 0, 1);
        return table.SumOverCounts(new ShrinkTerm(n, lambda, target));
    }

    private readonly struct ChaoShenTerm(long total, double coverage) : ICountTerm
    {
        public double Evaluate(long count)
        {
            double pa = coverage * count / total;
            if (pa <= 0)
            {
                return 0;
            }

            // Horvitz–Thompson: divide by the probability that the value is seen at all in N draws.
            double inclusion = -SpecialFunctions.ExpM1(total * SpecialFunctions.Log1P(-pa));
            return -pa * Math.Log(pa) / inclusion;
        }
    }

    private readonly struct LogDeviationTerm(long total, double meanLog) : ICountTerm
    {
        public double Evaluate(long count)
        {
            double d = Math.Log(count) - meanLog;
            return (double)count / total * d * d;
        }
    }

    private readonly struct SquareTerm(long total, double target) : ICountTerm
    {
        public double Evaluate(long count)
        {
            double d = target - ((double)count / total);
            return d * d;
        }
    }

    private readonly struct ShrinkTerm(long total, double lambda, double target) : ICountTerm
    {
        public double Evaluate(long count)
        {
            double p = (lambda * target) + ((1 - lambda) * count / total);
            return p > 0 ? -p * Math.Log(p) : 0;
        }
    }
}
