using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using StreamEntropy.Kafka.State;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Merging;
using StreamEntropy.Streaming.Output;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>Consumes events from Kafka, counts them in an <see cref="EntropyEngine"/>, publishes snapshots and checkpoints.</summary>
/// <remarks>
/// <para><see cref="Run"/> blocks: give it a dedicated thread, the consume thread. It polls Kafka, copies each record's
/// key and value into the arena of a batch (<see cref="ArenaDeserializer"/>) and hands full batches over a bounded
/// <see cref="Handoff"/> to one counting thread, which <see cref="Run"/> starts and which alone touches the engines,
/// the producer (dead letters, output, alerts, state records) and the checkpoints. System.Reactive timers only raise
/// flags (publish due, checkpoint due) that the counting thread serves between batches, so the per-event path stays
/// plain synchronous code. The consume thread keeps librdkafka, the assignment and the storing of offsets; a rebalance
/// callback reaches the engines through <see cref="Handoff.Invoke{T}"/>, behind every record handed off before it.</para>
/// <para>Exactly-once counting: the checkpoint holds the engine state and, per partition, the next offset it has not
/// counted, written atomically. Only after it is durable are those offsets stored for Kafka's auto-commit. On start the
/// state is restored and each assigned partition resumes at its checkpointed offset, so a crash replays exactly the
/// events the restored state has not seen. A checkpoint is written only once every dead letter of the events it covers
/// is acknowledged, and it records where later dead letters can start, so a restart does not write those of replayed
/// events twice (see <see cref="DeadLetterWriter"/>).</para>
/// <para>Who owns the engines and their saved state is chosen once, in the constructor: <see cref="StandaloneMode"/> (one
/// engine, one checkpoint file; described here) or, with <see cref="PipelineSettings.ScaleOut"/>, <see cref="GroupMode"/>
/// (one engine per owned partition, states in a compacted topic). The loop talks only to <see cref="IPartitionMode"/>.</para>
/// <para>Nothing on the counting thread waits for the broker for long: a checkpoint that finds dead letters still
/// unacknowledged is skipped and tried again at the next interval (readiness reports it), and output records are
/// never waited for. A durable save's offsets go back to the consume thread, which stores them for Kafka.</para>
/// </remarks>
public sealed class EntropyPipeline : IDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan DeadLetterWait = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a record waits in a batch that is not full before the batch is handed off anyway.</summary>
    private static readonly long MaxBatchAgeTicks = Stopwatch.Frequency / 500; // 2 ms

    /// <summary>Batches queued between the two threads at most (the consume thread waits beyond).</summary>
    private const int HandoffCapacity = 8;

    /// <summary>Records per batch.</summary>
    private const int BatchEvents = 2048;

    /// <summary>Key and value bytes per batch (a larger record still goes in one).</summary>
    private const int BatchBytes = 512 * 1024;

    /// <summary>Test hook for crash tests of real processes: with a value N, the process kills itself (SIGKILL) during
    /// its N-th checkpoint write, or the first later one that covers at least 500 events the previous checkpoint does not
    /// (so that what a restart must replay is never empty), after the temporary file is complete and before it replaces
    /// the checkpoint.</summary>
    internal const string KillDuringCheckpointVariable = "STREAMENTROPY_TEST_KILL_DURING_CHECKPOINT";

    /// <summary>Test hook for crash tests of real processes: with a value N, the process kills itself (SIGKILL) once it
    /// has counted N events past its last checkpoint, after writing to stderr the next offset of each partition it
    /// owns (the events it counted and no checkpoint covers are what the next owner must read again).</summary>
    internal const string KillAfterUncheckpointedEventsVariable = "STREAMENTROPY_TEST_KILL_AFTER_UNCHECKPOINTED_EVENTS";

    /// <summary>Room in a produced record, beyond the largest event, for its key, headers and our headers.</summary>
    private const int RecordHeadroomBytes = 64 * 1024;

    private readonly PipelineSettings _settings;
    private readonly Func<EntropyEngine> _engineFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IScheduler _scheduler;
    private readonly Subject<PublishedSnapshot> _snapshots = new();
    private readonly HashSet<TopicPartition> _assigned = [];
    private PublishedSnapshot? _latest;
    private IReadOnlyDictionary<(string Topic, int Partition), long> _lag = new Dictionary<(string, int), long>();
    private int _publishDue;
    private int _checkpointDue;
    private int _checkpointsWritten;
    private bool _stopping; // the graceful stop's final save was made (counting thread)
    private long _countingTicks; // time the counting thread spent in batches (read once it has ended)
    private long _pollTicks; // time the consume thread spent in polls that returned a record
    private long _eventsInSave; // EventsSinceLastCheckpoint when the state of the save being written was taken
    private DeadLetterWriter? _deadLetters; // while Run runs
    private bool _prepared;
    private readonly int _killAfterUncheckpointedEvents;
    private readonly DecodeError[] _runResults = new DecodeError[BatchEvents]; // a run's results and error details (counting thread)
    private readonly string?[] _runDetails = new string?[BatchEvents];
    private readonly Lock _errorGate = new();
    private readonly Dictionary<ErrorCode, long> _lastLoggedErrors = [];
    private readonly Queue<AlertEvent> _recentAlerts = new();
    private readonly HashSet<string> _discoveryLogged = new(StringComparer.Ordinal); // bounded by the rules' MaxFields
    private readonly IPartitionMode _mode;
    private readonly ConcurrentQueue<(string Window, TaskCompletionSource<RecaptureOutcome> Done)> _recaptures = new();
    private readonly ConcurrentQueue<IReadOnlyList<TopicPartitionOffset>> _covered = new(); // durable saves' offsets, to store

    // The batch poll's bookkeeping (consume thread): rebalance callbacks run so far, where each assigned partition
    // resumes (after the last record handed off, or where its assignment started), the partitions revoked or lost during
    // the current poll, and an exception of a callback (Confluent keeps those for Consume to rethrow; a batch poll
    // rethrows them itself).
    private int _rebalances;
    private readonly Dictionary<TopicPartition, long> _resume = [];
    private readonly HashSet<TopicPartition> _revokedInPoll = [];
    private ExceptionDispatchInfo? _callbackFault;

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
        if (int.TryParse(Environment.GetEnvironmentVariable(KillDuringCheckpointVariable), NumberStyles.None, CultureInfo.InvariantCulture, out int killAt) && killAt > 0)
        {
            int saves = 0;
            Checkpoints.BeforeRename = () =>
            {
                // On the thread that writes the file: the events it covers were counted when its state was taken.
                long covered = Volatile.Read(ref _eventsInSave);
                if (++saves >= killAt && covered >= 500)
                {
                    KillSelf($"inside a checkpoint write, {covered} events past the previous checkpoint"); // the temporary file stays
                }
            };
        }

        if (int.TryParse(Environment.GetEnvironmentVariable(KillAfterUncheckpointedEventsVariable), NumberStyles.None, CultureInfo.InvariantCulture, out int killAfter))
        {
            _killAfterUncheckpointedEvents = killAfter;
        }

        // The one place the mode is chosen: everything below talks to IPartitionMode.
        _mode = settings.ScaleOut is { } scaleOut
            ? new GroupMode(settings, scaleOut, engineFactory, logger, time, new KafkaGroupBroker(settings, logger))
            : new StandaloneMode(settings, engineFactory, Checkpoints, logger);
    }

    /// <summary>Gets every publication, pushed from the counting thread (subscribers must be quick and must not block).</summary>
    public IObservable<PublishedSnapshot> Snapshots => _snapshots.AsObservable();

    /// <summary>Gets the latest publication, or null before the first one (an immutable reference, swapped atomically).</summary>
    public PublishedSnapshot? Latest => Volatile.Read(ref _latest);

    /// <summary>Gets the consumer lag per assigned partition, from librdkafka's statistics (refreshed every 2 s).</summary>
    public IReadOnlyDictionary<(string Topic, int Partition), long> ConsumerLag => Volatile.Read(ref _lag);

    /// <summary>Gets the health of the loop, for readiness checks.</summary>
    public PipelineHealth Health { get; } = new();

    /// <summary>Gets the checkpoint store.</summary>
    public CheckpointStore Checkpoints { get; }

    /// <summary>Gets how many dead letters were written with a truncated value because the event was too large for the
    /// producer or the broker (monotonic since the process started).</summary>
    public long DeadLettersTruncated => _deadLetters?.Truncated ?? 0;

    /// <summary>Asks the counting thread to capture the drift reference of <paramref name="window"/> again (between two
    /// batches, like every change of the tables): the captured reference and the window's alert states are dropped, raised
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

    /// <summary>Gets or sets, for crash tests, after how many counted events past the last checkpoint the loop dies
    /// without its graceful stop, once at least one checkpoint was written (0: never).</summary>
    internal int CrashAfterUncheckpointedEvents { get; set; }

    /// <summary>Gets how many events were counted or dead-lettered since the last checkpoint (for crash tests).</summary>
    internal long EventsSinceLastCheckpoint { get; private set; }

    /// <summary>Gets how many dead letters of replayed events were not written again because an earlier life had.</summary>
    internal long DeadLettersSkipped => _deadLetters?.Skipped ?? 0;

    /// <summary>Gets how many polls of the batch poll saw a rebalance callback among their records, which were then read
    /// again (for tests).</summary>
    internal int BatchRewinds { get; private set; }

    /// <summary>Gets how many events this life counted or dead-lettered (for crash tests).</summary>
    internal long EventsRead { get; private set; }

    /// <summary>Gets how many events (counted and dead-lettered) the restored checkpoint held, 0 without one.</summary>
    internal long RestoredEvents => _mode.RestoredEvents;

    /// <summary>Checks that the checkpoint directory can be written and restores the checkpoint; <see cref="Run"/> does
    /// it if it was not done. Call it before starting to report an unusable directory or checkpoint at once.</summary>
    /// <exception cref="IOException">The checkpoint directory is a file or cannot be written (one-line message).</exception>
    /// <exception cref="InvalidDataException">The checkpoint cannot be used: corrupt, truncated, another format or
    /// another configuration (one-line message).</exception>
    public void PrepareState()
    {
        if (_prepared)
        {
            return;
        }

        Checkpoints.EnsureWritable();
        _mode.Prepare();
        _prepared = true;
    }

    /// <summary>Runs the loop until <paramref name="cancellationToken"/> is cancelled, then publishes, checkpoints and closes.</summary>
    /// <exception cref="InvalidDataException">The checkpoint on disk cannot be used (corrupt, or another configuration).</exception>
    /// <exception cref="IOException">The checkpoint directory cannot be written.</exception>
    public void Run(CancellationToken cancellationToken)
    {
        // First of all, so that it overlaps the producer's start, the dead-letter scan and the group join; the counting
        // thread waits for it before its first batch. It never throws.
        var warmUp = new Thread(WarmUp) { IsBackground = true, Name = "stream-entropy warm-up" };
        warmUp.Start();
        PrepareState();
        Health.SetRunning(true);
        using IProducer<string?, byte[]> producer = BuildProducer();
        using var deadLetters = new DeadLetterWriter(_settings, _logger, producer.Handle);
        _deadLetters = deadLetters;
        if (_mode.Start(producer) is { } replay)
        {
            deadLetters.Scan(replay.DeadLetters, replay.ResumeAt);
        }

        using var handoff = new Handoff(HandoffCapacity, BatchEvents, BatchBytes);
        using IConsumer<PayloadSlice, PayloadSlice> consumer = BuildConsumer(handoff, producer, deadLetters);
        using BatchPoller? poller = StartBatchPoll(consumer); // declared after the consumer: destroyed before it
        using IDisposable publishTimer = Observable.Interval(_settings.PublishInterval, _scheduler).Subscribe(_ => Volatile.Write(ref _publishDue, 1));
        using IDisposable checkpointTimer = Observable.Interval(_settings.CheckpointInterval, _scheduler).Subscribe(_ => Volatile.Write(ref _checkpointDue, 1));
        var counting = new Thread(() => CountLoop(handoff, producer, deadLetters, warmUp)) { IsBackground = true, Name = "stream-entropy counting" };
        counting.Start();
        try
        {
            consumer.Subscribe(_mode.Topics);
            try
            {
                if (poller is null)
                {
                    Loop(consumer, handoff, cancellationToken);
                }
                else
                {
                    BatchLoop(consumer, poller, handoff, cancellationToken);
                }
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

            // Graceful stop: what was handed off is counted, then the final snapshot, checkpoint, store offsets, leave
            // the group (its revocation saves again, behind the same queue), flush.
            handoff.Invoke(() =>
            {
                _stopping = true; // no periodic save from here on: none is left half-written when Run returns
                PublishClosed(producer);
                Publish(producer);
                Checkpoint(producer, deadLetters, final: true);
                return true;
            });
            StoreCovered(consumer);
            try
            {
                consumer.Close();
            }
            catch (KafkaException e)
            {
                _logger.ClientError(e.Error.Code.ToString(), e.Error.Reason);
            }

            handoff.Complete();
            counting.Join();
        }
        finally
        {
            handoff.Abort(); // after a failure: the counting thread stops without counting what is still queued
            counting.Join();
            handoff.Dispose(); // destroys the librdkafka messages the batches hold, before the poller and the consumer go
        }

        int undelivered = producer.Flush(FlushTimeout);
        if (undelivered > 0)
        {
            _logger.FlushIncomplete(undelivered, deadLetters.Pending);
        }

        while (_recaptures.TryDequeue(out (string Window, TaskCompletionSource<RecaptureOutcome> Done) request))
        {
            request.Done.TrySetCanceled(cancellationToken);
        }

        Health.SetAssigned(0);
        Health.SetRunning(false);
        (long processed, long rejected) = _mode.Totals();
        _logger.Stopped(processed, rejected);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.HandoffStopped(handoff.RecordsSent, handoff.BatchesSent, (long)handoff.ActiveTime.TotalMilliseconds, (long)Stopwatch.GetElapsedTime(0, _pollTicks).TotalMilliseconds, (long)Stopwatch.GetElapsedTime(0, _countingTicks).TotalMilliseconds, handoff.SenderWaits, (long)handoff.SenderWaitTime.TotalMilliseconds);
        }
        _snapshots.OnCompleted();
    }

    public void Dispose() => _snapshots.Dispose();

    // The consume thread: polls, fills batches, hands them off (waiting while the queue is full) and stores the offsets
    // of durable saves. A batch is handed off when full, when a poll found nothing, or 2 ms after its first record.
    private void Loop(IConsumer<PayloadSlice, PayloadSlice> consumer, Handoff handoff, CancellationToken cancellationToken)
    {
        long sendBy = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            handoff.ThrowIfFaulted();
            StoreCovered(consumer);
            ConsumeResult<PayloadSlice, PayloadSlice>? result = null;
            long pollFrom = Stopwatch.GetTimestamp();
            try
            {
                result = consumer.Consume(handoff.Filling.Count == 0 ? PollTimeout : Stopwatch.GetElapsedTime(pollFrom, Math.Max(sendBy, pollFrom)));
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
            catch (Exception) when (handoff.Faulted)
            {
                handoff.ThrowIfFaulted(); // the counting thread's end, met inside a rebalance callback
                throw;
            }

            long polled = Stopwatch.GetTimestamp();
            DateTimeOffset now = _time.GetUtcNow();
            Health.Polled(now);
            HandoffBatch batch = handoff.Filling; // after the poll: a rebalance callback in it hands off the batch it finds
            if (result is { IsPartitionEOF: false, Message: { } message })
            {
                _pollTicks += polled - pollFrom;
                if (batch.Count == 0)
                {
                    sendBy = polled + MaxBatchAgeTicks;
                }

                long timestamp = _settings.UseEventTime && message.Timestamp.Type != TimestampType.NotAvailable
                    ? message.Timestamp.UnixTimestampMs
                    : now.ToUnixTimeMilliseconds();
                batch.Add(result, timestamp);
            }

            if (batch.Count > 0 && (result is null || batch.IsFull || polled >= sendBy))
            {
                handoff.Send();
            }
        }
    }

    private BatchPoller? StartBatchPoll(IConsumer<PayloadSlice, PayloadSlice> consumer)
    {
        if (!_settings.BatchPoll)
        {
            return null;
        }

        BatchPoller? poller = BatchPoller.TryCreate(consumer, BatchEvents, out string? whyNot);
        if (poller is null)
        {
            _logger.BatchPollUnavailable(whyNot ?? "unknown");
        }
        else
        {
            _logger.BatchPollOn(BatchEvents);
        }

        return poller;
    }

    // The consume thread with the batch poll: the same hand-off rules as Loop, many records per native call. A poll that
    // waits asks for one record, so callbacks served while it waits come before that record; a poll that fills a batch
    // takes what arrives until the batch is full or 2 ms after its first record, and if a rebalance callback ran inside
    // it, its records may lie on both sides of the callback: none is handed off, and their partitions are sought back.
    private void BatchLoop(IConsumer<PayloadSlice, PayloadSlice> consumer, BatchPoller poller, Handoff handoff, CancellationToken cancellationToken)
    {
        long sendBy = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            handoff.ThrowIfFaulted();
            StoreCovered(consumer);
            handoff.ResetReturned(); // the librdkafka messages of the batches counted since the last poll go now
            int filled = handoff.Filling.Count;
            int wanted = filled == 0 ? 1 : BatchEvents - filled;
            long pollFrom = Stopwatch.GetTimestamp();
            TimeSpan timeout = filled == 0 ? PollTimeout : Stopwatch.GetElapsedTime(pollFrom, Math.Max(sendBy, pollFrom));
            int rebalances = _rebalances;
            _revokedInPoll.Clear();
            int received = poller.Poll(timeout, wanted);
            try
            {
                handoff.ThrowIfFaulted(); // the counting thread's end, met inside a rebalance callback
                Interlocked.Exchange(ref _callbackFault, null)?.Throw();
                long polled = Stopwatch.GetTimestamp();
                DateTimeOffset now = _time.GetUtcNow();
                Health.Polled(now);
                if (received > 0)
                {
                    _pollTicks += polled - pollFrom;
                }

                if (wanted > 1 && received > 0 && rebalances != _rebalances)
                {
                    Rewind(consumer, poller, received);
                }
                else
                {
                    long nowMs = now.ToUnixTimeMilliseconds();
                    TopicPartition? run = null; // where the records of one partition resume, noted once per run of them
                    long runNext = 0;
                    for (int i = 0; i < received; i++)
                    {
                        if (poller.ErrorOf(i) != 0)
                        {
                            OnConsumeError(poller, i);
                            continue;
                        }

                        HandoffBatch filling = handoff.Filling; // a callback in the poll may have handed off the one before
                        if (filling.Count == 0)
                        {
                            sendBy = polled + MaxBatchAgeTicks;
                        }

                        poller.AddTo(i, filling, _settings.UseEventTime, nowMs);
                        int last = filling.Count - 1;
                        TopicPartition partition = filling.Partition(last); // the same object along a run (HandoffBatch.Add)
                        if (!ReferenceEquals(partition, run))
                        {
                            NoteResume(run, runNext);
                            run = partition;
                        }

                        runNext = filling.Offset(last) + 1;
                        if (filling.IsFull)
                        {
                            handoff.Send();
                        }
                    }

                    NoteResume(run, runNext); // before the next poll, whose callbacks and Rewind read it
                }

                HandoffBatch batch = handoff.Filling;
                if (batch.Count > 0 && (received == 0 || batch.IsFull || polled >= sendBy))
                {
                    handoff.Send();
                }
            }
            finally
            {
                poller.Release();
            }
        }
    }

    // Notes that the records of partition up to next − 1 are handed off (none while partition is null).
    private void NoteResume(TopicPartition? partition, long next)
    {
        if (partition is not null)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_resume, partition, out _) = next;
        }
    }

    // The records of a poll in which a rebalance callback ran: some may precede the callback (a revocation has saved
    // without them, or an assignment has restored a state they are not in), so none is handed off. Each partition still
    // assigned is sought back to where it resumes: after the last record handed off, or where its assignment started;
    // when that start was not an offset (committed, earliest), to the first record of this poll, which then can only
    // come from the new assignment, unless the partition was revoked and assigned again inside the poll: that case
    // cannot be told apart and ends Run like a crash (a restart replays from the checkpoint: nothing lost or doubled).
    private void Rewind(IConsumer<PayloadSlice, PayloadSlice> consumer, BatchPoller poller, int received)
    {
        var first = new Dictionary<TopicPartition, long>();
        for (int i = 0; i < received; i++)
        {
            if (poller.ErrorOf(i) != 0)
            {
                OnConsumeError(poller, i);
                continue;
            }

            var tp = new TopicPartition(poller.TopicOf(i), poller.PartitionOf(i));
            long offset = poller.OffsetOf(i);
            if (!first.TryGetValue(tp, out long known) || offset < known)
            {
                first[tp] = offset;
            }
        }

        int sought = 0;
        foreach ((TopicPartition tp, long offset) in first)
        {
            if (!_assigned.Contains(tp))
            {
                continue; // revoked or lost: its next owner reads these records from the last stored offset
            }

            long target;
            if (_resume.TryGetValue(tp, out long resume))
            {
                target = resume;
            }
            else if (!_revokedInPoll.Contains(tp))
            {
                target = offset;
            }
            else
            {
                throw new KafkaException(new Error(ErrorCode.Local_State, $"batch poll: {tp} was revoked and assigned again inside one poll with no offset to resume at; stopping without a checkpoint so that a restart replays it"));
            }

            consumer.Seek(new TopicPartitionOffset(tp, new Offset(target))); // a failure ends Run like a crash
            sought++;
        }

        BatchRewinds++;
        _logger.BatchRewound(received, sought);
    }

    private void OnConsumeError(BatchPoller poller, int i)
    {
        int code = poller.ErrorOf(i);
        if (code == LibrdkafkaConsume.PartitionEof)
        {
            return;
        }

        string reason = poller.ErrorReason(i);
        string? topic = poller.TopicOf(i);
        _logger.ConsumeError(topic is null ? "(unknown)" : $"{topic} [[{poller.PartitionOf(i)}]]", reason);
        Health.Error(reason);
        if (code == LibrdkafkaConsume.Fatal)
        {
            _logger.FatalError(reason);
            throw new KafkaException(new Error(ErrorCode.Local_Fatal, reason, isFatal: true));
        }
    }

    // The counting thread: counts each batch, then serves what is due (processing time, re-captures, closed windows,
    // publication, checkpoint, a save in flight) between batches, or every PollTimeout when nothing arrives.
    private void CountLoop(Handoff handoff, IProducer<string?, byte[]> producer, DeadLetterWriter deadLetters, Thread warmUp)
    {
        try
        {
            warmUp.Join();
            while (handoff.Take(PollTimeout, out HandoffBatch? batch))
            {
                if (batch is not null)
                {
                    long from = Stopwatch.GetTimestamp();
                    Count(batch, deadLetters);
                    _countingTicks += Stopwatch.GetTimestamp() - from;
                    handoff.Return(batch);
                }

                if (!_settings.UseEventTime)
                {
                    _mode.AdvanceTo(_time.GetUtcNow().ToUnixTimeMilliseconds());
                }

                ServeRecaptures();
                PublishClosed(producer);
                if (Interlocked.Exchange(ref _publishDue, 0) == 1)
                {
                    Publish(producer);
                }

                if (Interlocked.Exchange(ref _checkpointDue, 0) == 1)
                {
                    Checkpoint(producer, deadLetters, final: false);
                }

                Saved(_mode.CompleteSave());
            }
        }
#pragma warning disable CA1031 // whatever ends the counting thread is rethrown on the consume thread, which ends Run
        catch (Exception e)
#pragma warning restore CA1031
        {
            handoff.Fail(e);
        }
    }

    // Compiles the per-event code on a throwaway engine while the worker starts and the consumer joins its group (see
    // EngineWarmup): otherwise the first records pay for it, 70-100 ms of the counting thread. Compiled code serves every
    // thread, so it runs on a thread of its own, started first thing in Run. A failure costs only that time.
    private void WarmUp()
    {
        long from = Stopwatch.GetTimestamp();
        try
        {
            int events = EngineWarmup.Run(_engineFactory(), _time.GetUtcNow().ToUnixTimeMilliseconds());
            long ms = (long)Stopwatch.GetElapsedTime(from).TotalMilliseconds;
            _logger.WarmedUp(events, ms);
        }
#pragma warning disable CA1031 // made-up events in a throwaway engine: nothing that goes wrong there may stop counting
        catch (Exception e)
#pragma warning restore CA1031
        {
            _logger.WarmUpFailed(e.Message);
        }
    }

    // Served on the counting thread, the tables' only writer; the clear events go out with the next PublishClosed (single
    // instance) or Publish (Group mode), and a publication is brought forward so that /api/alerts shows the change.
    private void ServeRecaptures()
    {
        while (_recaptures.TryDequeue(out (string Window, TaskCompletionSource<RecaptureOutcome> Done) request))
        {
            RecaptureOutcome outcome = _mode.Recapture(request.Window, _time.GetUtcNow().ToUnixTimeMilliseconds());
            _logger.RecaptureRequested(request.Window, outcome);
            if (outcome == RecaptureOutcome.Done)
            {
                Volatile.Write(ref _publishDue, 1);
            }

            request.Done.TrySetResult(outcome);
        }
    }

    // Counts the batch run by run: consecutive records of one partition go to its engine's ProcessMany together. A run is
    // cut short where a crash-test hook could fire, so that the hook fires after the same event as when records were
    // counted one by one (the engine then has counted nothing past it).
    private void Count(HandoffBatch batch, DeadLetterWriter deadLetters)
    {
        Span<DecodeError> results = _runResults;
        Span<string?> details = _runDetails;
        int i = 0;
        while (i < batch.Count)
        {
            int end = batch.RunEnd(i);
            end -= Math.Max(0, end - i - HookRunLimit());
            bool events = _mode.TryCountRun(batch, i, end, results, details);
            for (int k = i; k < end; k++)
            {
                if (events)
                {
                    Counted(batch, k, results[k - i], details[k - i], deadLetters);
                }
            }

            i = end;
        }
    }

    // The most records a run may have before a crash-test hook could fire; unlimited without hooks.
    private int HookRunLimit()
    {
        long limit = int.MaxValue;
        if (CrashAfterUncheckpointedEvents > 0 && _checkpointsWritten > 0)
        {
            limit = Math.Min(limit, CrashAfterUncheckpointedEvents - EventsSinceLastCheckpoint);
        }

        if (_killAfterUncheckpointedEvents > 0 && _checkpointsWritten > 0)
        {
            limit = Math.Min(limit, _killAfterUncheckpointedEvents - (EventsSinceLastCheckpoint - _eventsInSave));
        }

        return (int)Math.Max(limit, 1);
    }

    // What follows each counted (or rejected) event, in order: the counters, its dead letter, the crash-test hooks.
    private void Counted(HandoffBatch batch, int i, DecodeError error, string? detail, DeadLetterWriter deadLetters)
    {
        EventsSinceLastCheckpoint++;
        EventsRead++;
        if (error != DecodeError.None)
        {
            deadLetters.Write(batch.ToResult(i), error, batch.IsTombstone(i) ? "the message has no value (tombstone)" : detail ?? string.Empty);
        }

        if (CrashAfterUncheckpointedEvents > 0 && _checkpointsWritten > 0 && EventsSinceLastCheckpoint >= CrashAfterUncheckpointedEvents)
        {
            // A save still being written would complete after the "crash": settle it first, then see again.
            SettleSave();
            if (EventsSinceLastCheckpoint >= CrashAfterUncheckpointedEvents)
            {
                throw new SimulatedCrashException();
            }
        }

        // Counted from the last save started, not the last acknowledged: a save still in flight may land after the
        // kill, and the events past it are the ones a successor must read again. (_eventsInSave is where the last
        // save started, 0 once that save is durable.)
        if (_killAfterUncheckpointedEvents > 0 && _checkpointsWritten > 0 && EventsSinceLastCheckpoint - _eventsInSave >= _killAfterUncheckpointedEvents)
        {
            IEnumerable<(string Topic, int Partition, long Next)> next = _mode.NextOffsets();
            KillSelf($"{EventsSinceLastCheckpoint - _eventsInSave} events counted past the last checkpoint; next offsets {string.Join(", ", next.Select(n => $"{n.Topic}[{n.Partition}]@{n.Next}"))}");
        }
    }

    private void PublishClosed(IProducer<string?, byte[]> producer)
    {
        Publication closed = _mode.TakeClosed();
        foreach (AlertEvent alert in closed.Alerts)
        {
            PublishAlert(producer, alert);
        }

        if (closed.Records.Count > 0)
        {
            Emit(producer, closed.Records, closed.View);
        }
    }

    /// <summary>The windows of <paramref name="previous"/>, each replaced by its namesake in <paramref name="published"/>
    /// (in the previous order; windows new in <paramref name="published"/> are appended).</summary>
    private static IReadOnlyList<WindowSnapshot> WithEveryWindow(IReadOnlyList<WindowSnapshot> previous, IReadOnlyList<WindowSnapshot> published)
    {
        if (published.Count >= previous.Count && previous.All(p => published.Any(w => w.Window == p.Window)))
        {
            return published;
        }

        var merged = previous.Select(p => published.FirstOrDefault(w => w.Window == p.Window) ?? p).ToList();
        merged.AddRange(published.Where(w => !previous.Any(p => p.Window == w.Window)));
        return merged;
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
        Publication current = _mode.TakeCurrent();
        foreach (AlertEvent alert in current.Alerts)
        {
            PublishAlert(producer, alert);
        }

        Emit(producer, current.Records, current.View);
    }

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

        LogDiscovery();
        (long processed, long rejected) = _mode.Totals();
        var published = new PublishedSnapshot(now, view, processed, rejected, _mode.MissingTotals(), _mode.DriftReports(), _mode.ActiveAlerts(), [.. _recentAlerts])
        {
            References = _mode.DriftReferences(),
            DiscoveryDropped = _mode.DiscoveryDropped(),
        };

        // Latest always holds every window: a publication of just-closed windows replaces those and keeps the others,
        // so a reader (a /metrics scrape, /api/entropy) never sees the other windows vanish for a moment. Subscribers
        // still get each publication as it was made.
        PublishedSnapshot? previous = Volatile.Read(ref _latest);
        Volatile.Write(ref _latest, previous is null ? published : published with { Windows = WithEveryWindow(previous.Windows, view) });
        _snapshots.OnNext(published);
    }

    // Each discovered field once per process (several partitions' engines find the same ones), and the first refusal
    // of each kind. Names come from producers: escaped for the log.
    private void LogDiscovery()
    {
        foreach (DiscoveryNotice notice in _mode.TakeDiscoveryNotices())
        {
            if (!_discoveryLogged.Add($"{notice.Outcome}/{(notice.Outcome == DiscoveryOutcome.Added ? notice.Path : "")}"))
            {
                continue;
            }

            string path = DisplayText.Escape(notice.Path);
            switch (notice.Outcome)
            {
                case DiscoveryOutcome.Added:
                    _logger.FieldDiscovered(path);
                    break;
                case DiscoveryOutcome.LimitReached:
                    _logger.DiscoveryLimitReached(path);
                    break;
                case DiscoveryOutcome.TooLong:
                    _logger.DiscoveredPathTooLong(DiscoveryRule.MaxPathBytes);
                    break;
                case DiscoveryOutcome.NameTaken:
                    _logger.DiscoveredNameTaken(path);
                    break;
            }
        }
    }

    private void OnOutputDelivered(DeliveryReport<string?, byte[]> report)
    {
        if (report.Error.IsError)
        {
            _logger.DeliveryFailed(_settings.OutputTopic, report.Error.Reason);
        }
    }

    // final: at the stop or a revocation, wait (bounded) for what must be durable, as offsets are stored now or never;
    // otherwise nothing waits on the counting thread for more than a moment.
    private void Checkpoint(IProducer<string?, byte[]> producer, DeadLetterWriter deadLetters, bool final)
    {
        if (!final && (_mode.SaveInFlight || _stopping))
        {
            return; // the save in flight completes first (CompleteSave); the next interval saves a newer state
        }

        DateTimeOffset now = _time.GetUtcNow();
        if (deadLetters.Pending > 0)
        {
            // Only dead letters must be durable before a checkpoint covers their events; output records are not waited
            // for. A short wait while running (counting goes on and the next interval tries again), a longer one at stop.
            producer.Flush(final ? FlushTimeout : DeadLetterWait);
        }

        long pending = deadLetters.Pending;
        if (pending > 0)
        {
            _logger.CheckpointSkipped($"{pending} dead letters are not yet acknowledged by the broker; the checkpoint is tried again at the next interval");
            Health.Checkpointed(now, ok: false);
            return;
        }

        if (deadLetters.Failures > 0)
        {
            // A dead letter was lost: do not let a checkpoint cover it. A restart replays from the last good checkpoint.
            _logger.CheckpointSkipped($"{deadLetters.Failures} dead letters failed to deliver; restart to replay them");
            Health.Checkpointed(now, ok: false);
            return;
        }

        Volatile.Write(ref _eventsInSave, EventsSinceLastCheckpoint); // what the crash-test hook's file covers
        Saved(_mode.Save(deadLetters.Progress(), final), now);
    }

    // For the in-process crash hook: waits (bounded) until no save is in flight, and takes its outcome.
    private void SettleSave()
    {
        DateTime deadline = DateTime.UtcNow + FlushTimeout;
        while (_mode.SaveInFlight && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(1);
            Saved(_mode.CompleteSave());
        }
    }

    // The crash-test hooks' end: one line on stderr (written through at once, unlike the log), then SIGKILL.
    private static void KillSelf(string why)
    {
        Console.Error.WriteLine($"test hook: SIGKILL {why}");
        Console.Error.Flush();
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        self.Kill();
    }

    // A durable save: its offsets go to the consume thread, which stores them for Kafka's auto-commit. A failed one:
    // readiness says so, and the next interval tries again.
    private void Saved(SaveOutcome outcome, DateTimeOffset? at = null)
    {
        if (outcome.Covered is { } covered)
        {
            Health.Checkpointed(at ?? _time.GetUtcNow(), ok: true);
            _checkpointsWritten++;
            EventsSinceLastCheckpoint -= _eventsInSave; // those counted since its state was taken are not covered
            Volatile.Write(ref _eventsInSave, 0);
            Health.CountCheckpoint();
            _covered.Enqueue(covered);
        }
        else if (outcome.Failed)
        {
            if (outcome.Error is { } error)
            {
                Health.Error(error);
            }

            Health.Checkpointed(at ?? _time.GetUtcNow(), ok: false);
        }
    }

    // On the consume thread: the offsets of durable saves, in the order they became durable, for partitions still
    // assigned (a revoked partition's were stored in its revocation callback, or belong to its next owner now).
    private void StoreCovered(IConsumer<PayloadSlice, PayloadSlice> consumer)
    {
        while (_covered.TryDequeue(out IReadOnlyList<TopicPartitionOffset>? offsets))
        {
            StoreOffsets(consumer, offsets);
        }
    }

    private void StoreOffsets(IConsumer<PayloadSlice, PayloadSlice> consumer, IEnumerable<TopicPartitionOffset> offsets)
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

    private IProducer<string?, byte[]> BuildProducer()
    {
        var config = new ProducerConfig(new Dictionary<string, string>(_settings.Client))
        {
            BootstrapServers = _settings.BootstrapServers,
            EnableIdempotence = true,
            LingerMs = 5,
        };

        // librdkafka's default limit (1 000 000 bytes) is below the default MaxEventBytes (1 MiB): an event the input
        // topic accepted must fit in its dead letter, with room for its key and headers. (A broker whose limit is lower
        // still refuses it; DeadLetterWriter then writes a truncated copy.)
        int wanted = _settings.MaxEventBytes + RecordHeadroomBytes;
        if (config.MessageMaxBytes is not int configured || configured < wanted)
        {
            config.MessageMaxBytes = wanted;
        }

        return new ProducerBuilder<string?, byte[]>(config)
            .SetErrorHandler((_, e) => OnClientError(e))
            .SetLogHandler((_, m) => _logger.LibrdkafkaLog(m.Name, m.Facility, m.Message))
            .Build();
    }

    // The callbacks run on the consume thread, inside a poll; what touches the engines runs on the counting thread,
    // behind every record handed off before (Handoff.Invoke), so a revocation saves exactly what was counted.
    private IConsumer<PayloadSlice, PayloadSlice> BuildConsumer(Handoff handoff, IProducer<string?, byte[]> producer, DeadLetterWriter deadLetters)
    {
        ConsumerConfig config = ConsumerSettings.Build(_settings);
        var arena = new ArenaDeserializer(handoff);
        return new ConsumerBuilder<PayloadSlice, PayloadSlice>(config)
            .SetKeyDeserializer(arena)
            .SetValueDeserializer(arena)
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
            .SetPartitionsAssignedHandler((_, partitions) => Callback(() =>
            {
                _logger.PartitionsAssigned(partitions);
                foreach (TopicPartition tp in partitions)
                {
                    _assigned.Add(tp);
                }

                Health.SetAssigned(_assigned.Count);
                IReadOnlyList<TopicPartitionOffset> start = handoff.Invoke(() =>
                {
                    IReadOnlyList<TopicPartitionOffset> start = _mode.Assign(partitions, out StateRestore? replay);
                    if (replay is not null)
                    {
                        // Dead letters the previous owners wrote for events about to be replayed here are not written again.
                        deadLetters.Scan(replay.DeadLetters, replay.ResumeAt);
                    }

                    return start;
                });
                foreach (TopicPartitionOffset tpo in start)
                {
                    if (tpo.Offset.IsSpecial)
                    {
                        _resume.Remove(tpo.TopicPartition);
                    }
                    else
                    {
                        _resume[tpo.TopicPartition] = tpo.Offset.Value;
                    }
                }

                return start;
            }))
            .SetPartitionsRevokedHandler((c, partitions) => Callback(() =>
            {
                _logger.PartitionsRevoked(partitions);
                handoff.Invoke(() =>
                {
                    _mode.Revoking();
                    Checkpoint(producer, deadLetters, final: true);
                    _mode.Revoke(partitions.Select(p => p.TopicPartition));
                    return true;
                });
                StoreCovered(c); // offsets of the revoked partitions can still be stored here

                Unassigned(partitions);
                return true;
            }))
            .SetPartitionsLostHandler((c, partitions) => Callback(() =>
            {
                _logger.PartitionsRevoked(partitions);
                handoff.Invoke(() =>
                {
                    _mode.Revoke(partitions.Select(p => p.TopicPartition)); // another member may own them already: write nothing
                    return true;
                });
                Unassigned(partitions);
                StoreCovered(c); // earlier saves' offsets of the partitions still assigned
                return true;
            }))
            .Build();
    }

    private void Unassigned(List<TopicPartitionOffset> partitions)
    {
        foreach (TopicPartitionOffset tpo in partitions)
        {
            _assigned.Remove(tpo.TopicPartition);
            _resume.Remove(tpo.TopicPartition);
            _revokedInPoll.Add(tpo.TopicPartition);
        }

        Health.SetAssigned(_assigned.Count);
    }

    // Every rebalance callback: counted (the batch poll must know one ran inside a poll), and an exception is kept for
    // the batch poll to rethrow (Confluent keeps it too, and rethrows it from Consume).
    private T Callback<T>(Func<T> handler)
    {
        _rebalances++;
        try
        {
            return handler();
        }
        catch (Exception e)
        {
            _callbackFault = ExceptionDispatchInfo.Capture(e);
            throw;
        }
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
