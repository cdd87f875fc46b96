using StreamEntropy.Streaming.Drift;

namespace StreamEntropy.Streaming.Engine;

/// <summary>How the engine scores closed windows against a reference and raises alerts.</summary>
/// <param name="Rules">The alert rules (<see cref="AlertRule.Defaults"/> when none are configured).</param>
/// <param name="Scoring">How drift is scored; null for the defaults.</param>
/// <param name="Baseline">A reference file's counts; null to take each window's first complete window as its reference.</param>
public sealed record DriftSettings(IReadOnlyList<AlertRule> Rules, DriftScoring? Scoring = null, Baseline? Baseline = null)
{
    /// <summary>Gets whether a restored state's captured references and alert states are discarded, so that the
    /// references are captured afresh from the first complete windows after the start (the saved counts are kept).</summary>
    public bool RecaptureOnStart { get; init; }
}
