using StreamEntropy.Kafka.State;
using StreamEntropy.Streaming.Engine;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>Restores engines from saved states (the checkpoint file in Standalone mode, state-topic records in Group
/// mode) and gathers what must be known before the events after them are read again: where each source partition
/// resumes, and from where the dead-letter topic holds the dead letters earlier lives wrote for those events.</summary>
/// <param name="deadLetterTopic">The dead-letter topic of this configuration; progress recorded for another is not used.</param>
internal sealed class StateRestore(string deadLetterTopic)
{
    private readonly Dictionary<(string Topic, int Partition), long> _resumeAt = [];
    private Dictionary<int, long>? _scanFrom; // the lowest position over the restored states; null: from the beginning
    private bool _everyStateHasProgress = true;

    /// <summary>Gets the next offset to read of every source partition a restored state covers.</summary>
    public IReadOnlyDictionary<(string Topic, int Partition), long> ResumeAt => _resumeAt;

    /// <summary>Gets where to start reading the dead-letter topic so as to find every dead letter of an event after
    /// <see cref="ResumeAt"/>; null to read it from the beginning (a partition without a state, or a state that did not
    /// record its progress).</summary>
    public DeadLetterProgress? DeadLetters => _everyStateHasProgress && _scanFrom is not null ? new DeadLetterProgress(deadLetterTopic, _scanFrom) : null;

    /// <summary>Restores <paramref name="engine"/> from <paramref name="checkpoint"/> and records where it resumes.</summary>
    /// <exception cref="InvalidDataException">The state belongs to another configuration or is corrupt.</exception>
    public void Restore(EntropyEngine engine, Checkpoint checkpoint)
    {
        engine.Restore(new MemoryStream(checkpoint.EngineState, writable: false));
        foreach (((string topic, int partition), long offset) in checkpoint.Offsets)
        {
            _resumeAt[(topic, partition)] = offset;
        }

        if (checkpoint.DeadLetters is { } progress && string.Equals(progress.Topic, deadLetterTopic, StringComparison.Ordinal))
        {
            _scanFrom = _scanFrom is null ? new Dictionary<int, long>(progress.ScanFrom) : Lowest(_scanFrom, progress.ScanFrom);
        }
        else
        {
            _everyStateHasProgress = false;
        }
    }

    /// <summary>Records a source partition read from its beginning: a crashed earlier owner may have dead-lettered any of it.</summary>
    public void FromBeginning() => _everyStateHasProgress = false;

    // Per partition, the lower of two positions; a partition one of them lacks is read from its beginning (absent).
    private static Dictionary<int, long> Lowest(Dictionary<int, long> a, IReadOnlyDictionary<int, long> b)
    {
        var lowest = new Dictionary<int, long>();
        foreach ((int partition, long offset) in a)
        {
            if (b.TryGetValue(partition, out long other))
            {
                lowest[partition] = Math.Min(offset, other);
            }
        }

        return lowest;
    }
}
