using StreamEntropy.Streaming.Engine;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>How instances of one consumer group share the work.</summary>
/// <param name="StateTopic">The compacted topic of per-partition states (key <c>group/topic/partition</c>).</param>
/// <param name="PartialsTopic">The compacted topic of per-partition partial counts, read back by the group: the owner
/// of each of its partitions publishes the global records of the windows, fields and pairs hashed to it.</param>
public sealed record ScaleOutSettings(string StateTopic, string PartialsTopic)
{
    /// <summary>Gets the drift scoring of merged closed tumbling windows, done by the owner of each (window, subject);
    /// null for none. (The per-partition engines never score drift in this mode.)</summary>
    public DriftSettings? Drift { get; init; }

    /// <summary>Gets how many later tumbling windows may exist before a merged window closes without a partition that
    /// has not passed it (idle or far behind), and how many closed windows are kept per subject.</summary>
    public int MaxLagWindows { get; init; } = 3;
}
