using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using StreamEntropy.Kafka.State;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.State;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>The only instance of its group: one engine counts every assigned partition, and one checkpoint file holds
/// its state and each partition's next offset.</summary>
/// <remarks>
/// <para>On start the checkpoint is restored and each assigned partition resumes at its checkpointed offset, so a
/// crash replays exactly the events the restored state has not seen.</para>
/// <para>A periodic save takes the engine's state and the offsets it covers on the counting thread, at one point of its
/// sequence, and frames and writes the file (SHA-256s, encoding, write, fsync, rename: longer than taking the state)
/// on a pool thread; <see cref="CompleteSave"/> reports it durable once the rename is done. One file is written at a
/// time; a final save waits for the one in flight and writes its own on the calling thread.</para>
/// </remarks>
internal sealed class StandaloneMode : IPartitionMode
{
    private readonly PipelineSettings _settings;
    private readonly Func<EntropyEngine> _engineFactory;
    private readonly CheckpointStore _checkpoints;
    private readonly ILogger _logger;
    // Each partition's next offset, in a box of its own so that counting a record updates it without hashing the
    // partition's topic (see NextOffset).
    private readonly Dictionary<TopicPartition, StrongBox<long>> _offsets = [];
    private readonly Dictionary<string, DriftReport> _drift = new(StringComparer.Ordinal);
    private readonly StateRestore _restore;
    private EntropyEngine? _engine;
    private Task<SaveOutcome>? _writing; // the checkpoint file being written off the counting thread
    private TopicPartition? _lastPartition; // the partition of the last record counted, and its next offset's box
    private StrongBox<long>? _lastNext;

    /// <param name="settings">The pipeline's settings.</param>
    /// <param name="engineFactory">Creates the engine (once, in <see cref="Prepare"/>).</param>
    /// <param name="checkpoints">The checkpoint file.</param>
    /// <param name="logger">Where restores and checkpoints are reported.</param>
    public StandaloneMode(PipelineSettings settings, Func<EntropyEngine> engineFactory, CheckpointStore checkpoints, ILogger logger)
    {
        _settings = settings;
        _engineFactory = engineFactory;
        _checkpoints = checkpoints;
        _logger = logger;
        _restore = new StateRestore(settings.DeadLetterTopic);
    }

    public IReadOnlyList<string> Topics => _settings.Topics;

    public long RestoredEvents { get; private set; }

    public bool SaveInFlight => _writing is not null;

    private EntropyEngine Engine => _engine ?? throw new InvalidOperationException("The state is not prepared yet.");

    public void Prepare()
    {
        EntropyEngine engine = _engineFactory();
        Checkpoint? checkpoint;
        try
        {
            checkpoint = _checkpoints.Load();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not logged here: the caller reports it (`run` as one line before the host starts).
            throw new IOException($"the checkpoint {_checkpoints.FilePath} cannot be read: {e.Message}", e);
        }

        if (checkpoint is not null)
        {
            try
            {
                _restore.Restore(engine, checkpoint);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{_checkpoints.FilePath}: {e.Message}", e);
            }

            foreach (((string topic, int partition), long offset) in _restore.ResumeAt)
            {
                _offsets[new TopicPartition(topic, new Partition(partition))] = new StrongBox<long>(offset);
            }

            RestoredEvents = engine.Processed + engine.Rejected;
            _logger.CheckpointRestored(_checkpoints.FilePath, engine.Processed, checkpoint.Offsets);
        }

        _engine = engine;
    }

    // The dead letters of the events after the checkpoint are learnt once, before any partition is assigned.
    public StateRestore? Start(IProducer<string?, byte[]> producer) => _restore;

    public IReadOnlyList<TopicPartitionOffset> Assign(IReadOnlyList<TopicPartition> partitions, out StateRestore? replay)
    {
        // Resume each partition where the restored state stops; partitions it never saw start at the committed offset
        // (or the earliest one).
        replay = null;
        return [.. partitions.Select(tp => new TopicPartitionOffset(tp, _offsets.TryGetValue(tp, out StrongBox<long>? next) ? new Offset(next.Value) : Offset.Unset))];
    }

    public void Revoking()
    {
        // One instance: nobody else merges these partitions' counts.
    }

    public void Revoke(IEnumerable<TopicPartition> partitions)
    {
        // The engine keeps their counts, and their offsets stay in the checkpoint for when they come back.
    }

    public bool TryCount(TopicPartition partition, long offset, ReadOnlySpan<byte> value, bool tombstone, long timestampMs, [NotNullWhen(true)] out EntropyEngine? engine, out DecodeError error)
    {
        engine = Engine;
        error = engine.Process(value, timestampMs);
        NextOffset(partition).Value = offset + 1;
        return true;
    }

