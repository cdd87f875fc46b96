using System.Collections.Concurrent;
using System.Globalization;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using StreamEntropy.Kafka.State;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Output;
using StreamEntropy.Streaming.Partials;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>Consumes events from Kafka, counts them in an <see cref="EntropyEngine"/>, publishes snapshots and checkpoints.</summary>
/// <remarks>
/// <para><see cref="Run"/> blocks: give it a dedicated thread. Every table is touched only by that thread. System.Reactive
/// timers only raise flags (publish due, checkpoint due) that the loop serves between polls, so the per-event path
/// stays plain synchronous code and there is no queue between Kafka and the counters.</para>
/// <para>Exactly-once counting: the checkpoint holds the engine state and, per partition, the next offset it has not
/// counted, written atomically. Only after it is durable are those offsets stored for Kafka's auto-commit. On start the
/// state is restored and each assigned partition resumes at its checkpointed offset, so a crash replays exactly the
/// events the restored state has not seen. Dead letters are flushed before a checkpoint covers them.</para>
/// </remarks>
public sealed class EntropyPipeline : IDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(30);

    private readonly PipelineSettings _settings;
    private readonly Func<EntropyEngine> _engineFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IScheduler _scheduler;
    private readonly Subject<PublishedSnapshot> _snapshots = new();
    private readonly Dictionary<TopicPartition, long> _offsets = [];
    private readonly HashSet<TopicPartition> _assigned = [];
    private EntropyEngine? _engine;
    private PublishedSnapshot? _latest;
    private IReadOnlyDictionary<(string Topic, int Partition), long> _lag = new Dictionary<(string, int), long>();
    private int _publishDue;
    private int _checkpointDue;
    private long _deliveryFailures;
    private int _checkpointsWritten;
    private readonly Lock _errorGate = new();
    private readonly Dictionary<ErrorCode, long> _lastLoggedErrors = [];
    private readonly Dictionary<string, DriftReport> _drift = new(StringComparer.Ordinal);
    private readonly Queue<AlertEvent> _recentAlerts = new();
    private readonly GroupState? _group;
    private readonly ConcurrentQueue<(string Window, TaskCompletionSource<RecaptureOutcome> Done)> _recaptures = new();

    public EntropyPipeline(PipelineSettings settings, Func<EntropyEngine> engineFactory, ILogger logger, TimeProvider time, IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(engineFactory);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(scheduler);
        _settings = settings;
        _engineFactory = engineFactory;
        _logger = logger;
        _time = time;
        _scheduler = scheduler;
        Checkpoints = new CheckpointStore(settings.CheckpointDirectory, settings.GroupId);
        _group = settings.ScaleOut is null ? null : new GroupState(settings, engineFactory, logger);
    }

    /// <summary>Gets every publication, pushed from the consume thread (subscribers must be quick and must not block).</summary>
    public IObservable<PublishedSnapshot> Snapshots => _snapshots.AsObservable();

    /// <summary>Gets the latest publication, or null before the first one (an immutable reference, swapped atomically).</summary>
    public PublishedSnapshot? Latest => Volatile.Read(ref _latest);

    /// <summary>Gets the consumer lag per assigned partition, from librdkafka's statistics (refreshed every 5 s).</summary>
    public IReadOnlyDictionary<(string Topic, int Partition), long> ConsumerLag => Volatile.Read(ref _lag);

    /// <summary>Gets the health of the loop, for readiness checks.</summary>
    public PipelineHealth Health { get; } = new();

    /// <summary>Gets the checkpoint store.</summary>
    public CheckpointStore Checkpoints { get; }

    /// <summary>Asks the consume loop to capture the drift reference of <paramref name="window"/> again (between two
    /// polls, like every change of the tables): the captured reference and the window's alert states are dropped, raised
    /// alerts are cleared, and the next complete closed window with enough events becomes the reference. In Group mode
    /// only the subjects this instance scores are affected.</summary>
    /// <returns>What was done, once the loop has served the request; cancelled if the loop stops first.</returns>
    public Task<RecaptureOutcome> RecaptureAsync(string window)
    {
        ArgumentNullException.ThrowIfNull(window);
        var done = new TaskCompletionSource<RecaptureOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _recaptures.Enqueue((window, done));
        return done.Task;
    }

    /// <summary>Gets or sets, for crash tests, after how many checkpoints the loop dies without its graceful stop (0: never).</summary>
    internal int CrashAfterCheckpoints { get; set; }

    /// <summary>Runs the loop until <paramref name="cancellationToken"/> is cancelled, then publishes, checkpoints and closes.</summary>
    /// <exception cref="InvalidDataException">The checkpoint on disk cannot be used (corrupt, or another configuration).</exception>
    public void Run(CancellationToken cancellationToken)
    {
        if (_group is null)
        {
            _engine = _engineFactory();
            Restore(_engine);
        }

        Health.SetRunning(true);
        using IProducer<string?, byte[]> producer = BuildProducer();
        _group?.Initialize(producer);
        using IConsumer<Ignore, byte[]> consumer = BuildConsumer(producer);
        using IDisposable publishTimer = Observable.Interval(_settings.PublishInterval, _scheduler).Subscribe(_ => Volatile.Write(ref _publishDue, 1));
        using IDisposable checkpointTimer = Observable.Interval(_settings.CheckpointInterval, _scheduler).Subscribe(_ => Volatile.Write(ref _checkpointDue, 1));
        consumer.Subscribe(_group?.Topics ?? _settings.Topics);
        try
        {
            Loop(consumer, producer, cancellationToken);
        }
        catch (SimulatedCrashException)
        {
            // Die like a killed process: no final checkpoint, no commit, no group leave (Dispose without Close).
            Health.SetRunning(false);
            throw;
        }
        catch (KafkaException)
        {
            Health.SetRunning(false);
            throw;
        }

        // Graceful stop: final snapshot, checkpoint, store offsets, leave the group, flush.
        PublishClosed(producer);
        Publish(producer);
        Checkpoint(consumer, producer);
        try
        {
            consumer.Close();
        }
        catch (KafkaException e)
        {
            _logger.ClientError(e.Error.Code.ToString(), e.Error.Reason);
        }

        producer.Flush(FlushTimeout);
        while (_recaptures.TryDequeue(out (string Window, TaskCompletionSource<RecaptureOutcome> Done) request))
        {
            request.Done.TrySetCanceled(cancellationToken);
        }

        Health.SetAssigned(0);
        Health.SetRunning(false);
        (long processed, long rejected) = Totals();
        _logger.Stopped(processed, rejected);
        _snapshots.OnCompleted();
    }

    public void Dispose() => _snapshots.Dispose();

    private void Loop(IConsumer<Ignore, byte[]> consumer, IProducer<string?, byte[]> producer, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            ConsumeResult<Ignore, byte[]>? result = null;
            try
            {
                result = consumer.Consume(PollTimeout);
            }
            catch (ConsumeException e)
            {
                _logger.ConsumeError(e.ConsumerRecord?.TopicPartition?.ToString() ?? "(unknown)", e.Error.Reason);
                Health.Error(e.Error.Reason);
                if (e.Error.IsFatal)
                {
                    _logger.FatalError(e.Error.Reason);
                    throw;
                }
            }

            DateTimeOffset now = _time.GetUtcNow();
            Health.Polled(now);
            if (result is { IsPartitionEOF: false, Message: not null })
            {
                Count(producer, result, now);
            }

            if (!_settings.UseEventTime)
            {
                _engine?.AdvanceTo(now.ToUnixTimeMilliseconds());
                _group?.AdvanceTo(now.ToUnixTimeMilliseconds());
            }

            ServeRecaptures();
            PublishClosed(producer);
            if (Interlocked.Exchange(ref _publishDue, 0) == 1)
            {
                Publish(producer);
            }

            if (Interlocked.Exchange(ref _checkpointDue, 0) == 1)
            {
                Checkpoint(consumer, producer);
                if (CrashAfterCheckpoints > 0 && _checkpointsWritten >= CrashAfterCheckpoints)
                {
                    throw new SimulatedCrashException();
                }
            }
        }
    }

    // Served on the consume thread, the tables' only writer; the clear events go out with the next PublishClosed (single
    // instance) or Publish (Group mode), and a publication is brought forward so that /api/alerts shows the change.
    private void ServeRecaptures()
    {
        while (_recaptures.TryDequeue(out (string Window, TaskCompletionSource<RecaptureOutcome> Done) request))
        {
            RecaptureOutcome outcome = _group?.Recapture(request.Window, _time.GetUtcNow().ToUnixTimeMilliseconds())
                ?? _engine!.RecaptureReference(request.Window);
            _logger.RecaptureRequested(request.Window, outcome);
            if (outcome == RecaptureOutcome.Done)
            {
                Volatile.Write(ref _publishDue, 1);
            }

            request.Done.TrySetResult(outcome);
        }
    }

    private void Count(IProducer<string?, byte[]> producer, ConsumeResult<Ignore, byte[]> result, DateTimeOffset now)
    {
        Message<Ignore, byte[]> message = result.Message;
        if (_group is not null && _group.IsPartials(result.Topic))
        {
            _group.Accept(result.Topic, result.Partition.Value, result.Offset.Value, message.Value);
            return;
        }

        long timestamp = _settings.UseEventTime && message.Timestamp.Type != TimestampType.NotAvailable
            ? message.Timestamp.UnixTimestampMs
            : now.ToUnixTimeMilliseconds();
        byte[]? value = message.Value;
        EntropyEngine? engine = _engine;
        DecodeError error;
        if (_group is null)
        {
            error = engine!.Process(value ?? [], timestamp);
            _offsets[result.TopicPartition] = result.Offset.Value + 1;
        }
        else if (!_group.TryProcess(result.TopicPartition, result.Offset.Value, value ?? [], timestamp, out engine, out error))
        {
            return;
        }

        if (error != DecodeError.None)
        {
            DeadLetter(producer, result, error, value is null ? "the message has no value (tombstone)" : engine.LastErrorDetail);
        }
    }

    private void DeadLetter(IProducer<string?, byte[]> producer, ConsumeResult<Ignore, byte[]> result, DecodeError error, string detail)
    {
        _logger.DeadLettered(result.Topic, result.Partition.Value, result.Offset.Value, error, detail);
        var headers = new Headers
        {
            { "error", Encoding.UTF8.GetBytes(error.ToString()) },
            { "error.detail", Encoding.UTF8.GetBytes(detail) },
            { "source.topic", Encoding.UTF8.GetBytes(result.Topic) },
            { "source.partition", Encoding.UTF8.GetBytes(result.Partition.Value.ToString(CultureInfo.InvariantCulture)) },
            { "source.offset", Encoding.UTF8.GetBytes(result.Offset.Value.ToString(CultureInfo.InvariantCulture)) },
            { "source.timestamp", Encoding.UTF8.GetBytes(result.Message.Timestamp.UnixTimestampMs.ToString(CultureInfo.InvariantCulture)) },
        };
        producer.Produce(
            _settings.DeadLetterTopic,
            new Message<string?, byte[]> { Key = null, Value = result.Message.Value ?? [], Headers = headers },
            report =>
            {
                if (report.Error.IsError)
                {
                    Interlocked.Increment(ref _deliveryFailures);
                    _logger.DeliveryFailed(_settings.DeadLetterTopic, report.Error.Reason);
                }
            });
    }

    private void PublishClosed(IProducer<string?, byte[]> producer)
    {
        if (_group is not null)
        {
            _group.SendPartials(producer, current: false);
            return;
        }

        EntropyEngine engine = _engine!;
        IReadOnlyList<WindowSnapshot> closed = engine.TakeClosed();
        foreach (WindowSnapshot window in closed)
        {
            if (window.Drift is { } report)
            {
                _drift[window.Window] = report;
            }
        }

        foreach (AlertEvent alert in engine.TakeAlerts())
        {
            PublishAlert(producer, alert);
        }

        if (closed.Count > 0)
        {
            Emit(producer, closed, closed);
        }
    }

    private void PublishAlert(IProducer<string?, byte[]> producer, AlertEvent alert)
    {
        _logger.Alert(alert.State, alert.Rule, alert.Window, alert.Subject, alert.Metric, alert.Value, alert.Threshold);
        _recentAlerts.Enqueue(alert);
        while (_recentAlerts.Count > 200)
        {
            _recentAlerts.Dequeue();
        }

        if (!string.IsNullOrEmpty(_settings.AlertTopic))
        {
            producer.Produce(_settings.AlertTopic, new Message<string?, byte[]> { Key = alert.Key, Value = AlertJson.ToUtf8Bytes(alert) }, OnOutputDelivered);
        }
    }

    private void Publish(IProducer<string?, byte[]> producer)
    {
        if (_group is null)
        {
            IReadOnlyList<WindowSnapshot> windows = _engine!.Snapshot();
            Emit(producer, windows, windows);
            return;
        }

        // Scale-out: send this instance's partials, then publish the merges of the partials it owns (read back from
        // the partials topic, so the ones sent now are merged at a later publication).
        _group.SendPartials(producer, current: true);
        IReadOnlyList<WindowSnapshot> changed = _group.Merger.TakeChanged();
        foreach (AlertEvent alert in _group.Merger.Drift?.TakeAlerts() ?? [])
        {
            PublishAlert(producer, alert);
        }

        Emit(producer, changed, _group.Merger.Current());
    }

    private (long Processed, long Rejected) Totals() => _group?.Totals() ?? (_engine?.Processed ?? 0, _engine?.Rejected ?? 0);

    /// <summary>Produces the records of <paramref name="records"/> and publishes <paramref name="view"/> to this process.</summary>
    private void Emit(IProducer<string?, byte[]> producer, IReadOnlyList<WindowSnapshot> records, IReadOnlyList<WindowSnapshot> view)
    {
        DateTimeOffset now = _time.GetUtcNow();
        foreach (WindowSnapshot window in records)
        {
            foreach (OutputRecord record in SnapshotRecords.Build(window, _settings.Base, now))
            {
                try
                {
                    producer.Produce(_settings.OutputTopic, new Message<string?, byte[]> { Key = record.Key, Value = record.Json }, OnOutputDelivered);
                }
                catch (ProduceException<string?, byte[]> e)
                {
                    // The local queue is full (broker away for long): drop this publication, the next one supersedes it.
                    _logger.DeliveryFailed(_settings.OutputTopic, e.Error.Reason);
                    break;
                }
            }
        }

        var missing = new long[(_engine?.Schema ?? _group!.Schema).Fields.Count];
        for (int f = 0; f < missing.Length; f++)
        {
            missing[f] = _engine?.MissingTotal(f) ?? _group!.MissingTotal(f);
        }

        (long processed, long rejected) = Totals();
        MergedDrift? merged = _group?.Merger.Drift;
        IReadOnlyList<DriftReport> drift = merged is null ? [.. _drift.Values] : merged.Reports();
        IReadOnlyList<AlertEvent> active = merged?.Alerts.Active ?? _engine?.ActiveAlerts ?? [];
        var published = new PublishedSnapshot(now, view, processed, rejected, missing, drift, active, [.. _recentAlerts])
        {
            References = merged?.DescribeReferences() ?? _engine?.DriftReferences() ?? [],
        };
        Volatile.Write(ref _latest, published);
        _snapshots.OnNext(published);
    }

    private void OnOutputDelivered(DeliveryReport<string?, byte[]> report)
    {
        if (report.Error.IsError)
        {
            _logger.DeliveryFailed(_settings.OutputTopic, report.Error.Reason);
        }
    }

    private void Checkpoint(IConsumer<Ignore, byte[]> consumer, IProducer<string?, byte[]> producer)
    {
        DateTimeOffset now = _time.GetUtcNow();
        if (producer.Flush(FlushTimeout) > 0)
        {
            _logger.CheckpointSkipped("the producer could not flush dead letters within 30 s");
            Health.Checkpointed(now, ok: false);
            return;
        }

        if (Interlocked.Read(ref _deliveryFailures) > 0)
        {
            // A dead letter was lost: do not let a checkpoint cover it. A restart replays from the last good checkpoint.
            _logger.CheckpointSkipped("dead letters failed to deliver since the last checkpoint; restart to replay them");
            Health.Checkpointed(now, ok: false);
            return;
        }

        if (_group is not null)
        {
            List<TopicPartitionOffset>? covered = _group.SaveStates(producer);
            if (covered is null)
            {
                _logger.CheckpointSkipped("partition states could not be written to the state topic; the last durable ones stand");
                Health.Checkpointed(now, ok: false);
                return;
            }

            Health.Checkpointed(now, ok: true);
            _checkpointsWritten++;
            Health.CountCheckpoint();
            StoreOffsets(consumer, covered);
            return;
        }

        EntropyEngine engine = _engine!;
        try
        {
            using var state = new MemoryStream();
            engine.Save(state);
            var offsets = _offsets.ToDictionary(o => (o.Key.Topic, o.Key.Partition.Value), o => o.Value);
            Checkpoints.Save(new Checkpoint(offsets, state.ToArray()));
            _logger.CheckpointWritten(Checkpoints.FilePath, (int)state.Length, offsets.Count);
            Health.Checkpointed(now, ok: true);
            _checkpointsWritten++;
            Health.CountCheckpoint();
        }
        catch (IOException e)
        {
            _logger.CheckpointFailed(Checkpoints.FilePath, e.Message);
            Health.Error(e.Message);
            Health.Checkpointed(now, ok: false);
            return;
        }

        StoreOffsets(consumer, _offsets.Select(o => new TopicPartitionOffset(o.Key, new Offset(o.Value))));
    }

    private void StoreOffsets(IConsumer<Ignore, byte[]> consumer, IEnumerable<TopicPartitionOffset> offsets)
    {
        foreach (TopicPartitionOffset offset in offsets)
        {
            if (_assigned.Contains(offset.TopicPartition))
            {
                try
                {
                    consumer.StoreOffset(offset);
                }
                catch (KafkaException e)
                {
                    _logger.ClientError(e.Error.Code.ToString(), e.Error.Reason); // lost the partition meanwhile; its checkpoint stands
                }
            }
        }
    }

    private void Restore(EntropyEngine engine)
    {
        Checkpoint? checkpoint;
        try
        {
            checkpoint = Checkpoints.Load();
            if (checkpoint is null)
            {
                return;
            }

            engine.Restore(new MemoryStream(checkpoint.EngineState, writable: false));
        }
        catch (InvalidDataException e)
        {
            _logger.CheckpointUnusable(Checkpoints.FilePath, e.Message);
            throw;
        }

        foreach (((string topic, int partition), long offset) in checkpoint.Offsets)
        {
            _offsets[new TopicPartition(topic, new Partition(partition))] = offset;
        }

        _logger.CheckpointRestored(Checkpoints.FilePath, engine.Processed, checkpoint.Offsets);
    }

    private IProducer<string?, byte[]> BuildProducer()
    {
        var config = new ProducerConfig(new Dictionary<string, string>(_settings.Client))
        {
            BootstrapServers = _settings.BootstrapServers,
            EnableIdempotence = true,
            LingerMs = 5,
        };
        return new ProducerBuilder<string?, byte[]>(config)
            .SetErrorHandler((_, e) => OnClientError(e))
            .SetLogHandler((_, m) => _logger.LibrdkafkaLog(m.Name, m.Facility, m.Message))
            .Build();
    }

    private IConsumer<Ignore, byte[]> BuildConsumer(IProducer<string?, byte[]> producer)
    {
        var config = new ConsumerConfig(new Dictionary<string, string>(_settings.Client))
        {
            BootstrapServers = _settings.BootstrapServers,
            GroupId = _settings.GroupId,
            EnableAutoCommit = true,
            EnableAutoOffsetStore = false, // offsets are stored only once a checkpoint covers them
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = false,
            StatisticsIntervalMs = 2000,
        };
        return new ConsumerBuilder<Ignore, byte[]>(config)
            .SetErrorHandler((_, e) => OnClientError(e))
            .SetLogHandler((_, m) => _logger.LibrdkafkaLog(m.Name, m.Facility, m.Message))
            .SetStatisticsHandler((_, json) =>
            {
                Volatile.Write(ref _lag, ConsumerStatistics.ParseLag(json, _assigned));
                if (ConsumerStatistics.AnyBrokerUp(json) is bool up)
                {
                    Health.SetBrokerReachable(up);
                }
            })
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                _logger.PartitionsAssigned(partitions);
                foreach (TopicPartition tp in partitions)
                {
                    _assigned.Add(tp);
                }

                Health.SetAssigned(_assigned.Count);
                if (_group is not null)
                {
                    return _group.Assign(partitions);
                }

                // Resume each partition where the restored state stops; partitions it never saw start at the
                // committed offset (or the earliest one).
                return partitions.Select(tp => new TopicPartitionOffset(tp, _offsets.TryGetValue(tp, out long next) ? new Offset(next) : Offset.Unset));
            })
            .SetPartitionsRevokedHandler((c, partitions) =>
            {
                _logger.PartitionsRevoked(partitions);
                _group?.SendPartials(producer, current: true); // the merge has this owner's latest counts until the next one's
                if (_engine is not null || _group is not null)
                {
                    Checkpoint(c, producer); // offsets of the revoked partitions can still be stored here
                }

                _group?.Revoke(partitions.Select(p => p.TopicPartition));

                foreach (TopicPartitionOffset tpo in partitions)
                {
                    _assigned.Remove(tpo.TopicPartition);
                }

                Health.SetAssigned(_assigned.Count);
            })
            .SetPartitionsLostHandler((_, partitions) =>
            {
                _logger.PartitionsRevoked(partitions);
                _group?.Revoke(partitions.Select(p => p.TopicPartition)); // another member may own them already: write nothing
                foreach (TopicPartitionOffset tpo in partitions)
                {
                    _assigned.Remove(tpo.TopicPartition);
                }

                Health.SetAssigned(_assigned.Count);
            })
            .Build();
    }

    private void OnClientError(Error error)
    {
        Health.Error(error.Reason);
        if (error.Code == ErrorCode.Local_AllBrokersDown)
        {
            Health.SetBrokerReachable(false); // back to true with the next statistics that show a broker UP
        }

        if (error.IsFatal)
        {
            _logger.FatalError(error.Reason);
            return;
        }

        // librdkafka retries on its own and repeats an error at every attempt: say each kind once per 30 s.
        long now = Environment.TickCount64;
        lock (_errorGate)
        {
            if (_lastLoggedErrors.TryGetValue(error.Code, out long at) && now - at < 30_000)
            {
                return;
            }

            _lastLoggedErrors[error.Code] = now;
        }

        _logger.ClientError(error.Code.ToString(), error.Reason);
    }
}
