namespace StreamEntropy.Streaming.Drift;

/// <summary>The metric names alert rules may use, and how each is read from the scores.</summary>
/// <remarks>Each metric belongs to fields or to pairs. Information quantities are in nats (PSI always is). Metrics
/// that can move either way (entropy, mutual information, conditional entropy changes) are compared as absolute
/// values; G-test metrics are −log₁₀ p, so larger means more significant.</remarks>
public static class DriftMetrics
{
    /// <summary>Jensen–Shannon divergence of a field from its reference, nats (at most ln 2).</summary>
    public const string JensenShannon = "js";

    /// <summary>Total variation distance of a field from its reference, ½ Σ |p − q| (at most 1).</summary>
    public const string TotalVariation = "tv";

    /// <summary>Population stability index of a field, nats.</summary>
    public const string PopulationStability = "psi";

    /// <summary>KL(current‖reference) of a field, nats.</summary>
    public const string KullbackLeibler = "kl";

    /// <summary>|H_cur − H_ref| / √(SE_cur² + SE_ref²) of a field.</summary>
    public const string EntropyChangeStandardErrors = "entropyChangeSe";

    /// <summary>−log₁₀ p of the G-test of homogeneity of a field with its reference.</summary>
    public const string GTestSignificance = "gTestLog10P";

    /// <summary>|I_cur(X;Y) − I_ref(X;Y)| of a pair, nats.</summary>
    public const string MutualInformationChange = "miChange";

    /// <summary>|H_cur(Y|X) − H_ref(Y|X)| of a pair, nats.</summary>
    public const string ConditionalEntropyChange = "conditionalEntropyChange";

    /// <summary>Jensen–Shannon divergence of a pair's joint distribution, nats.</summary>
    public const string JointJensenShannon = "jointJs";

    /// <summary>Population stability index of a pair's joint distribution, nats.</summary>
    public const string JointPopulationStability = "jointPsi";

    /// <summary>−log₁₀ p of the G-test of homogeneity of a pair's joint distribution.</summary>
    public const string JointGTestSignificance = "jointGTestLog10P";

    /// <summary>Gets every metric name.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        JensenShannon, PopulationStability, KullbackLeibler, EntropyChangeStandardErrors, GTestSignificance,
        MutualInformationChange, ConditionalEntropyChange, JointJensenShannon, JointPopulationStability, JointGTestSignificance,
        TotalVariation,
    ];

    /// <summary>Tells whether <paramref name="metric"/> is a known name (case-sensitive).</summary>
    public static bool IsKnown(string? metric) => metric is not null && All.Contains(metric, StringComparer.Ordinal);

    /// <summary>Tells whether <paramref name="metric"/> is read from pairs (otherwise from fields).</summary>
    public static bool IsPairMetric(string metric) => metric is MutualInformationChange or ConditionalEntropyChange
        or JointJensenShannon or JointPopulationStability or JointGTestSignificance;

    /// <summary>Reads a field metric; NaN when it is undefined (an empty side).</summary>
    /// <remarks>For a budgeted field scored from a summary (<see cref="FieldDrift.Bounds"/>), <c>js</c> and <c>tv</c> read
    /// the certified lower bound, so a rule raises only on a change the summary proves (never on the width of the
    /// bracket), and every other field metric is NaN (no alert).</remarks>
    /// <exception cref="ArgumentException"><paramref name="metric"/> is not a field metric.</exception>
    public static double Read(FieldDrift drift, string metric)
    {
        ArgumentNullException.ThrowIfNull(drift);
        return metric switch
        {
            JensenShannon => drift.Bounds is { } js ? js.JensenShannonLower : drift.Divergences.JensenShannon,
            TotalVariation => drift.Bounds is { } tv ? tv.TotalVariationLower : drift.Divergences.TotalVariation,
            PopulationStability => drift.Divergences.PopulationStability,
            KullbackLeibler => drift.Divergences.KullbackLeibler,
            EntropyChangeStandardErrors => Math.Abs(drift.EntropyChangeStandardErrors),
            GTestSignificance => drift.GTestSignificance,
            _ => throw new ArgumentException($"'{metric}' is not a field metric.", nameof(metric)),
        };
    }

    /// <summary>Reads a pair metric; NaN when it is undefined (an empty side).</summary>
    /// <exception cref="ArgumentException"><paramref name="metric"/> is not a pair metric.</exception>
    public static double Read(PairDrift drift, string metric)
    {
        ArgumentNullException.ThrowIfNull(drift);
        return metric switch
        {
            MutualInformationChange => Math.Abs(drift.MutualInformationChange),
            ConditionalEntropyChange => Math.Abs(drift.ConditionalEntropyChange),
            JointJensenShannon => drift.Joint.Divergences.JensenShannon,
            JointPopulationStability => drift.Joint.Divergences.PopulationStability,
            JointGTestSignificance => drift.Joint.GTestSignificance,
            _ => throw new ArgumentException($"'{metric}' is not a pair metric.", nameof(metric)),
        };
    }
}
