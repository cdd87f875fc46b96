using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Numerics;

namespace StreamEntropy.Core.Estimation;

/// <summary>The G-test of homogeneity of two samples over one id space: did both come from the same distribution?</summary>
/// <param name="Statistic">G = 2 Σ O ln(O / E) over the value × {current, reference} contingency table, which equals
/// 2N·I(X;W) in nats, N being both samples together and W which sample an observation came from.</param>
/// <param name="DegreesOfFreedom">(K − 1)(2 − 1) = K − 1, K being the number of values seen in either sample.</param>
/// <param name="PValue">P(χ²(df) ≥ G) under homogeneity; 1 when df = 0; underflows to 0 for large G.</param>
/// <param name="Log10PValue">log₁₀ of the p-value, finite even where the p-value underflows; 0 when df = 0.</param>
/// <remarks>The χ² approximation wants most expected counts E ≥ 5; with many rare values the p-value is only
/// indicative. With very large samples any real difference, however small, becomes significant: pair the p-value with
/// an effect size such as PSI or Jensen–Shannon.</remarks>
public readonly record struct GTest(double Statistic, int DegreesOfFreedom, double PValue, double Log10PValue)
{
    /// <summary>Tests whether <paramref name="current"/> and <paramref name="reference"/> share one distribution.</summary>
    /// <param name="current">Counts of the current window.</param>
    /// <param name="reference">Counts of the reference, indexed by the same ids.</param>
    /// <returns>The test; all NaN (df 0) when either table is empty.</returns>
    public static GTest Homogeneity(CountTable current, CountTable reference)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(reference);
        if (current.Total == 0 || reference.Total == 0)
        {
            return new GTest(double.NaN, 0, double.NaN, double.NaN);
        }

        CountSpan c = current.Counts;
        CountSpan r = reference.Counts;
        double total = (double)current.Total + reference.Total;
        // E = row · column / N, so O ln(O/E) = O (ln O − ln row + ln(N / column)).
        double logCurrentShare = Math.Log(total / current.Total);
        double logReferenceShare = Math.Log(total / reference.Total);
        var sum = new NeumaierSum(0);
        int distinct = 0;
        int length = Math.Max(c.Length, r.Length);
        for (int id = 0; id < length; id++)
        {
            double cn = id < c.Length ? c[id] : 0;
            double rn = id < r.Length ? r[id] : 0;
            if (cn == 0 && rn == 0)
            {
                continue;
            }

            distinct++;
            double logRow = Math.Log(cn + rn);
            if (cn > 0)
            {
                sum.Add(cn * (Math.Log(cn) - logRow + logCurrentShare));
            }

            if (rn > 0)
            {
                sum.Add(rn * (Math.Log(rn) - logRow + logReferenceShare));
            }
        }

        double g = Math.Max(0, 2 * sum.Value); // each cell's term can be negative; the total cannot, up to rounding
        int df = distinct - 1;
        if (df == 0)
        {
            return new GTest(g, 0, 1, 0);
        }

        return new GTest(g, df, ChiSquared.SurvivalProbability(g, df), ChiSquared.Log10SurvivalProbability(g, df));
    }
}
