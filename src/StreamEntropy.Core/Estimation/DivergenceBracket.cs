using StreamEntropy.Core.Numerics;

namespace StreamEntropy.Core.Estimation;

/// <summary>Certified brackets around the Jensen–Shannon divergence and the total variation distance of a current
/// distribution from a reference, when one or both are only known through bounded summaries (<see cref="CountIntervals"/>).</summary>
/// <param name="JensenShannonLower">A guaranteed lower bound on the exact JS divergence, nats.</param>
/// <param name="JensenShannonUpper">A guaranteed upper bound on the exact JS divergence, nats (at most ln 2).</param>
/// <param name="TotalVariationLower">A guaranteed lower bound on the exact total variation ½ Σ |p − q|.</param>
/// <param name="TotalVariationUpper">A guaranteed upper bound on the exact total variation (at most 1).</param>
/// <param name="Buckets">The bins compared: the keys tracked on either side, plus one for the rest.</param>
/// <param name="CurrentRestShare">The share of the current window not certainly on a tracked key, 1 − Σ lower / N.</param>
/// <param name="ReferenceRestShare">The same for the reference.</param>
/// <remarks>
/// <para><b>Bins.</b> U is the set of keys tracked by either side; every other key goes into one bin, "rest". On a side
/// that does not track a key of U, its count is in [0, m] (m that side's untracked bound; 0 when exact).</para>
/// <para><b>Lower bound.</b> Both divergences are f-divergences, Σᵥ g(pᵥ, qᵥ) with g jointly convex and
/// 1-homogeneous. Merging bins can only lower such a divergence (data-processing inequality), so the divergence of the
/// coarse distributions over U ∪ {rest} is at most the exact one. The coarse shares are not known exactly either: each
/// lies in an interval (the rest's from the sums of the bounds), and g is smallest over a box at the corner nearest the
/// diagonal p = q (0 when the intervals overlap), because g grows as p and q move apart. The sum of these per-bin
/// minima is at most the coarse divergence of the true counts, hence at most the exact divergence.</para>
/// <para><b>Upper bound.</b> Split each tracked count into its certain part lᵢ and the uncertain rest nᵢ − lᵢ. g is
/// subadditive (convex and 1-homogeneous), so the exact divergence is at most Σ_U g(lᵖ/Nₚ, lᑫ/N_q) plus the divergence
/// of the leftover pieces, whose masses add up to R_p = 1 − Σ lᵖ/Nₚ and R_q = 1 − Σ lᑫ/N_q. Each leftover term is at
/// most c·(a + b), reached when the two sides put their leftovers on different values: c = ½ for total variation and
/// c = ½ ln 2 for JS (g_JS(a, b) ≤ ½ ln 2 · |a − b|). So TV ≤ ½ Σ_U |lᵖ − lᑫ| + ½(R_p + R_q), which with exact counts is
/// the coarse TV + min(R_p, R_q); JS ≤ Σ_U g(lᵖ, lᑫ) + ½ ln 2 (R_p + R_q), which with exact counts is the coarse JS −
/// g(R_p, R_q) + ½ ln 2 (R_p + R_q).</para>
/// <para><b>SpaceSaving's overestimate.</b> A tracked count c with error e means n ∈ [c − e, c]. The lower bound takes the
/// nearest corner of each box, so an error only lowers it where the intervals of the two sides come to overlap; the
/// upper bound counts every error as leftover mass, so it rises by at most c·Σe/N on each side. With exact counts on
/// both sides and every key tracked the two bounds meet at the exact value.</para>
/// <para>The keys are 64-bit value hashes: a collision merges two values, which can only lower the divergence, so the
/// lower bound holds for the values too. Rounding is covered by moving both bounds outward by 1e-10 + 1e-12·|bound|.</para>
/// </remarks>
public readonly record struct DivergenceBracket(
    double JensenShannonLower,
    double JensenShannonUpper,
    double TotalVariationLower,
    double TotalVariationUpper,
    int Buckets,
    double CurrentRestShare,
    double ReferenceRestShare)
{
    private static readonly double HalfLn2 = 0.5 * Math.Log(2);

    /// <summary>Gets the bracket when either side is empty: NaN throughout.</summary>
    public static DivergenceBracket Empty { get; } = new(double.NaN, double.NaN, double.NaN, double.NaN, 0, double.NaN, double.NaN);

    /// <summary>Brackets the JS divergence and total variation of <paramref name="current"/> from <paramref name="reference"/>.</summary>
    /// <remarks>O(tracked keys of both sides); allocates the union of the keys.</remarks>
    public static DivergenceBracket Compute(CountIntervals current, CountIntervals reference)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(reference);
        if (current.Total == 0 || reference.Total == 0)
        {
            return Empty;
        }

        int capacity = current.Keys.Length + reference.Keys.Length;
        var ids = new Dictionary<ulong, int>(capacity);
        long[] pLow = new long[capacity];
        long[] pHigh = new long[capacity];
        long[] qLow = new long[capacity];
        long[] qHigh = new long[capacity];
        ReadOnlySpan<ulong> keys = current.Keys;
        for (int i = 0; i < keys.Length; i++)
        {
            ids.Add(keys[i], i);
            pLow[i] = current.Lower[i];
            pHigh[i] = current.Upper[i];
            qHigh[i] = reference.UntrackedBound; // untracked there unless found below
        }

        keys = reference.Keys;
        for (int j = 0; j < keys.Length; j++)
        {
            if (!ids.TryGetValue(keys[j], out int id))
            {
                id = ids.Count;
                ids.Add(keys[j], id);
                pHigh[id] = current.UntrackedBound;
            }

            qLow[id] = reference.Lower[j];
            qHigh[id] = reference.Upper[j];
        }

        double nP = current.Total;
        double nQ = reference.Total;
        var jsLower = default(NeumaierSum);
        var jsUpper = default(NeumaierSum);
        var tvLower = default(NeumaierSum);
        var tvUpper = default(NeumaierSum);
        long sumPLow = 0;
        long sumQLow = 0;
        double sumPHigh = 0;
        double sumQHigh = 0;
        int n = ids.Count;
        for (int id = 0; id < n; id++)
        {
            (double a, double b) = Nearest(pLow[id] / nP, pHigh[id] / nP, qLow[id] / nQ, qHigh[id] / nQ);
            jsLower.Add(G(a, b));
            tvLower.Add(Math.Abs(a - b));
            double p = pLow[id] / nP;
            double q = qLow[id] / nQ;
            jsUpper.Add(G(p, q));
            tvUpper.Add(Math.Abs(p - q));
            sumPLow += pLow[id];
            sumQLow += qLow[id];
            sumPHigh += pHigh[id];
            sumQHigh += qHigh[id];
        }

        double restP = (current.Total - sumPLow) / nP;
        double restQ = (reference.Total - sumQLow) / nQ;
        (double ra, double rb) = Nearest(Math.Max(0, 1 - (sumPHigh / nP)), restP, Math.Max(0, 1 - (sumQHigh / nQ)), restQ);
        jsLower.Add(G(ra, rb));
        tvLower.Add(Math.Abs(ra - rb));
        jsUpper.Add(HalfLn2 * (restP + restQ));
        tvUpper.Add(restP + restQ);

        double ln2 = Math.Log(2);
        (double jsLow, double jsHigh) = Widen(jsLower.Value, jsUpper.Value, ln2);
        (double tvLow, double tvHigh) = Widen(0.5 * tvLower.Value, 0.5 * tvUpper.Value, 1);
        return new DivergenceBracket(jsLow, jsHigh, tvLow, tvHigh, n + 1, restP, restQ);
    }

    /// <summary>Gets whether <paramref name="jensenShannon"/> and <paramref name="totalVariation"/> both lie in their brackets.</summary>
    public bool Contains(double jensenShannon, double totalVariation) =>
        jensenShannon >= JensenShannonLower && jensenShannon <= JensenShannonUpper
        && totalVariation >= TotalVariationLower && totalVariation <= TotalVariationUpper;

    // The point of the box [pLow, pHigh] × [qLow, qHigh] nearest the diagonal p = q, where every f-divergence term is
    // smallest (a point of the diagonal when the intervals overlap).
    private static (double P, double Q) Nearest(double pLow, double pHigh, double qLow, double qHigh) =>
        pHigh < qLow ? (pHigh, qLow) : qHigh < pLow ? (pLow, qHigh) : (0, 0);

    // One Jensen–Shannon term, ½ p ln(p/m) + ½ q ln(q/m) with m = (p + q)/2, as Divergences.Compute sums it.
    private static double G(double p, double q)
    {
        double m = 0.5 * (p + q);
        double g = 0;
        if (p > 0)
        {
            g += 0.5 * p * Math.Log(p / m);
        }

        if (q > 0)
        {
            g += 0.5 * q * Math.Log(q / m);
        }

        return g;
    }

    private static (double Lower, double Upper) Widen(double lower, double upper, double max)
    {
        double low = Math.Clamp(lower - (1e-10 + (1e-12 * Math.Abs(lower))), 0, max);
        double high = Math.Min(upper + 1e-10 + (1e-12 * Math.Abs(upper)), max + 1e-10); // the exact sum may round a hair over max
        return (low, Math.Max(low, high));
    }
}
