namespace StreamEntropy.Kafka.State;

/// <summary>A durable checkpoint: the engine's full state and, for each input partition, the next offset that state has not seen.</summary>
/// <param name="Offsets">Next offset to read, by (topic, partition).</param>
/// <param name="EngineState">The bytes written by <c>EntropyEngine.Save</c>.</param>
public sealed record Checkpoint(IReadOnlyDictionary<(string Topic, int Partition), long> Offsets, byte[] EngineState)
{
    /// <summary>Gets where, in the dead-letter topic, the dead letters of events after <see cref="Offsets"/> can start;
    /// null in a checkpoint of format 1 (which did not record it).</summary>
    public DeadLetterProgress? DeadLetters { get; init; }
}
