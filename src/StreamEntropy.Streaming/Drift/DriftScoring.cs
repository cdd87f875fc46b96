using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Streaming.Drift;

/// <summary>How drift scores are computed (estimator, epsilon, drivers, the smallest reference).</summary>
public sealed record DriftScoring
{
    /// <summary>Gets the estimator for the entropies compared (and for mutual information).</summary>
    /// <value>The default is Miller–Madow: a window of 1k events and a reference of 1M differ in plug-in bias by about
    /// (K − 1)/2000 nats, which for K in the hundreds would otherwise look like a change of many standard errors, and
    /// the plug-in mutual information of independent fields is biased up by (Kx − 1)(Ky − 1)/2N.</value>
    public EntropyEstimator Estimator { get; init; } = EntropyEstimator.MillerMadow;

    /// <summary>Gets the share used in place of zero for KL and PSI.</summary>
    /// <value>The default is <see cref="Divergences.DefaultEpsilon"/> (1e-4).</value>
    public double Epsilon { get; init; } = Divergences.DefaultEpsilon;

    /// <summary>Gets how many values of X driving a change of H(Y|X) to report per pair; 0 turns it off.</summary>
    /// <value>The default is 0. Computing them costs O(distinct pairs) per pair per window and allocates.</value>
    public int TopDrivers { get; init; }

    /// <summary>The largest <see cref="MinimumReferenceEvents"/> accepted (10⁹): more than any window is expected to hold.</summary>
    public const long MaxMinimumReferenceEvents = 1_000_000_000;

    /// <summary>Gets the fewest events a complete closed window must have to become a window's reference (when no
    /// baseline file is given).</summary>
    /// <value>The default is 1 000. The default rules need a G-test −log₁₀ p ≥ 6 as well as PSI ≥ 0.1: for small
    /// shifts G ≈ N·PSI with N = N_ref·N_win / (N_ref + N_win), and −log₁₀ p ≥ 6 takes G of about 24 (one degree of
    /// freedom) to 45 (eleven), so N of a few hundred, which a reference of fewer than about 1 000 events cannot give
    /// however large the windows are: a smaller reference makes the gate fail (no alert ever) or, without a gate,
    /// makes PSI noise (about (K − 1)/N) look like drift.</value>
    public long MinimumReferenceEvents { get; init; } = 1_000;

    /// <summary>The default <see cref="AutoReferenceWindows"/>, 10.</summary>
    public const int DefaultAutoReferenceWindows = 10;

    /// <summary>The largest <see cref="AutoReferenceWindows"/> accepted (each chunk is kept in memory until the period ends).</summary>
    public const int MaxAutoReferenceWindows = 100;

    /// <summary>Gets how many complete, non-overlapping closed windows make the reference period of a window
    /// configuration when a rule calibrates its threshold (<see cref="AlertRule.Auto"/>); without such a rule the
    /// reference is one window.</summary>
    /// <value>The default is <see cref="DefaultAutoReferenceWindows"/>: ten chunks give each subject ten leave-one-out
    /// scores (σ known to about ±25 %) while the reference period stays ten windows long.</value>
    public int AutoReferenceWindows { get; init; } = DefaultAutoReferenceWindows;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Estimator))
        {
            throw new ArgumentOutOfRangeException(nameof(Estimator), Estimator, "Unknown estimator.");
        }

        if (!(Epsilon > 0 && Epsilon < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "Epsilon must be in (0, 1).");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(TopDrivers);
        if (ValidateAutoReferenceWindows(AutoReferenceWindows) is { } windows)
        {
            throw new ArgumentOutOfRangeException(nameof(AutoReferenceWindows), AutoReferenceWindows, $"{nameof(AutoReferenceWindows)} {windows}");
        }

        if (ValidateMinimumReferenceEvents(MinimumReferenceEvents) is { } problem)
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumReferenceEvents), MinimumReferenceEvents, $"{nameof(MinimumReferenceEvents)} {problem}");
        }
    }

    /// <summary>Checks a <see cref="MinimumReferenceEvents"/> value: from 1 to <see cref="MaxMinimumReferenceEvents"/>.</summary>
    /// <returns>What is wrong, to follow the setting's name (<c>must be between 1 and 1000000000, not 0.</c>); null when valid.</returns>
    public static string? ValidateMinimumReferenceEvents(long value) =>
        value is < 1 or > MaxMinimumReferenceEvents ? $"must be between 1 and {MaxMinimumReferenceEvents}, not {value}." : null;

    /// <summary>Checks an <see cref="AutoReferenceWindows"/> value: from <see cref="AutoThreshold.MinimumChunks"/> to
    /// <see cref="MaxAutoReferenceWindows"/>.</summary>
    /// <returns>What is wrong, to follow the setting's name; null when valid.</returns>
    public static string? ValidateAutoReferenceWindows(int value) =>
        value is < AutoThreshold.MinimumChunks or > MaxAutoReferenceWindows
            ? $"must be between {AutoThreshold.MinimumChunks} and {MaxAutoReferenceWindows} (windows of the reference period an auto threshold is calibrated from), not {value}."
            : null;
}
