using System.Diagnostics.CodeAnalysis;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using StreamEntropy.Kafka.State;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Merging;
using StreamEntropy.Streaming.Partials;
using StreamEntropy.Streaming.State;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>One member of a consumer group that shares the work: one engine per owned input partition, its state in a
/// compacted state topic, its counts sent as partials to a compacted partials topic, and the merge of the partials
/// this instance owns.</summary>
/// <remarks>
/// <para>A partition's state record (key <c>group/topic/partition</c>) holds the engine state and the next offset to
/// read, in one value. When a partition is assigned, the newest record of its key is restored and the partition
/// resumes at that offset, so a partition that moves between instances continues exactly where the last durable state
/// of its previous owner ends. Offsets are stored for Kafka only after the state records covering them are acknowledged.</para>
/// <para>Partials go where <see cref="PartialRouter"/> sends them; the group member that Kafka assigns a partials
/// partition merges what lands there. Single writer: the counting thread.</para>
/// <para>Drift of merged windows is scored by the owner of each subject's partials partition. Its state (captured
/// references, alert states, the last window scored) goes to the state topic too, one record per partials partition
/// (key <c>group/#drift/partition</c>: '#' cannot occur in a topic name, so it never meets an input partition's key;
/// older builds read only the keys they want and skip it). Whoever is assigned that partials partition next restores it.</para>
/// </remarks>
internal sealed class GroupMode : IPartitionMode
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(30);

    private readonly PipelineSettings _settings;
    private readonly ScaleOutSettings _scale;
    private readonly Func<EntropyEngine> _engineFactory;
    private readonly ILogger _logger;
    private readonly IGroupBroker _broker;
    private readonly CompactedTopicReader _stateReader;

    private readonly Dictionary<TopicPartition, OwnedPartition> _owned = [];
    private readonly IReadOnlyList<WindowDefinition> _windows;
    private readonly Dictionary<string, long> _missingOfRevoked = new(StringComparer.Ordinal); // by field name
    private long _droppedOfRevoked;
    private IProducer<string?, byte[]>? _producer;
    private PartialRouter? _router;
    private int _statePartitions;
    private long _failedDeliveries;
    private long _processed;
    private long _rejected;
    private List<TopicPartitionOffset>? _inFlight; // offsets covered by the states of the save in flight
    private long _inFlightBytes;
    private long _failuresAtSave;
    private long _statesUnacknowledged;
    private readonly HashSet<int> _ownedPartials = [];
    private readonly HashSet<int> _driftRestoredOnce = []; // with RecaptureOnStart: partials partitions whose saved drift state was passed over
    private readonly Dictionary<int, byte[]> _driftSaved = [];
    private long _driftVersionSaved = -1;
    private List<(int Partition, byte[] Value)>? _driftInFlight; // merged drift states of the save in flight
    private Task<List<(string Key, byte[] Value)>>? _encoding; // the state records of the save in flight, until produced
    private long _driftVersionInFlight = -1;

    /// <param name="settings">The pipeline's settings.</param>
    /// <param name="scale">How the group shares the work (the pipeline's <see cref="PipelineSettings.ScaleOut"/>).</param>
    /// <param name="engineFactory">Creates the engine of each partition taken over.</param>
    /// <param name="logger">Where restores, saves and delivery failures are reported.</param>
    /// <param name="time">The clock of the state topic's read deadline.</param>
    /// <param name="broker">Topic metadata and the state-topic reader.</param>
    public GroupMode(PipelineSettings settings, ScaleOutSettings scale, Func<EntropyEngine> engineFactory, ILogger logger, TimeProvider time, IGroupBroker broker)
    {
        _settings = settings;
        _scale = scale;
        _engineFactory = engineFactory;
        _logger = logger;
        _broker = broker;
        _stateReader = new CompactedTopicReader(broker.CreateStateReader, time);
        EntropyEngine probe = engineFactory();
        Merger = new PartialMerger(probe.Schema, probe.Estimator, probe.Windows, scale.MaxLagWindows, scale.Drift);
        Schema = probe.Schema;
        _windows = probe.Windows;
    }

    /// <summary>Gets the merge of the partials this instance owns.</summary>
    public PartialMerger Merger { get; }

    /// <summary>Gets or sets the size from which a partition's state record is encoded (framed, SHA-256s) on a pool
    /// thread and produced once encoded, rather than on the counting thread during the save: 1 MiB, about a
    /// millisecond of encoding.</summary>
    internal long InlineStateBytes { get; init; } = 1 << 20;

    /// <summary>Gets the fields and pairs measured.</summary>
    public EventSchema Schema { get; }

    /// <summary>Gets the topics to subscribe to: the input topics and the partials topic.</summary>
    public IReadOnlyList<string> Topics => [.. _settings.Topics, _scale.PartialsTopic];

    // Each partition's state is restored when it is assigned, not at start.
    public long RestoredEvents => 0;

    private IProducer<string?, byte[]> Producer => _producer ?? throw new InvalidOperationException("Group mode is not started yet.");

    private PartialRouter Router => _router ?? throw new InvalidOperationException("Group mode is not started yet.");

    public void Prepare()
    {
        // Nothing to restore before partitions are assigned.
    }

    /// <summary>Looks up the partition counts of the state, partials and input topics (all must exist).</summary>
    /// <exception cref="InvalidOperationException">A topic is missing; the message says how to create it.</exception>
    public StateRestore? Start(IProducer<string?, byte[]> producer)
    {
        _producer = producer;
        _statePartitions = PartitionCount(producer, _scale.StateTopic, compacted: true);
        _router = new PartialRouter(_settings.GroupId, _scale.PartialsTopic, PartitionCount(producer, _scale.PartialsTopic, compacted: true), _logger);

        // A merged window closes once every input partition has passed it: name them all.
        var sources = new List<(string, int)>();
        foreach (string topic in _settings.Topics)
        {
            int partitions = PartitionCount(producer, topic, compacted: false);
            for (int p = 0; p < partitions; p++)
            {
                sources.Add((topic, p));
            }
        }

        Merger.ExpectSources(sources);
        return null; // the dead letters of replayed events are learnt as their partitions are assigned
    }

    /// <summary>Gets whether <paramref name="topic"/> is the partials topic.</summary>
    public bool IsPartials(string topic) => string.Equals(topic, _scale.PartialsTopic, StringComparison.Ordinal);

    /// <summary>Takes over newly assigned partitions: input partitions are restored from the state topic and resume at
    /// their saved offset (from the beginning when there is no state); partials partitions are read from the beginning.</summary>
    public IReadOnlyList<TopicPartitionOffset> Assign(IReadOnlyList<TopicPartition> partitions, out StateRestore? replay)
    {
        var inputs = new List<TopicPartition>();
        var partials = new List<int>();
        var result = new List<TopicPartitionOffset>();
        foreach (TopicPartition tp in partitions)
        {
            if (IsPartials(tp.Topic))
            {
                result.Add(new TopicPartitionOffset(tp, Offset.Beginning)); // partials are whole states: re-reading is harmless
                partials.Add(tp.Partition.Value);
            }
            else
            {
                inputs.Add(tp);
            }
        }

        HashSet<string> keys = inputs.Select(StateKey).ToHashSet(StringComparer.Ordinal);
        if (Merger.Drift is not null)
        {
            keys.UnionWith(partials.Select(DriftKey));
        }

        Dictionary<string, byte[]> states = _stateReader.Read(_scale.StateTopic, _statePartitions, keys);
        foreach (int partition in partials)
        {
            _ownedPartials.Add(partition);
            RestoreDrift(partition, states);
        }

        _driftVersionSaved = -1; // newly owned partials partitions: compare their states with what was saved

        var restore = new StateRestore(_settings.DeadLetterTopic);
        foreach (TopicPartition tp in inputs)
        {
            EntropyEngine engine = _engineFactory();
            var owned = new OwnedPartition(engine);
            Offset start = Offset.Beginning;
            if (states.TryGetValue(StateKey(tp), out byte[]? value))
            {
                Checkpoint checkpoint;
                try
                {
                    checkpoint = CheckpointStore.Deserialize(value, $"the state of {tp}");
                    restore.Restore(engine, checkpoint);
                }
                catch (InvalidDataException e)
                {
                    _logger.PartitionStateUnusable(StateKey(tp), e.Message);
                    throw;
                }

                if (!checkpoint.Offsets.TryGetValue((tp.Topic, tp.Partition.Value), out long next))
                {
                    throw new InvalidDataException($"The state of {tp} holds no offset for it.");
                }

                owned.Next = next;
                owned.SavedAt = (engine.Processed, engine.Rejected, engine.WatermarkMs);
                start = new Offset(next);
                _logger.PartitionRestored(tp.Topic, tp.Partition.Value, engine.Processed, next);
            }
            else
            {
                restore.FromBeginning();
                _logger.PartitionFromBeginning(tp.Topic, tp.Partition.Value);
            }

            engine.CapturePartials(tp.Topic, tp.Partition.Value);
            _owned[tp] = owned;
            result.Add(new TopicPartitionOffset(tp, start));
        }

        // Dead letters the previous owners wrote for events about to be replayed here are not written again.
        replay = inputs.Count > 0 ? restore : null;
        return result;
    }

    // The merge has this owner's latest counts until the next one's.
    public void Revoking() => SendPartials(current: true);

    /// <summary>Forgets revoked or lost partitions (their state stays in the state topic for the next owner).</summary>
    public void Revoke(IEnumerable<TopicPartition> partitions)
    {
        if (_encoding is not null)
        {
            // A save whose records are still being encoded (partitions lost, not revoked: a revocation saves first)
            // would write states of partitions another member may own already: abandon it; the next interval writes
            // the states of the partitions still owned.
            FailSave();
        }

        foreach (TopicPartition tp in partitions)
        {
            if (IsPartials(tp.Topic))
            {
                int partition = tp.Partition.Value;
                Merger.Drop(partition);
                Merger.Drift?.Forget((window, subject) => Router.PartitionOf(window, subject) == partition);
                _ownedPartials.Remove(partition);
                _driftSaved.Remove(partition);
            }
            else if (_owned.Remove(tp, out OwnedPartition? p))
            {
                p.Engine.AddMissingTotals(_missingOfRevoked);
                _droppedOfRevoked += p.Engine.DiscoveryDropped;
            }
        }
    }

    /// <summary>Counts an event of an owned input partition in that partition's engine and records that the partition
    /// is counted up to it; reads a record of the partials topic into the merger.</summary>
    /// <returns>False for a partials record, and for an input partition not owned (revoked meanwhile: its next owner
    /// reads it from its saved offset).</returns>
    public bool TryCount(TopicPartition partition, long offset, ReadOnlySpan<byte> value, bool tombstone, long timestampMs, [NotNullWhen(true)] out EntropyEngine? engine, out DecodeError error)
    {
        engine = null;
        error = DecodeError.None;
        if (IsPartials(partition.Topic))
        {
            // A tombstone: nothing to merge.
            if (!tombstone)
            {
                Accept(partition.Topic, partition.Partition.Value, offset, value);
            }

            return false;
        }

        if (!_owned.TryGetValue(partition, out OwnedPartition? p))
        {
            return false;
        }

        engine = p.Engine;
        error = engine.Process(value, timestampMs);
        if (error == DecodeError.None)
        {
            _processed++;
        }
        else
        {
            _rejected++;
        }

        p.Next = offset + 1;
        return true;
    }

    /// <summary>Counts a run of events of an owned input partition with one <see cref="EntropyEngine.ProcessMany"/>; reads
    /// the records of a run of the partials topic into the merger one by one.</summary>
    public bool TryCountRun(HandoffBatch batch, int from, int to, Span<DecodeError> results, Span<string?> details)
    {
        TopicPartition partition = batch.Partition(from);
        if (IsPartials(partition.Topic))
        {
            for (int i = from; i < to; i++)
            {
                if (!batch.IsTombstone(i))
                {
                    Accept(partition.Topic, partition.Partition.Value, batch.Offset(i), batch.Value(i));
                }
            }

            return false;
        }

        if (!_owned.TryGetValue(partition, out OwnedPartition? p))
        {
            return false;
        }

        batch.CountRun(p.Engine, from, to, results, details);
        foreach (DecodeError error in results[..(to - from)])
        {
            if (error == DecodeError.None)
            {
                _processed++;
            }
            else
            {
                _rejected++;
            }
        }

        p.Next = batch.Offset(to - 1) + 1;
        return true;
    }

    public IEnumerable<(string Topic, int Partition, long Next)> NextOffsets() =>
        [.. _owned.Where(o => o.Value.Next >= 0).Select(o => (o.Key.Topic, o.Key.Partition.Value, o.Value.Next))];

    public void AdvanceTo(long nowMs)
    {
        foreach (OwnedPartition p in _owned.Values)
        {
            p.Engine.AdvanceTo(nowMs);
        }
    }

    // The closed windows' partials go to their owners; what this instance publishes comes from the merge (TakeCurrent).
    public Publication TakeClosed()
    {
        SendPartials(current: false);
        return Publication.None;
    }

    // Send this instance's partials, then publish the merges of the partials it owns (read back from the partials
    // topic, so the ones sent now are merged at a later publication).
    public Publication TakeCurrent()
    {
        SendPartials(current: true);
        IReadOnlyList<WindowSnapshot> changed = Merger.TakeChanged();
        IReadOnlyList<AlertEvent> alerts = Merger.Drift?.TakeAlerts() ?? [];
        return new Publication(changed, Merger.Current(), alerts);
    }

    /// <summary>Gets the events this process has counted and rejected since it started (monotonic, for counters; a
    /// partition taken over replays from its saved offset, so after a takeover these exceed the events in the state).</summary>
    public (long Processed, long Rejected) Totals() => (_processed, _rejected);

    /// <summary>Gets, per field, how many events this process counted without it since it started.</summary>
    public IReadOnlyList<DiscoveryNotice> TakeDiscoveryNotices() => [.. _owned.Values.SelectMany(p => p.Engine.TakeDiscoveryNotices())];

    public long DiscoveryDropped() => _droppedOfRevoked + _owned.Values.Sum(p => p.Engine.DiscoveryDropped);

    public Dictionary<string, long> MissingTotals()
    {
        var missing = new Dictionary<string, long>(_missingOfRevoked, StringComparer.Ordinal);
        foreach (OwnedPartition p in _owned.Values)
        {
            p.Engine.AddMissingTotals(missing);
        }

        return missing;
    }

    public IReadOnlyList<DriftReport> DriftReports() => Merger.Drift?.Reports() ?? [];

    public IReadOnlyList<AlertEvent> ActiveAlerts() => Merger.Drift?.Alerts.Active ?? [];

    public IReadOnlyList<DriftReference> DriftReferences() => Merger.Drift?.DescribeReferences() ?? [];

    /// <summary>Captures the drift reference of <paramref name="window"/> again for the subjects this instance scores
    /// (see <see cref="MergedDrift.Recapture"/>); the other instances keep theirs.</summary>
    public RecaptureOutcome Recapture(string window, long nowMs)
    {
        WindowDefinition? definition = _windows.FirstOrDefault(w => string.Equals(w.Name, window, StringComparison.Ordinal));
        if (definition is null)
        {
            return RecaptureOutcome.UnknownWindow;
        }

        // Group mode scores merged tumbling windows only.
        return Merger.Drift is null || definition.Kind != WindowKind.Tumbling
            ? RecaptureOutcome.NotScored
            : Merger.Drift.Recapture(window, nowMs);
    }

    public bool SaveInFlight => _inFlight is not null;

    public SaveOutcome Save(DeadLetterProgress deadLetters, bool final)
    {
        if (final)
        {
            List<TopicPartitionOffset>? covered = SaveStates(deadLetters);
            return covered is null ? StatesFailed() : SaveOutcome.Durable(covered);
        }

        // Completed by CompleteSave once acknowledged, without waiting here.
        return BeginSave(deadLetters) ? SaveOutcome.Pending : StatesFailed();
    }

    /// <summary>Stores nothing until every record of the save in flight is acknowledged.</summary>
    public SaveOutcome CompleteSave()
    {
        List<TopicPartitionOffset>? covered = TryCompleteSave(out bool failed);
        return covered is not null ? SaveOutcome.Durable(covered) : failed ? StatesFailed() : SaveOutcome.Pending;
    }

    private SaveOutcome StatesFailed()
    {
        _logger.CheckpointSkipped("partition states could not be written to the state topic; the last durable ones stand");
        return SaveOutcome.Failure();
    }

    // Reads one record of the partials topic into the merger; a record that cannot be used is logged and skipped.
    private void Accept(string topic, int partition, long offset, ReadOnlySpan<byte> value)
    {
        try
        {
            Merger.Accept(PartialCodec.Read(value), partition);
        }
        catch (InvalidDataException e)
        {
            _logger.PartialIgnored(topic, partition, offset, e.Message);
        }
    }

    // Sends the partials of windows closed since the last call and, when current, of every open window whose partition
    // counted or moved since its last partial.
    private void SendPartials(bool current)
    {
        var partials = new List<SubjectPartial>();
        foreach (OwnedPartition p in _owned.Values)
        {
            EntropyEngine engine = p.Engine;
            _ = engine.TakeClosed(); // the closed windows' partials were captured as they closed
            var version = (engine.Processed, engine.Rejected, engine.WatermarkMs);
            if (current && version != p.SentAt)
            {
                _ = engine.Snapshot();
                p.SentAt = version;
            }

            partials.AddRange(engine.TakePartials());
        }

        Router.Send(Producer, partials);
    }

    // Writes the state of every owned partition that changed since its last state record and waits for the
    // acknowledgements (at a revocation or the stop, when the offsets must be stored now or never). Returns the offsets
    // now covered by durable states (to store for Kafka), or null when a write failed.
    private List<TopicPartitionOffset>? SaveStates(DeadLetterProgress deadLetters)
    {
        IProducer<string?, byte[]> producer = Producer;
        if (_inFlight is not null)
        {
            _ = ProduceEncoded(wait: true);
            producer.Flush(FlushTimeout); // settle the periodic save in flight first: its records precede these
            _ = TryCompleteSave(out _);
        }

        if (!BeginSave(deadLetters) || !ProduceEncoded(wait: true))
        {
            return null;
        }

        producer.Flush(FlushTimeout);
        List<TopicPartitionOffset>? covered = TryCompleteSave(out bool failed);
        if (covered is null && !failed)
        {
            // Not acknowledged within the timeout: give up on this save (the records may still arrive; the offsets
            // are not stored, so a restart replays from the last acknowledged states, which is safe either way).
            FailSave();
        }

        return covered;
    }

    // Takes the state of every owned partition that changed since its last state record and produces their records,
    // without waiting; those of large states are encoded (framed, SHA-256s) on a pool thread and produced by
    // TryCompleteSave once encoded. TryCompleteSave returns the offsets they cover once all are acknowledged. Does
    // nothing while an earlier save is still in flight (the next interval writes the newer states). False when a
    // record could not even be queued (the save failed).
    private bool BeginSave(DeadLetterProgress deadLetters)
    {
        if (_inFlight is not null)
        {
            return true;
        }

        _failuresAtSave = Interlocked.Read(ref _failedDeliveries);
        var covered = new List<TopicPartitionOffset>();
        var states = new List<(string Key, Dictionary<(string, int), long> Offsets, TakenState State)>();
        long bytes = 0;
        foreach ((TopicPartition tp, OwnedPartition p) in _owned)
        {
            if (p.Next < 0)
            {
                continue; // nothing read yet
            }

            EntropyEngine engine = p.Engine;
            var version = (engine.Processed, engine.Rejected, engine.WatermarkMs);
            if (version != p.SavedAt)
            {
                // The state and the offset it covers, taken together on the counting thread. A small state is encoded
                // and queued right here (quicker than a hand-over), a large one on a pool thread.
                var offsets = new Dictionary<(string, int), long> { [(tp.Topic, tp.Partition.Value)] = p.Next };
                TakenState state = engine.TakeState();
                if (state.Length > InlineStateBytes)
                {
                    states.Add((StateKey(tp), offsets, state));
                }
                else
                {
                    byte[] value = CheckpointStore.Serialize(new Checkpoint(offsets, state.ToArray()) { DeadLetters = deadLetters });
                    bytes += value.Length;
                    if (!TryQueueState(StateKey(tp), value))
                    {
                        return false;
                    }
                }

                p.SavedAt = version;
            }

            covered.Add(new TopicPartitionOffset(tp, new Offset(p.Next)));
        }

        // The merged drift state of each owned partials partition, when it changed since it was last written. These
        // records cover no offsets; they travel with the save so that a takeover finds the alerts as they were.
        var driftWritten = new List<(int Partition, byte[] Value)>();
        MergedDrift? drift = Merger.Drift;
        long driftVersion = drift?.Version ?? -1;
        if (drift is not null && driftVersion != _driftVersionSaved)
        {
            foreach (int partition in _ownedPartials)
            {
                byte[] value = drift.Export((window, subject) => Router.PartitionOf(window, subject) == partition);
                if (_driftSaved.TryGetValue(partition, out byte[]? saved) && saved.AsSpan().SequenceEqual(value))
                {
                    continue;
                }

                if (!TryQueueState(DriftKey(partition), value))
                {
                    return false;
                }

                bytes += value.Length;
                driftWritten.Add((partition, value));
            }
        }

        _encoding = states.Count == 0 ? null : Task.Run(() => states.ConvertAll(s =>
            (s.Key, CheckpointStore.Serialize(new Checkpoint(s.Offsets, s.State.ToArray()) { DeadLetters = deadLetters }))));
        _inFlight = covered;
        _inFlightBytes = bytes;
        _driftInFlight = driftWritten;
        _driftVersionInFlight = driftVersion;
        return true;
    }

    // Completes the save begun by BeginSave once every record of it is acknowledged. Returns the offsets the save
    // covers, to store for Kafka; null while it is in flight, failed (failed set: its partitions are written again at
    // the next save), or none was begun.
    private List<TopicPartitionOffset>? TryCompleteSave(out bool failed)
    {
        failed = false;
        if (_inFlight is null)
        {
            return null;
        }

        if (!ProduceEncoded(wait: false))
        {
            failed = _inFlight is null; // a record could not be queued: the save failed
            return null;
        }

        if (Interlocked.Read(ref _statesUnacknowledged) > 0)
        {
            return null;
        }

        if (Interlocked.Read(ref _failedDeliveries) != _failuresAtSave)
        {
            FailSave();
            failed = true;
            return null;
        }

        List<TopicPartitionOffset> covered = _inFlight;
        _inFlight = null;
        _driftVersionSaved = _driftVersionInFlight;
        foreach ((int partition, byte[] value) in _driftInFlight ?? [])
        {
            _driftSaved[partition] = value;
        }

        _driftInFlight = null;
        _logger.PartitionStatesWritten(_scale.StateTopic, covered.Count, _inFlightBytes);
        return covered;
    }

    // Produces the state records of the save in flight once they are encoded (waiting for that when asked). True when
    // there is nothing left to produce; false while they are being encoded, or when one could not be queued (the save
    // failed: _inFlight is null then).
    private bool ProduceEncoded(bool wait)
    {
        if (_encoding is not { } encoding)
        {
            return true;
        }

        if (!encoding.IsCompleted && !wait)
        {
            return false;
        }

        _encoding = null;
        foreach ((string key, byte[] value) in encoding.GetAwaiter().GetResult())
        {
            if (!TryQueueState(key, value))
            {
                return false;
            }

            _inFlightBytes += value.Length;
        }

        return true;
    }

    // Queues one record of the save being begun; when it cannot even be queued the whole save fails.
    private bool TryQueueState(string key, byte[] value)
    {
        Interlocked.Increment(ref _statesUnacknowledged);
        try
        {
            Producer.Produce(_scale.StateTopic, new Message<string?, byte[]> { Key = key, Value = value }, OnStateDelivered);
            return true;
        }
        catch (ProduceException<string?, byte[]> e)
        {
            Interlocked.Decrement(ref _statesUnacknowledged);
            _logger.DeliveryFailed(_scale.StateTopic, e.Error.Reason);
            FailSave();
            return false;
        }
    }

    private void FailSave()
    {
        _inFlight = null;
        _encoding = null; // a failed save's records are not produced (those taken are written again next time)
        _driftInFlight = null;
        foreach (OwnedPartition p in _owned.Values)
        {
            p.SavedAt = default; // write them all again next time
        }

        _driftSaved.Clear();
        _driftVersionSaved = -1;
    }

    // On librdkafka's poll thread: only the counters.
    private void OnStateDelivered(DeliveryReport<string?, byte[]> report)
    {
        if (report.Error.IsError)
        {
            Interlocked.Increment(ref _failedDeliveries);
            _logger.DeliveryFailed(_scale.StateTopic, report.Error.Reason);
        }

        Interlocked.Decrement(ref _statesUnacknowledged); // after the failure is counted: a completed save sees it
    }

    private void RestoreDrift(int partition, Dictionary<string, byte[]> states)
    {
        MergedDrift? drift = Merger.Drift;
        string key = DriftKey(partition);
        if (drift is null || !states.TryGetValue(key, out byte[]? value))
        {
            return;
        }

        if (_scale.Drift is { RecaptureOnStart: true } && _driftRestoredOnce.Add(partition))
        {
            return; // asked to capture afresh: the state saved before this process started is passed over, once
        }

        try
        {
            drift.Import(value);
        }
        catch (InvalidDataException e)
        {
            _logger.PartitionStateUnusable(key, e.Message);
            throw;
        }

        // Subjects routed elsewhere (the partials topic's partition count changed since) belong to their new owner.
        drift.Forget((window, subject) => !_ownedPartials.Contains(Router.PartitionOf(window, subject)));
        _driftSaved[partition] = value;
        _logger.MergedDriftRestored(key, value.Length);
    }

    private string DriftKey(int partialsPartition) => $"{_settings.GroupId}/#drift/{partialsPartition}";

    private string StateKey(TopicPartition tp) => $"{_settings.GroupId}/{tp.Topic}/{tp.Partition.Value}";

    private int PartitionCount(IProducer<string?, byte[]> producer, string topic, bool compacted)
    {
        TopicMetadata? t = _broker.Describe(producer, topic);
        if (t is null || t.Error.IsError || t.Partitions.Count == 0)
        {
            string reason = t is null ? "no metadata" : t.Error.IsError ? t.Error.Reason : "no partitions";
            throw new InvalidOperationException(compacted
                ? $"Scale-out needs the topic '{topic}' ({reason}). Create it with cleanup.policy=compact, e.g. " +
                  $"kafka-topics.sh --create --topic {topic} --partitions 12 --config cleanup.policy=compact."
                : $"Scale-out needs the partition count of the input topic '{topic}' ({reason}); create the topic first.");
        }

        return t.Partitions.Count;
    }

    private sealed class OwnedPartition(EntropyEngine engine)
    {
        public EntropyEngine Engine { get; } = engine;

        /// <summary>The next offset to read; −1 until the first event or a restored state says.</summary>
        public long Next { get; set; } = -1;

        public (long Processed, long Rejected, long Watermark) SavedAt { get; set; }

        public (long Processed, long Rejected, long Watermark) SentAt { get; set; } = (-1, -1, -1);
    }
}
