namespace StreamEntropy.Kafka.State;

/// <summary>The dead-letter side of a checkpoint: for each partition of the dead-letter topic, an offset below which no
/// dead letter of an event after the checkpoint's offsets can be (every dead letter before it was acknowledged when the
/// checkpoint was written). After a crash, reading the dead-letter topic from there to its end finds the dead letters
/// the lost life already wrote for the events about to be replayed.</summary>
/// <param name="Topic">The dead-letter topic the positions belong to.</param>
/// <param name="ScanFrom">By partition of <paramref name="Topic"/>; a partition that is absent is read from its beginning.</param>
public sealed record DeadLetterProgress(string Topic, IReadOnlyDictionary<int, long> ScanFrom);
