using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>Window snapshots as published at one moment (immutable; shared with HTTP, metrics and the live view).</summary>
/// <param name="PublishedAt">When they were published.</param>
/// <param name="Windows">One snapshot per window (current or just closed).</param>
/// <param name="Processed">Events counted so far by this worker.</param>
/// <param name="Rejected">Events dead-lettered so far.</param>
/// <param name="MissingTotals">Per field name, accepted events without it since the process started.</param>
/// <param name="Drift">The latest drift report of each scored window.</param>
/// <param name="ActiveAlerts">The alerts raised now.</param>
/// <param name="RecentAlerts">The latest raises and clears, newest last (bounded).</param>
public sealed record PublishedSnapshot(
    DateTimeOffset PublishedAt,
    IReadOnlyList<WindowSnapshot> Windows,
    long Processed,
    long Rejected,
    IReadOnlyDictionary<string, long> MissingTotals,
    IReadOnlyList<DriftReport> Drift,
    IReadOnlyList<AlertEvent> ActiveAlerts,
    IReadOnlyList<AlertEvent> RecentAlerts)
{
    /// <summary>Gets where the reference of each scored window (in Group mode: of each subject scored here) came from.</summary>
    public IReadOnlyList<DriftReference> References { get; init; } = [];

    /// <summary>Gets how many leaf values discovery refused since the process started (a rule's MaxFields reached, a
    /// path too long, a name taken).</summary>
    public long DiscoveryDropped { get; init; }
}
