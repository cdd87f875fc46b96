using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>What a partition mode has to publish.</summary>
/// <param name="Records">The windows to produce output records of.</param>
/// <param name="View">The windows this process shows (<see cref="PublishedSnapshot.Windows"/>).</param>
/// <param name="Alerts">The alerts raised or cleared since the last publication, oldest first.</param>
internal sealed record Publication(IReadOnlyList<WindowSnapshot> Records, IReadOnlyList<WindowSnapshot> View, IReadOnlyList<AlertEvent> Alerts)
{
    /// <summary>Gets a publication of nothing.</summary>
    public static Publication None { get; } = new([], [], []);
}
