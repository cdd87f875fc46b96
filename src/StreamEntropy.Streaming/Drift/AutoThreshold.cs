using System.Globalization;

namespace StreamEntropy.Streaming.Drift;

/// <summary>Makes an alert rule's threshold per subject from the reference: <c>Threshold: "auto"</c>.</summary>
/// <param name="K">The threshold is the mean plus <paramref name="K"/> standard deviations of the subject's null
/// distribution (its reference chunks scored against the rest).</param>
/// <remarks>
/// <para>With a rule that has one, a window configuration's reference is not its first complete window but its first
/// <see cref="DriftScoring.AutoReferenceWindows"/> complete, non-overlapping closed windows (the chunks; their sum is
/// the reference). Each chunk is scored against the sum of the others with the rule's metric (leave-one-out): the
/// scores are what the metric gives between two samples of the same stream, one window-sized, so the threshold
/// of each field or pair follows its own sampling noise (a sparse field's PSI is large without any change; a dense
/// field's is tiny). The "rest" holds one chunk fewer than the reference a window is later scored against, so the
/// null is slightly wider than the monitored one: the threshold errs on the quiet side.</para>
/// <para>Mean + k·σ rather than a quantile: with ten or so chunks an upper quantile is just the largest score, while
/// the mean and σ use all of them. σ is the sample standard deviation (n − 1). Only finite scores count (an undefined
/// score, from a chunk where the subject is empty, is left out; so is an infinite standard-error ratio).</para>
/// <para>A subject with fewer than <see cref="MinimumChunks"/> finite scores gets the rule's
/// <see cref="AlertRule.Threshold"/>, the fallback (<see cref="DefaultFallback"/> when configured as "auto"); so does a
/// subject that appeared after the reference period. The threshold is never below the rule's
/// <see cref="AlertRule.ClearThreshold"/> when one is set (else the alert could never hold), and never 0 (a subject
/// constant through the reference raises on any change, not on none).</para>
/// </remarks>
public sealed record AutoThreshold(double K = AutoThreshold.DefaultK)
{
    /// <summary>The default <see cref="K"/>, 3.</summary>
    public const double DefaultK = 3;

    /// <summary>The largest <see cref="K"/> accepted.</summary>
    public const double MaxK = 100;

    /// <summary>The fewest finite chunk scores a subject's threshold is calibrated from; with fewer, the fallback applies.</summary>
    /// <remarks>Three scores give a standard deviation from two degrees of freedom, off by a factor of two or more
    /// one time in five; four is the least that is not mostly noise.</remarks>
    public const int MinimumChunks = 4;

    /// <summary>Gets the fallback threshold of an auto rule for <paramref name="metric"/>, for subjects that cannot be
    /// calibrated: the level of the built-in rules, or its equivalent for the other metrics.</summary>
    /// <remarks>PSI and |ΔI| 0.1 (the defaults, <see cref="AlertRule.Defaults"/>); KL 0.05 and Jensen–Shannon 0.0125,
    /// what a small shift with PSI 0.1 gives (PSI ≈ 2·KL ≈ 8·JS); |ΔH(Y|X)| 0.1 nats like |ΔI|; 4 standard errors of
    /// entropy change; −log₁₀ p 6 for G-test metrics (the default gate). NaN for an unknown metric.</remarks>
    public static double DefaultFallback(string metric) => metric switch
    {
        DriftMetrics.PopulationStability or DriftMetrics.JointPopulationStability => 0.1,
        DriftMetrics.MutualInformationChange or DriftMetrics.ConditionalEntropyChange => 0.1,
        DriftMetrics.KullbackLeibler => 0.05,
        DriftMetrics.JensenShannon or DriftMetrics.JointJensenShannon => 0.0125,
        DriftMetrics.EntropyChangeStandardErrors => 4,
        DriftMetrics.GTestSignificance or DriftMetrics.JointGTestSignificance => 6,
        _ => double.NaN,
    };

    /// <summary>Computes the threshold from the finite chunk scores (at least <see cref="MinimumChunks"/>).</summary>
    internal double Calibrate(IReadOnlyList<double> scores)
    {
        double mean = 0;
        foreach (double s in scores)
        {
            mean += s;
        }

        mean /= scores.Count;
        double squares = 0;
        foreach (double s in scores)
        {
            squares += (s - mean) * (s - mean);
        }

        double threshold = mean + (K * Math.Sqrt(squares / (scores.Count - 1)));
        return threshold > 0 ? threshold : double.Epsilon;
    }

    /// <summary>Says where a calibrated threshold came from, e.g. <c>auto: mean+3σ of 10 reference chunks</c>.</summary>
    internal string Describe(int scored, int chunks) => scored >= MinimumChunks
        ? string.Create(CultureInfo.InvariantCulture, $"auto: mean+{K:R}σ of {scored} reference chunks")
        : string.Create(CultureInfo.InvariantCulture, $"auto fallback: scored in {scored} of {chunks} reference chunks (needs {MinimumChunks})");
}
