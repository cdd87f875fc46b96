using System.Globalization;

namespace StreamEntropy.Streaming.Drift;

/// <summary>When to raise and when to clear an alert on one drift metric.</summary>
/// <param name="Name">The rule's name, unique among the rules; appears in alert records.</param>
/// <param name="Metric">The metric, one of <see cref="DriftMetrics.All"/>.</param>
/// <param name="Threshold">The alert is raised when the metric is ≥ this for <see cref="RaiseAfter"/> consecutive
/// closed windows (and the significance gate, if any, holds in each of them).</param>
/// <remarks>
/// A rule is evaluated separately for every (window, field) or (window, pair) it applies to. Between raise and clear
/// there is a dead band (hysteresis): a raised alert clears only once the metric is below
/// <see cref="EffectiveClearThreshold"/> for <see cref="ClearAfter"/> consecutive windows, so a metric hovering near the
/// threshold cannot make the alert flap. A window where the metric is undefined (an empty side) breaks both streaks.
/// </remarks>
public sealed record AlertRule(string Name, string Metric, double Threshold)
{
    /// <summary>Gets the number of consecutive windows at or above the threshold that raises the alert.</summary>
    /// <value>The default is 2.</value>
    public int RaiseAfter { get; init; } = 2;

    /// <summary>Gets the level the metric must fall below to count toward clearing; null means half the threshold.</summary>
    public double? ClearThreshold { get; init; }

    /// <summary>Gets the number of consecutive windows below the clear threshold that clears the alert.</summary>
    /// <value>The default is 2.</value>
    public int ClearAfter { get; init; } = 2;

    /// <summary>Gets the only field name (or pair key <c>x,y</c>) the rule applies to; null for all.</summary>
    public string? Subject { get; init; }

    /// <summary>Gets the only window the rule applies to; null for all.</summary>
    public string? Window { get; init; }

    /// <summary>Gets a significance gate: when set, a window counts toward raising only if also the G-test's −log₁₀ p
    /// (of the field, or of the pair's joint distribution) is at least this. Null for no gate.</summary>
    /// <remarks>The gate keeps an effect-size metric such as PSI from raising on sampling noise in small windows or
    /// sparse fields, where PSI is inflated by the ε of empty cells; the effect size keeps a huge window from raising
    /// on a difference that is significant but too small to matter.</remarks>
    public double? MinimumSignificance { get; init; }

    /// <summary>The default <see cref="FalseDiscoveryRate"/>, 0.05.</summary>
    public const double DefaultFalseDiscoveryRate = 0.05;

    /// <summary>Gets the false-discovery rate q at which the significance gate is corrected for the many subjects
    /// scored at once; 0 or null for no correction (each subject's p-value gated on its own).</summary>
    /// <value>The default is <see cref="DefaultFalseDiscoveryRate"/>.</value>
    /// <remarks>
    /// <para>Applies to a rule with a gate (<see cref="MinimumSignificance"/>) only: a rule without one has no p-value
    /// to adjust. When a window configuration closes a window, the G-test p-values of all its scored fields (for a field
    /// metric) or of all its scored pairs' joint distributions (for a pair metric) are one family; they are adjusted
    /// together by Benjamini–Hochberg, and the gate holds when the adjusted p is at most both q and
    /// 10^−<see cref="MinimumSignificance"/> (so <c>MinimumSignificance = 0</c> gives Benjamini–Hochberg at q alone).
    /// The adjusted p is never below the raw one, so the correction only ever removes windows from a raise streak.
    /// The family is every scored subject of the close, also for a rule limited to one <see cref="Subject"/>.</para>
    /// <para>In Group mode each subject's merged window is scored on its own as it closes: a family of one, so the
    /// correction changes nothing there.</para>
    /// </remarks>
    public double? FalseDiscoveryRate { get; init; } = DefaultFalseDiscoveryRate;

    /// <summary>Gets whether the gate is applied to Benjamini–Hochberg adjusted p-values.</summary>
    internal bool ControlsFalseDiscoveries => MinimumSignificance is not null && FalseDiscoveryRate is > 0;

    /// <summary>Gets the −log₁₀ p the gate requires: <see cref="MinimumSignificance"/>, raised to −log₁₀ q when the
    /// false-discovery rate is controlled; null for no gate.</summary>
    internal double? GateSignificance => MinimumSignificance is double gate && ControlsFalseDiscoveries
        ? Math.Max(gate, -Math.Log10(FalseDiscoveryRate!.Value))
        : MinimumSignificance;

    /// <summary>Gets the calibration of the threshold from the reference (<c>Threshold: "auto"</c>); null for the
    /// configured <see cref="Threshold"/>.</summary>
    /// <remarks>With one, <see cref="Threshold"/> (and <see cref="EffectiveClearThreshold"/>) is the fallback for subjects
    /// that cannot be calibrated, and the clear threshold of a calibrated subject is half its calibrated threshold unless
    /// <see cref="ClearThreshold"/> is set. See <see cref="AutoThreshold"/>.</remarks>
    public AutoThreshold? Auto { get; init; }

    /// <summary>Gets the clear threshold in effect.</summary>
    public double EffectiveClearThreshold => ClearThreshold ?? (Threshold / 2);