    public bool TryCountRun(HandoffBatch batch, int from, int to, Span<DecodeError> results, Span<string?> details)
    {
        batch.CountRun(Engine, from, to, results, details);
        NextOffset(batch.Partition(from)).Value = batch.Offset(to - 1) + 1;
        return true;
    }

    public void AdvanceTo(long nowMs) => Engine.AdvanceTo(nowMs);

    public RecaptureOutcome Recapture(string window, long nowMs) => Engine.RecaptureReference(window);

    public Publication TakeClosed()
    {
        EntropyEngine engine = Engine;
        IReadOnlyList<WindowSnapshot> closed = engine.TakeClosed();
        foreach (WindowSnapshot window in closed)
        {
            if (window.Drift is { } report)
            {
                _drift[window.Window] = report;
            }
        }

        IReadOnlyList<AlertEvent> alerts = engine.TakeAlerts();
        return closed.Count == 0 && alerts.Count == 0 ? Publication.None : new Publication(closed, closed, alerts); // asked at every poll
    }

    public Publication TakeCurrent()
    {
        IReadOnlyList<WindowSnapshot> windows = Engine.Snapshot();
        return new Publication(windows, windows, []);
    }

    public (long Processed, long Rejected) Totals() => (_engine?.Processed ?? 0, _engine?.Rejected ?? 0);

    public IReadOnlyList<DiscoveryNotice> TakeDiscoveryNotices() => _engine?.TakeDiscoveryNotices() ?? [];

    public long DiscoveryDropped() => _engine?.DiscoveryDropped ?? 0;

    public Dictionary<string, long> MissingTotals()
    {
        var missing = new Dictionary<string, long>(StringComparer.Ordinal);
        Engine.AddMissingTotals(missing);
        return missing;
    }

    public IReadOnlyList<DriftReport> DriftReports() => [.. _drift.Values];

    public IReadOnlyList<AlertEvent> ActiveAlerts() => _engine?.ActiveAlerts ?? [];

    public IReadOnlyList<DriftReference> DriftReferences() => _engine?.DriftReferences() ?? [];

    public IEnumerable<(string Topic, int Partition, long Next)> NextOffsets() =>
        _offsets.Select(o => (o.Key.Topic, o.Key.Partition.Value, o.Value.Value));

    public SaveOutcome Save(DeadLetterProgress deadLetters, bool final)
    {
        if (_writing is not null)
        {
            _writing.Wait(); // files are written one at a time, in order; this save supersedes the one in flight
            _writing = null;
        }

        // The state and the offsets it covers, taken together on the counting thread; the state is framed and hashed
        // with the file.
        TakenState state = Engine.TakeState();
        var offsets = _offsets.ToDictionary(o => (o.Key.Topic, o.Key.Partition.Value), o => o.Value.Value);
        IReadOnlyList<TopicPartitionOffset> covered = [.. _offsets.Select(o => new TopicPartitionOffset(o.Key, new Offset(o.Value.Value)))];
        if (final)
        {
            return Write(offsets, state, deadLetters, covered);
        }

        _writing = Task.Run(() => Write(offsets, state, deadLetters, covered));
        return SaveOutcome.Pending;
    }

    // Durable once the file written off the counting thread is renamed into place.
    public SaveOutcome CompleteSave()
    {
        if (_writing is not { IsCompleted: true } written)
        {
            return SaveOutcome.Pending;
        }

        _writing = null;
        return written.Result;
    }

    // The box of the partition's next offset. A hand-off batch gives every record of a run of one partition the same
    // TopicPartition, so the same reference as the last record's is the common case: no dictionary lookup (hashing the
    // topic name and inserting were ~8% of the counting code in a profile of the end-to-end benchmark). An entry, once
    // added, keeps its box (entries are never removed), so the cached box is always the dictionary's.
    private StrongBox<long> NextOffset(TopicPartition partition)
    {
        if (!ReferenceEquals(partition, _lastPartition))
        {
            if (!_offsets.TryGetValue(partition, out StrongBox<long>? next))
            {
                next = new StrongBox<long>();
                _offsets.Add(partition, next);
            }

            _lastPartition = partition;
            _lastNext = next;
        }

        return _lastNext!;
    }

    private SaveOutcome Write(Dictionary<(string, int), long> offsets, TakenState state, DeadLetterProgress deadLetters, IReadOnlyList<TopicPartitionOffset> covered)
    {
        var checkpoint = new Checkpoint(offsets, state.ToArray()) { DeadLetters = deadLetters };
        try
        {
            _checkpoints.Save(checkpoint);
            _logger.CheckpointWritten(_checkpoints.FilePath, checkpoint.EngineState.Length, checkpoint.Offsets.Count);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            // Any write failure is a failed checkpoint, never a crash: readiness says so and the next interval retries.
            _logger.CheckpointFailed(_checkpoints.FilePath, e.Message);
            return SaveOutcome.Failure(e.Message);
        }

        return SaveOutcome.Durable(covered);
    }
}
