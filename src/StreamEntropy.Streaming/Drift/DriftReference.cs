namespace StreamEntropy.Streaming.Drift;

/// <summary>Describes the reference a window (or, in Group mode, one subject of a window) is scored against.</summary>
/// <param name="Window">The window's name.</param>
/// <param name="Subject">The field name or pair key, when references are kept per subject (Group mode); else null.</param>
/// <param name="Origin">A baseline file or a captured window.</param>
/// <param name="Events">The events the reference holds.</param>
/// <param name="CapturedStartMs">For a captured window: its start, Unix milliseconds; else null.</param>
/// <param name="CapturedEndMs">For a captured window: its end (exclusive), Unix milliseconds; else null.</param>
/// <param name="BaselineSource">For a baseline file: the source it names (may be null).</param>
public sealed record DriftReference(
    string Window,
    string? Subject,
    ReferenceOrigin Origin,
    long Events,
    long? CapturedStartMs,
    long? CapturedEndMs,
    string? BaselineSource)
{
    /// <summary>Gets the thresholds the rules apply to the window now and where each came from (configured, or
    /// calibrated from the reference: <see cref="AutoThreshold"/>); empty in Group mode.</summary>
    public IReadOnlyList<ThresholdInForce> Thresholds { get; init; } = [];
}
