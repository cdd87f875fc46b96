namespace StreamEntropy.Kafka.Pipeline;

/// <summary>How instances of one consumer group share the work.</summary>
/// <param name="StateTopic">The compacted topic of per-partition states (key <c>group/topic/partition</c>).</param>
/// <param name="PartialsTopic">The compacted topic of per-partition partial counts, read back by the group: the owner
/// of each of its partitions publishes the global records of the windows, fields and pairs hashed to it.</param>
public sealed record ScaleOutSettings(string StateTopic, string PartialsTopic);