    /// <summary>The rules used when the configuration names none; they raise no alert on a stationary stream and
    /// raise within two windows on a meaningful change of a field's distribution.</summary>
    /// <remarks>
    /// <para>Measured with a 1M-event reference drawn independently of the stream (DriftCalibrationTests and
    /// DriftScenarioTests): a 12-value Zipf-like field in which one value has a 10 % share, a 6-value field that depends
    /// on it, a sparse 500-value Zipf field, and the first two as a pair; windows of 1k, 10k and 100k events.</para>
    /// <para><c>field-psi</c>: PSI ≥ 0.1 in 2 consecutive windows, each also with G-test −log₁₀ p ≥ 6; clears after 2
    /// windows with PSI &lt; 0.05. 0.1 is the customary "moderate shift" level of PSI. Without a change PSI is about
    /// (K − 1)/N_window: on the 12-value field its maximum over 2000 windows of 1k events was 0.036 (0.0024 over 500
    /// windows of 10k). Moving one value's share from 10 % to 30 % gives PSI ≈ 0.27 at every window size and −log₁₀ p
    /// of 44–74 at 1k events (600–700 at 10k), so the first full window after the change meets both conditions and the
    /// second raises the alert. The gate is what keeps sparse fields quiet: the 500-value field has PSI 0.30–0.45 in
    /// EVERY 1k-event window without any change (empty cells, each replaced by ε, add up), while its −log₁₀ p stayed
    /// below 1.6. The G-test's own false-alarm rate is p = 1e-6 per window and field (its largest value without
    /// change was 5.2, over 500 sparse 10k windows: the χ² approximation is a little liberal for sparse tables), and two
    /// consecutive windows are required on top. Clearing below half the threshold gives hysteresis: a field whose PSI
    /// hovers near 0.1 (the dependent 6-value field moved to 0.06–0.12 at 1k events) cannot flap.</para>
    /// <para><c>pair-mi</c>: |ΔI(X;Y)| ≥ 0.1 nats (≈ 0.144 bits) in 2 consecutive windows, each with the joint
    /// distribution's G-test −log₁₀ p ≥ 6; clears after 2 windows below 0.05. Mutual information from small windows is
    /// noisy even with the Miller–Madow correction: without a change |ΔI| of a 12 × 6 pair averaged 0.027 nats at 1k
    /// events (maximum 0.11 over 2000 windows) and 0.008 at 10k (maximum 0.035). A marginal shift that leaves the
    /// dependence alone moved it by 0.018 at 10k. 0.1 nats is a dependence appearing or vanishing on a scale people
    /// notice; use 0.05 with windows of 10k events or more for more sensitivity.</para>
    /// </remarks>
    public static IReadOnlyList<AlertRule> Defaults { get; } =
    [
        new AlertRule("field-psi", DriftMetrics.PopulationStability, 0.1) { ClearThreshold = 0.05, MinimumSignificance = 6 },
        new AlertRule("pair-mi", DriftMetrics.MutualInformationChange, 0.1) { ClearThreshold = 0.05, MinimumSignificance = 6 },
    ];

    /// <summary>Checks the rule on its own (uniqueness of names is checked by <see cref="AlertEvaluator"/>).</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names the rule and the setting.</exception>
    public void Validate()
    {
        if (Validate(out string setting) is { } problem)
        {
            throw new ArgumentException(problem, setting);
        }
    }

    /// <summary>Checks the rule on its own, for callers that report problems instead of catching them.</summary>
    /// <param name="setting">The offending setting; empty when there is none.</param>
    /// <returns>The problem, naming the rule and the setting; null when the rule is valid.</returns>
    public string? Validate(out string setting)
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            setting = nameof(Name);
            return "An alert rule's name is empty.";
        }

        if (!DriftMetrics.IsKnown(Metric))
        {
            setting = nameof(Metric);
            return $"Alert rule '{Name}': unknown metric '{Metric}'; use one of {string.Join(", ", DriftMetrics.All)}.";
        }

        if (!double.IsFinite(Threshold) || Threshold <= 0)
        {
            setting = nameof(Threshold);
            return Invariant($"Alert rule '{Name}': the threshold must be a finite number > 0, not {Threshold}.");
        }

        double clear = EffectiveClearThreshold;
        if (!double.IsFinite(clear) || clear < 0 || clear > Threshold)
        {
            setting = nameof(ClearThreshold);
            return Invariant($"Alert rule '{Name}': the clear threshold must be in [0, {Threshold}] (at most the threshold), not {clear}.");
        }

        if (RaiseAfter < 1)
        {
            setting = nameof(RaiseAfter);
            return $"Alert rule '{Name}': RaiseAfter must be at least 1, not {RaiseAfter}.";
        }

        if (ClearAfter < 1)
        {
            setting = nameof(ClearAfter);
            return $"Alert rule '{Name}': ClearAfter must be at least 1, not {ClearAfter}.";
        }

        if (MinimumSignificance is double gate && (!double.IsFinite(gate) || gate < 0))
        {
            setting = nameof(MinimumSignificance);
            return Invariant($"Alert rule '{Name}': MinimumSignificance must be a finite number ≥ 0, not {gate}.");
        }

        if (FalseDiscoveryRate is double q && !(q >= 0 && q < 1))
        {
            setting = nameof(FalseDiscoveryRate);
            return Invariant($"Alert rule '{Name}': FalseDiscoveryRate must be in (0, 1), or 0 for no correction, not {q}.");
        }

        if (Auto is { } auto && !(auto.K >= 0 && auto.K <= AutoThreshold.MaxK))
        {
            setting = nameof(AutoThreshold.K);
            return Invariant($"Alert rule '{Name}': the auto threshold's k must be a number from 0 to {AutoThreshold.MaxK}, not {auto.K}.");
        }

        setting = "";
        return null;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
