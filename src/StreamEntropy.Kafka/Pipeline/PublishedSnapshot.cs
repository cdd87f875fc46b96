using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>Window snapshots as published at one moment (immutable; shared with HTTP, metrics and the live view).</summary>
/// <param name="PublishedAt">When they were published.</param>
/// <param name="Windows">One snapshot per window (current or just closed).</param>
/// <param name="Processed">Events counted so far by this worker.</param>
/// <param name="Rejected">Events dead-lettered so far.</param>
public sealed record PublishedSnapshot(DateTimeOffset PublishedAt, IReadOnlyList<WindowSnapshot> Windows, long Processed, long Rejected);
