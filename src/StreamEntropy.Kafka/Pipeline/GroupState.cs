using System.Diagnostics.CodeAnalysis;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using StreamEntropy.Core.Sketches;
using StreamEntropy.Kafka.State;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Merging;
using StreamEntropy.Streaming.Partials;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>The scale-out half of the pipeline: one engine per owned input partition, its state in a compacted state
/// topic, its counts sent as partials to a compacted partials topic, and the merge of the partials this instance owns.</summary>
/// <remarks>
/// <para>A partition's state record (key <c>group/topic/partition</c>) holds the engine state and the next offset to
/// read, in one value. When a partition is assigned, the newest record of its key is restored and the partition
/// resumes at that offset, so a partition that moves between instances continues exactly where the last durable state
/// of its previous owner ends. Offsets are stored for Kafka only after the state records covering them are acknowledged.</para>
/// <para>Partials are keyed <c>group/window/subject/topic/partition</c> and sent to the partials partition chosen by a
/// stable hash of <c>group/window/subject</c>: every input partition's partial of one (window, field or pair) lands in
/// one partials partition, and the group member that Kafka assigns it to merges them. Single writer: the consume thread.</para>
/// <para>Drift of merged windows is scored by the owner of each subject's partials partition. Its state (captured
/// references, alert states, the last window scored) goes to the state topic too, one record per partials partition
/// (key <c>group/#drift/partition</c>: '#' cannot occur in a topic name, so it never meets an input partition's key;
/// older builds read only the keys they want and skip it). Whoever is assigned that partials partition next restores it.</para>
/// </remarks>
internal sealed class GroupState
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan StateReadTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(30);

    private readonly PipelineSettings _settings;
    private readonly ScaleOutSettings _scale;
    private readonly Func<EntropyEngine> _engineFactory;
    private readonly ILogger _logger;
    private const int MaxUnsent = 100_000;

    private readonly Dictionary<TopicPartition, OwnedPartition> _owned = [];
    private readonly List<SubjectPartial> _unsent = [];
    private int _partialsPartitions;
    private int _statePartitions;
    private long _failedDeliveries;
    private long _processed;
    private long _rejected;
    private readonly long[] _missingOfRevoked;
    private DeadLetterWriter? _deadLetters;
    private List<TopicPartitionOffset>? _inFlight; // offsets covered by the states of the save in flight
    private long _inFlightBytes;
    private long _failuresAtSave;
    private long _statesUnacknowledged;
    private readonly IReadOnlyList<WindowDefinition> _windows;
    private readonly HashSet<int> _ownedPartials = [];
    private readonly HashSet<int> _driftRestoredOnce = []; // with RecaptureOnStart: partials partitions whose saved drift state was passed over
    private readonly Dictionary<int, byte[]> _driftSaved = [];
    private long _driftVersionSaved = -1;
    private List<(int Partition, byte[] Value)>? _driftInFlight; // merged drift states of the save in flight
    private long _driftVersionInFlight = -1;

    public GroupState(PipelineSettings settings, Func<EntropyEngine> engineFactory, ILogger logger)
    {
        _settings = settings;
        _scale = settings.ScaleOut!;
        _engineFactory = engineFactory;
        _logger = logger;
        EntropyEngine probe = engineFactory();
        Merger = new PartialMerger(probe.Schema, probe.Estimator, probe.Windows, _scale.MaxLagWindows, _scale.Drift);
        Schema = probe.Schema;
        _windows = probe.Windows;
        _missingOfRevoked = new long[Schema.Fields.Count];
    }

    /// <summary>Gets the merge of the partials this instance owns.</summary>
    public PartialMerger Merger { get; }

    /// <summary>Gets the fields and pairs measured.</summary>
    public Streaming.Counting.EventSchema Schema { get; }

    /// <summary>Gets the topics to subscribe to: the input topics and the partials topic.</summary>
    public IReadOnlyList<string> Topics => [.. _settings.Topics, _scale.PartialsTopic];

    /// <summary>Gets the events this process has counted and rejected since it started (monotonic, for counters; a
    /// partition taken over replays from its saved offset, so after a takeover these exceed the events in the state).</summary>
    public (long Processed, long Rejected) Totals() => (_processed, _rejected);

    /// <summary>Gets how many events this process counted without field <paramref name="field"/> since it started.</summary>
    public long MissingTotal(int field) => _missingOfRevoked[field] + _owned.Values.Sum(p => p.Engine.MissingTotal(field));

    /// <summary>Looks up the partition counts of the state, partials and input topics (all must exist).</summary>
    /// <exception cref="InvalidOperationException">A topic is missing; the message says how to create it.</exception>
    public void Initialize(IProducer<string?, byte[]> producer, DeadLetterWriter deadLetters)
    {
        _deadLetters = deadLetters;
        using IAdminClient admin = new DependentAdminClientBuilder(producer.Handle).Build();
        _statePartitions = PartitionCount(admin, _scale.StateTopic, compacted: true);
        _partialsPartitions = PartitionCount(admin, _scale.PartialsTopic, compacted: true);
        // A merged window closes once every input partition has passed it: name them all.
        var sources = new List<(string, int)>();
        foreach (string topic in _settings.Topics)
        {
            int partitions = PartitionCount(admin, topic, compacted: false);
            for (int p = 0; p < partitions; p++)
            {
                sources.Add((topic, p));
            }
        }

        Merger.ExpectSources(sources);
    }

    /// <summary>Gets whether <paramref name="topic"/> is the partials topic.</summary>
    public bool IsPartials(string topic) => string.Equals(topic, _scale.PartialsTopic, StringComparison.Ordinal);

    /// <summary>Takes over newly assigned partitions: input partitions are restored from the state topic and resume at
    /// their saved offset (from the beginning when there is no state); partials partitions are read from the beginning.</summary>
    public List<TopicPartitionOffset> Assign(IEnumerable<TopicPartition> partitions)
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

        Dictionary<string, byte[]> states = ReadStates(keys);
        foreach (int partition in partials)
        {
            _ownedPartials.Add(partition);
            RestoreDrift(partition, states);
        }

        _driftVersionSaved = -1; // newly owned partials partitions: compare their states with what was saved

        var replayFrom = new Dictionary<(string, int), long>();
        Dictionary<int, long>? scanFrom = null; // the lowest position over the restored states; null: from the beginning
        bool everyStateHasProgress = inputs.Count > 0;
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
                    engine.Restore(new MemoryStream(checkpoint.EngineState, writable: false));
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

                replayFrom[(tp.Topic, tp.Partition.Value)] = next;
                if (checkpoint.DeadLetters is { } progress && string.Equals(progress.Topic, _settings.DeadLetterTopic, StringComparison.Ordinal))
                {
                    scanFrom = scanFrom is null ? new Dictionary<int, long>(progress.ScanFrom) : Lowest(scanFrom, progress.ScanFrom);
                }
                else
                {
                    everyStateHasProgress = false;
                }

                owned.Next = next;
                owned.SavedAt = (engine.Processed, engine.Rejected, engine.WatermarkMs);
                start = new Offset(next);
                _logger.PartitionRestored(tp.Topic, tp.Partition.Value, engine.Processed, next);
            }
            else
            {
                everyStateHasProgress = false; // read from the beginning: a crashed earlier owner may have dead-lettered any of it
            }

            engine.CapturePartials(tp.Topic, tp.Partition.Value);
            _owned[tp] = owned;
            result.Add(new TopicPartitionOffset(tp, start));
        }

        if (inputs.Count > 0)
        {
            // Dead letters the previous owners wrote for events about to be replayed here are not written again.
            _deadLetters!.Scan(everyStateHasProgress ? new DeadLetterProgress(_settings.DeadLetterTopic, scanFrom!) : null, replayFrom);
        }

        return result;
    }

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

    /// <summary>Forgets revoked or lost partitions (their state stays in the state topic for the next owner).</summary>
    public void Revoke(IEnumerable<TopicPartition> partitions)
    {
        foreach (TopicPartition tp in partitions)
        {
            if (IsPartials(tp.Topic))
            {
                int partition = tp.Partition.Value;
                Merger.Drop(partition);
                Merger.Drift?.Forget((window, subject) => PartialsPartition(Route(window, subject)) == partition);
                _ownedPartials.Remove(partition);
                _driftSaved.Remove(partition);
            }
            else if (_owned.Remove(tp, out OwnedPartition? p))
            {
                for (int f = 0; f < _missingOfRevoked.Length; f++)
                {
                    _missingOfRevoked[f] += p.Engine.MissingTotal(f);
                }
            }
        }
    }

    /// <summary>Counts one event of input partition <paramref name="tp"/> at <paramref name="offset"/> in that
    /// partition's engine and records that the partition is counted up to it.</summary>
    /// <returns>False when the partition is not owned (revoked meanwhile: its next owner reads it from its saved offset).</returns>
    public bool TryProcess(TopicPartition tp, long offset, ReadOnlySpan<byte> value, long timestampMs, [NotNullWhen(true)] out EntropyEngine? engine, out DecodeError error)
    {
        if (!_owned.TryGetValue(tp, out OwnedPartition? p))
        {
            engine = null;
            error = DecodeError.None;
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

    /// <summary>Gets the next offset to read of every owned input partition that has read or restored one (crash tests).</summary>
    public IEnumerable<(string Topic, int Partition, long Next)> NextOffsets() =>
        [.. _owned.Where(o => o.Value.Next >= 0).Select(o => (o.Key.Topic, o.Key.Partition.Value, o.Value.Next))];

    /// <summary>Moves every engine's watermark to <paramref name="nowMs"/> (processing time).</summary>
    public void AdvanceTo(long nowMs)
    {
        foreach (OwnedPartition p in _owned.Values)
        {
            p.Engine.AdvanceTo(nowMs);
        }
    }

    /// <summary>Reads one record of the partials topic into the merger; a record that cannot be used is logged and skipped.</summary>
    public void Accept(string topic, int partition, long offset, byte[]? value)
    {
        if (value is null)
        {
            return; // a tombstone: nothing to merge
        }

        try
        {
            Merger.Accept(PartialCodec.Read(value), partition);
        }
        catch (InvalidDataException e)
        {
            _logger.PartialIgnored(topic, partition, offset, e.Message);
        }
    }

    /// <summary>Sends the partials of windows closed since the last call and, when <paramref name="current"/>, of every
    /// open window whose partition counted or moved since its last partial.</summary>
    public void SendPartials(IProducer<string?, byte[]> producer, bool current)
    {
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

            _unsent.AddRange(engine.TakePartials());
        }

        // Oldest first; when the producer's queue is full (broker away for long), keep the rest for the next round
        // rather than drop a closed window's last partial.
        int sent = 0;
        for (; sent < _unsent.Count; sent++)
        {
            SubjectPartial partial = _unsent[sent];
            string route = Route(partial.Window, partial.Subject);
            var destination = new TopicPartition(_scale.PartialsTopic, new Partition(PartialsPartition(route)));
            var message = new Message<string?, byte[]>
            {
                Key = $"{route}/{partial.Source}/{partial.Shard}",
                Value = PartialCodec.Write(partial),
            };
            try
            {
                producer.Produce(destination, message, OnPartialDelivered);
            }
            catch (ProduceException<string?, byte[]> e)
            {
                _logger.DeliveryFailed(_scale.PartialsTopic, $"{e.Error.Reason}; {_unsent.Count - sent} partials wait for the next round");
                break;
            }
        }

        _unsent.RemoveRange(0, sent);
        if (_unsent.Count > MaxUnsent)
        {
            _unsent.RemoveRange(0, _unsent.Count - MaxUnsent); // bounded: later partials of the same keys supersede these
        }
    }

    /// <summary>Writes the state of every owned partition that changed since its last state record and waits for the
    /// acknowledgements (at a revocation or the stop, when the offsets must be stored now or never).</summary>
    /// <returns>The offsets now covered by durable states (to store for Kafka), or null when a write failed.</returns>
    public List<TopicPartitionOffset>? SaveStates(IProducer<string?, byte[]> producer, DeadLetterProgress deadLetters)
    {
        if (_inFlight is not null)
        {
            producer.Flush(FlushTimeout); // settle the periodic save in flight first: its records precede these
            _ = TryCompleteSave(out _);
        }

        if (!BeginSave(producer, deadLetters))
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

    /// <summary>Produces the state of every owned partition that changed since its last state record, without
    /// waiting: <see cref="TryCompleteSave"/> later returns the offsets they cover once all are acknowledged. Does
    /// nothing while an earlier save is still in flight (the next interval writes the newer states).</summary>
    /// <returns>False when a record could not even be queued (the save failed).</returns>
    public bool BeginSave(IProducer<string?, byte[]> producer, DeadLetterProgress deadLetters)
    {
        if (_inFlight is not null)
        {
            return true;
        }

        _failuresAtSave = Interlocked.Read(ref _failedDeliveries);
        var covered = new List<TopicPartitionOffset>();
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
                using var state = new MemoryStream();
                engine.Save(state);
                var checkpoint = new Checkpoint(new Dictionary<(string, int), long> { [(tp.Topic, tp.Partition.Value)] = p.Next }, state.ToArray()) { DeadLetters = deadLetters };
                byte[] value = CheckpointStore.Serialize(checkpoint);
                bytes += value.Length;
                if (!TryQueueState(producer, StateKey(tp), value))
                {
                    return false;
                }

                p.SavedAt = version;
            }

            covered.Add(new TopicPartitionOffset(tp, new Offset(p.Next)));
        }

        // The merged drift state of each owned partials partition, when it changed since it was last written. These
        // records cover no offsets; they travel with the save so that a takeover finds the alerts as they were.
        var driftWritten = new List<(int Partition, byte[] Value)>();
        long driftVersion = Merger.Drift?.Version ?? -1;
        foreach (int partition in Merger.Drift is null || driftVersion == _driftVersionSaved ? [] : _ownedPartials)
        {
            byte[] value = Merger.Drift!.Export((window, subject) => PartialsPartition(Route(window, subject)) == partition);
            if (_driftSaved.TryGetValue(partition, out byte[]? saved) && saved.AsSpan().SequenceEqual(value))
            {
                continue;
            }

            if (!TryQueueState(producer, DriftKey(partition), value))
            {
                return false;
            }

            bytes += value.Length;
            driftWritten.Add((partition, value));
        }

        _inFlight = covered;
        _inFlightBytes = bytes;
        _driftInFlight = driftWritten;
        _driftVersionInFlight = driftVersion;
        return true;
    }

    /// <summary>Completes the save begun by <see cref="BeginSave"/> once every record of it is acknowledged.</summary>
    /// <param name="failed">Set when a record of it failed: its partitions are written again at the next save.</param>
    /// <returns>The offsets the save covers, to store for Kafka; null while it is in flight, failed, or none was begun.</returns>
    public List<TopicPartitionOffset>? TryCompleteSave(out bool failed)
    {
        failed = false;
        if (_inFlight is null || Interlocked.Read(ref _statesUnacknowledged) > 0)
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

    // Queues one record of the save being begun; when it cannot even be queued the whole save fails.
    private bool TryQueueState(IProducer<string?, byte[]> producer, string key, byte[] value)
    {
        Interlocked.Increment(ref _statesUnacknowledged);
        try
        {
            producer.Produce(_scale.StateTopic, new Message<string?, byte[]> { Key = key, Value = value }, OnStateDelivered);
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
        _driftInFlight = null;
        foreach (OwnedPartition p in _owned.Values)
        {
            p.SavedAt = default; // write them all again next time
        }

        _driftSaved.Clear();
        _driftVersionSaved = -1;
    }

    private void OnStateDelivered(DeliveryReport<string?, byte[]> report)
    {
        if (report.Error.IsError)
        {
            Interlocked.Increment(ref _failedDeliveries);
            _logger.DeliveryFailed(_scale.StateTopic, report.Error.Reason);
        }

        Interlocked.Decrement(ref _statesUnacknowledged); // after the failure is counted: a completed save sees it
    }

    private void OnPartialDelivered(DeliveryReport<string?, byte[]> report)
    {
        if (report.Error.IsError)
        {
            _logger.DeliveryFailed(_scale.PartialsTopic, report.Error.Reason);
        }
    }

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

    private void RestoreDrift(int partition, Dictionary<string, byte[]> states)
    {
        MergedDrift? drift = Merger.Drift;
        string key = DriftKey(partition);
        if (drift is null || !states.TryGetValue(key, out byte[]? value))
        {
            return;
        }

        if (_scale.Drift!.RecaptureOnStart && _driftRestoredOnce.Add(partition))
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
        drift.Forget((window, subject) => !_ownedPartials.Contains(PartialsPartition(Route(window, subject))));
        _driftSaved[partition] = value;
        _logger.MergedDriftRestored(key, value.Length);
    }

    private string Route(string window, string subject) => $"{_settings.GroupId}/{window}/{subject}";

    private string DriftKey(int partialsPartition) => $"{_settings.GroupId}/#drift/{partialsPartition}";

    private int PartialsPartition(string route) =>
        (int)(StableHash64.Hash(Encoding.UTF8.GetBytes(route)) % (ulong)_partialsPartitions);

    private string StateKey(TopicPartition tp) => $"{_settings.GroupId}/{tp.Topic}/{tp.Partition.Value}";

    // Reads the state topic from its start to its current end and keeps the newest value of each wanted key.
    // O(size of the state topic) per rebalance; compaction keeps that about one record per input partition.
    private Dictionary<string, byte[]> ReadStates(HashSet<string> keys)
    {
        var found = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return found;
        }

        var config = new ConsumerConfig(new Dictionary<string, string>(_settings.Client))
        {
            BootstrapServers = _settings.BootstrapServers,
            GroupId = _settings.GroupId + ".state-reader", // never joins: partitions are assigned by hand, nothing is committed
            EnableAutoCommit = false,
            EnablePartitionEof = false,
        };
        using IConsumer<string?, byte[]> reader = new ConsumerBuilder<string?, byte[]>(config)
            .SetLogHandler((_, m) => _logger.LibrdkafkaLog(m.Name, m.Facility, m.Message))
            .Build();
        var ends = new Dictionary<int, long>();
        var assignment = new List<TopicPartitionOffset>();
        for (int partition = 0; partition < _statePartitions; partition++)
        {
            var tp = new TopicPartition(_scale.StateTopic, new Partition(partition));
            WatermarkOffsets marks = reader.QueryWatermarkOffsets(tp, MetadataTimeout);
            if (marks.High.Value > marks.Low.Value)
            {
                ends[partition] = marks.High.Value;
                assignment.Add(new TopicPartitionOffset(tp, marks.Low));
            }
        }

        reader.Assign(assignment);
        DateTime deadline = DateTime.UtcNow + StateReadTimeout;
        while (ends.Count > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new KafkaException(new Error(ErrorCode.Local_TimedOut, $"Reading the state topic '{_scale.StateTopic}' did not reach its end within {StateReadTimeout.TotalSeconds:0} s."));
            }

            ConsumeResult<string?, byte[]>? r = reader.Consume(TimeSpan.FromMilliseconds(200));
            if (r?.Message is null)
            {
                continue;
            }

            if (r.Message.Key is { } key && keys.Contains(key))
            {
                if (r.Message.Value is { } value)
                {
                    found[key] = value;
                }
                else
                {
                    found.Remove(key); // a tombstone deletes the state
                }
            }

            if (r.Offset.Value + 1 >= ends[r.Partition.Value])
            {
                ends.Remove(r.Partition.Value);
            }
        }

        return found;
    }

    private static int PartitionCount(IAdminClient admin, string topic, bool compacted)
    {
        Metadata metadata = admin.GetMetadata(topic, MetadataTimeout);
        TopicMetadata? t = metadata.Topics.FirstOrDefault(m => m.Topic == topic);
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
