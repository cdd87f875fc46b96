using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Streaming.Drift;

/// <summary>How far one distribution (a field's, or a pair's joint) has moved from its reference; information in nats.</summary>
/// <param name="Name">The field's name, or the pair's key <c>x,y</c> for a joint distribution.</param>
/// <param name="CurrentCount">The values counted in the current window.</param>
/// <param name="ReferenceCount">The values counted in the reference.</param>
/// <param name="CurrentEntropy">H of the current window by the chosen estimator.</param>
/// <param name="ReferenceEntropy">H of the reference by the same estimator.</param>
/// <param name="CurrentStandardError">The plug-in standard error of <paramref name="CurrentEntropy"/>.</param>
/// <param name="ReferenceStandardError">The plug-in standard error of <paramref name="ReferenceEntropy"/>.</param>
/// <param name="Divergences">KL(current‖reference), Jensen–Shannon and PSI.</param>
/// <param name="GTest">The G-test of homogeneity of current and reference.</param>
public sealed record FieldDrift(
    string Name,
    long CurrentCount,
    long ReferenceCount,
    double CurrentEntropy,
    double ReferenceEntropy,
    double CurrentStandardError,
    double ReferenceStandardError,
    Divergences Divergences,
    GTest GTest)
{
    /// <summary>Gets H_current − H_reference.</summary>
    public double EntropyChange => CurrentEntropy - ReferenceEntropy;

    /// <summary>Gets the entropy change in standard errors, (H_cur − H_ref) / √(SE_cur² + SE_ref²).</summary>
    /// <remarks>±∞ when the entropies differ but both standard errors are 0 (the plug-in standard error vanishes for a
    /// uniform or single-valued distribution); 0 when they are equal; NaN when either side is empty. The standard
    /// errors shrink as 1/√N, so on large windows even a negligible change is many standard errors.</remarks>
    public double EntropyChangeStandardErrors
    {
        get
        {
            double change = EntropyChange;
            double se = Math.Sqrt((CurrentStandardError * CurrentStandardError) + (ReferenceStandardError * ReferenceStandardError));
            if (double.IsNaN(change) || double.IsNaN(se))
            {
                return double.NaN;
            }

            if (change == 0)
            {
                return 0;
            }

            return se > 0 ? change / se : (change > 0 ? double.PositiveInfinity : double.NegativeInfinity);
        }
    }

    /// <summary>Gets −log₁₀ of the G-test's p-value (6 means p = 1e-6); NaN when either side is empty.</summary>
    public double GTestSignificance => GTest.Log10PValue == 0 ? 0 : -GTest.Log10PValue;

    /// <summary>Gets −log₁₀ of the G-test's p-value after the Benjamini–Hochberg adjustment over every field (or every
    /// pair's joint distribution) scored at the same window close; NaN when not adjusted (Group mode, a single
    /// distribution scored on its own) or when <see cref="GTestSignificance"/> is NaN.</summary>
    /// <remarks>At most <see cref="GTestSignificance"/>: the adjusted p is at least the raw one.</remarks>
    public double AdjustedGTestSignificance { get; init; } = double.NaN;

    /// <summary>Gets the certified brackets around the Jensen–Shannon divergence and the total variation, for a field with
    /// a MaxDistinct budget whose window or reference went over the budget; null when the scores are exact.</summary>
    /// <remarks>When set, every point score (divergences, entropies, G-test) is NaN: only the brackets are certain.
    /// The metrics <c>js</c> and <c>tv</c> then read the lower bounds (<see cref="DriftMetrics.Read(FieldDrift, string)"/>).</remarks>
    public DivergenceBracket? Bounds { get; init; }
}
