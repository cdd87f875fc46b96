using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Kafka.State;
using StreamEntropy.Kafka.Tests.Fakes;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Partials;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Kafka.Tests;

/// <summary>Group mode against fakes of the producer, the state topic and the metadata: takeover restores, saves
/// that store offsets only once acknowledged, and partials sent where their owner merges them.</summary>
public sealed class GroupModeTests : IDisposable
{
    private const long T0 = 1_764_000_000_000; // a whole minute

    private static readonly PipelineSettings Settings = new()
    {
        BootstrapServers = "127.0.0.1:9",
        GroupId = "g",
        Topics = ["events"],
        OutputTopic = "out",
        DeadLetterTopic = "dead",
        CheckpointDirectory = "unused",
        ScaleOut = new ScaleOutSettings("state", "partials"),
    };

    private readonly FakeTopic _state = new("state", 2);
    private readonly FakeProducer _producer = new();
    private readonly FakeGroupBroker _broker;

    public GroupModeTests() => _broker = new FakeGroupBroker(_state, new Dictionary<string, int> { ["events"] = 3, ["partials"] = 4 });

    public void Dispose() => _producer.Dispose();

    private static TopicPartition Events(int partition) => new("events", new Partition(partition));

    private static TopicPartition Partials(int partition) => new("partials", new Partition(partition));

    private static EntropyEngine TumblingEngine() => new(
        new EventSchema([new FieldDefinition("country", "country"), new FieldDefinition("status", "status")], [new PairDefinition("country", "status")]),
        [new WindowDefinition("minute", WindowKind.Tumbling, TimeSpan.FromMinutes(1))],
        EntropyEstimator.MaximumLikelihood);

    private static byte[] StateRecord(int partition, long next, int events, DeadLetterProgress? progress = null) =>
        CheckpointStore.Serialize(new Checkpoint(new Dictionary<(string, int), long> { [("events", partition)] = next }, CheckpointStoreTests.EngineState(events)) { DeadLetters = progress });

    private static ConsumeResult<byte[]?, byte[]?> Event(TopicPartition tp, long offset, string json) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset(tp, new Offset(offset)),
        Message = new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes(json) },
    };

    private GroupMode Started(Func<EntropyEngine>? engines = null, long inlineStateBytes = 1 << 20, FakeProducer? producer = null)
    {
        var mode = new GroupMode(Settings, Settings.ScaleOut!, engines ?? (() => CheckpointStoreTests.FixtureEngine()), NullLogger.Instance, new FakeTimeProvider(), _broker)
        {
            InlineStateBytes = inlineStateBytes,
        };
        Assert.Null(mode.Start(producer ?? _producer));
        return mode;
    }

    // Polls CompleteSave (as the counting thread does after every batch) until the state records of a save whose
    // states are encoded on a pool thread are produced.
    private List<Produced> CompleteUntilProduced(GroupMode mode, int records)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (StateRecords().Count < records && DateTime.UtcNow < deadline)
        {
            Assert.Same(SaveOutcome.Pending, mode.CompleteSave());
            Thread.Sleep(1);
        }

        return StateRecords();
    }

    private static EntropyEngine Count(GroupMode mode, TopicPartition tp, long offset, string json, long timestampMs)
    {
        Assert.True(mode.TryCount(Event(tp, offset, json), timestampMs, out EntropyEngine? engine, out DecodeError error));
        Assert.Equal(DecodeError.None, error);
        return engine;
    }

    private List<Produced> StateRecords() => [.. _producer.Produced.Where(r => r.Topic == "state")];

    [Fact]
    public void Start_StateTopicMissing_SaysHowToCreateIt()
    {
        var broker = new FakeGroupBroker(new FakeTopic("other-state", 1), new Dictionary<string, int> { ["events"] = 3, ["partials"] = 4 });
        var mode = new GroupMode(Settings, Settings.ScaleOut!, () => CheckpointStoreTests.FixtureEngine(), NullLogger.Instance, new FakeTimeProvider(), broker);

        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => mode.Start(_producer));

        Assert.Equal(
            "Scale-out needs the topic 'state' (no metadata). Create it with cleanup.policy=compact, e.g. " +
            "kafka-topics.sh --create --topic state --partitions 12 --config cleanup.policy=compact.",
            e.Message);
        Assert.Equal(["state"], broker.Described); // stops at the first missing topic
    }

    [Fact]
    public void Start_LooksUpTheStatePartialsAndInputTopics_AndSubscribesToInputsAndPartials()
    {
        GroupMode mode = Started();

        Assert.Equal(["state", "partials", "events"], _broker.Described);
        Assert.Equal(["events", "partials"], mode.Topics);
    }

    [Fact]
    public void Assign_RestoresTheNewestStateOfEachPartition_AndResumesAtItsOffset()
    {
        _state.Append(0, "g/events/0", StateRecord(0, next: 10, events: 10));
        _state.Append(1, "g/events/1", StateRecord(1, next: 7, events: 7));
        _state.Append(1, "g/events/0", StateRecord(0, next: 30, events: 30)); // newer, in another partition of the state topic
        _state.Append(0, "g/events/1", null); // partition 1's state was deleted
        _state.Append(0, "other/events/2", StateRecord(2, next: 99, events: 99)); // another group's
        GroupMode mode = Started();

        IReadOnlyList<TopicPartitionOffset> start = mode.Assign([Events(0), Events(1), Events(2), Partials(3)], out StateRestore? replay);

        Assert.Equal(
            [new TopicPartitionOffset(Partials(3), Offset.Beginning), new TopicPartitionOffset(Events(0), new Offset(30)), new TopicPartitionOffset(Events(1), Offset.Beginning), new TopicPartitionOffset(Events(2), Offset.Beginning)],
            start);
        Assert.Equal([("events", 0, 30L)], mode.NextOffsets());
        Assert.NotNull(replay);
        Assert.Equal(new Dictionary<(string, int), long> { [("events", 0)] = 30 }, replay.ResumeAt);
        Assert.Null(replay.DeadLetters); // partitions 1 and 2 start at the beginning: their dead letters may be anywhere
        Assert.Equal(1, _broker.Readers);

        // The restored engine holds the newest state: one more event makes 31.
        EntropyEngine engine = Count(mode, Events(0), 30, """{"country":"c1","status":1}""", T0);
        Assert.Equal(31, engine.Processed);
    }

    [Fact]
    public void Assign_EveryStateRecordedItsDeadLetters_ScanFromTheLowestPositionOfEachPartition()
    {
        _state.Append(0, "g/events/0", StateRecord(0, 5, 5, new DeadLetterProgress("dead", new Dictionary<int, long> { [0] = 40, [1] = 7 })));
        _state.Append(1, "g/events/1", StateRecord(1, 6, 6, new DeadLetterProgress("dead", new Dictionary<int, long> { [0] = 12, [1] = 9, [2] = 3 })));
        GroupMode mode = Started();

        _ = mode.Assign([Events(0), Events(1)], out StateRestore? replay);

        Assert.NotNull(replay);
        DeadLetterProgress progress = Assert.IsType<DeadLetterProgress>(replay.DeadLetters);
        Assert.Equal("dead", progress.Topic);
        Assert.Equal(new Dictionary<int, long> { [0] = 12, [1] = 7 }, progress.ScanFrom); // partition 2: one state lacks it
        Assert.Equal(new Dictionary<(string, int), long> { [("events", 0)] = 5, [("events", 1)] = 6 }, replay.ResumeAt);
    }

    [Fact]
    public void Assign_OnlyPartialsPartitions_NothingToReplay()
    {
        GroupMode mode = Started();

        IReadOnlyList<TopicPartitionOffset> start = mode.Assign([Partials(0), Partials(2)], out StateRestore? replay);

        Assert.Null(replay);
        Assert.All(start, s => Assert.Equal(Offset.Beginning, s.Offset));
        Assert.Equal(0, _broker.Readers); // no state wanted: the state topic is not read
    }

    [Fact]
    public void Assign_StateOfAnotherConfiguration_FailsNamingThePartition()
    {
        _state.Append(0, "g/events/0", Encoding.UTF8.GetBytes("not a checkpoint at all, but long enough to have a checksum"));
        GroupMode mode = Started();

        InvalidDataException e = Assert.Throws<InvalidDataException>(() => mode.Assign([Events(0)], out _));

        Assert.Equal("the state of events [[0]] is not a StreamEntropy checkpoint.", e.Message);
    }

    [Fact]
    public void Save_Periodic_StoresOffsetsOnlyOnceEveryStateRecordIsAcknowledged()
    {
        GroupMode mode = Started();
        _ = mode.Assign([Events(0), Events(1)], out _);
        for (int i = 0; i < 3; i++)
        {
            _ = Count(mode, Events(0), 100 + i, """{"country":"de","status":1}""", T0 + i);
        }

        var progress = new DeadLetterProgress("dead", new Dictionary<int, long> { [0] = 4 });
        Assert.Same(SaveOutcome.Pending, mode.Save(progress, final: false));
        Produced record = Assert.Single(StateRecords());
        Assert.Equal("g/events/0", record.Message.Key);
        Checkpoint saved = CheckpointStore.Deserialize(record.Message.Value, "the record");
        Assert.Equal(new Dictionary<(string, int), long> { [("events", 0)] = 103 }, saved.Offsets);
        Assert.Equal(progress.ScanFrom, saved.DeadLetters!.ScanFrom);

        Assert.Same(SaveOutcome.Pending, mode.CompleteSave()); // not acknowledged yet
        _producer.Answer();
        SaveOutcome done = mode.CompleteSave();

        Assert.Equal([new TopicPartitionOffset(Events(0), new Offset(103))], done.Covered);
        Assert.Same(SaveOutcome.Pending, mode.CompleteSave()); // nothing in flight any more

        // Unchanged since: no record, and the offsets are covered again.
        Assert.Same(SaveOutcome.Pending, mode.Save(progress, final: false));
        Assert.Single(StateRecords());
        Assert.Equal([new TopicPartitionOffset(Events(0), new Offset(103))], mode.CompleteSave().Covered);
    }

    [Fact]
    public void Save_StateRecordRefused_FailsAndWritesEveryStateAgain()
    {
        GroupMode mode = Started();
        _ = mode.Assign([Events(0)], out _);
        _ = Count(mode, Events(0), 0, """{"country":"de","status":1}""", T0);
        var progress = new DeadLetterProgress("dead", new Dictionary<int, long>());

        _ = mode.Save(progress, final: false);
        _producer.Answer(ErrorCode.MsgSizeTooLarge);
        SaveOutcome failed = mode.CompleteSave();

        Assert.True(failed.Failed);
        Assert.Null(failed.Covered);
        _ = mode.Save(progress, final: false);
        Assert.Equal(2, StateRecords().Count); // unchanged, and yet written again
    }

    [Fact]
    public void Save_Final_WaitsForTheAcknowledgements()
    {
        GroupMode mode = Started();
        _ = mode.Assign([Events(0), Events(2)], out _);
        _ = Count(mode, Events(0), 8, """{"country":"de","status":1}""", T0);
        _ = Count(mode, Events(2), 3, """{"country":"fr","status":2}""", T0);

        SaveOutcome outcome = mode.Save(new DeadLetterProgress("dead", new Dictionary<int, long>()), final: true);

        Assert.Equal([new TopicPartitionOffset(Events(0), new Offset(9)), new TopicPartitionOffset(Events(2), new Offset(4))], outcome.Covered);
        Assert.Equal(["g/events/0", "g/events/2"], StateRecords().Select(r => r.Message.Key));
    }

    [Fact]
    public void Save_LargeState_EncodedOffTheCountingThread_ProducesTheSameRecordOnceEncoded()
    {
        using var inlineProducer = new FakeProducer();
        GroupMode offThread = Started(inlineStateBytes: 0);
        GroupMode inline = Started(producer: inlineProducer);
        foreach (GroupMode mode in (GroupMode[])[offThread, inline])
        {
            _ = mode.Assign([Events(0), Events(1)], out _);
            for (int i = 0; i < 3; i++)
            {
                _ = Count(mode, Events(0), 100 + i, $$"""{"country":"c{{i}}","status":1}""", T0 + i);
            }
        }

        var progress = new DeadLetterProgress("dead", new Dictionary<int, long> { [0] = 4 });
        Assert.Same(SaveOutcome.Pending, inline.Save(progress, final: false));
        Assert.Same(SaveOutcome.Pending, offThread.Save(progress, final: false));
        Assert.True(offThread.SaveInFlight);

        Produced record = Assert.Single(CompleteUntilProduced(offThread, 1));
        Assert.Equal("g/events/0", record.Message.Key);
        Assert.Equal(Assert.Single(inlineProducer.Produced, r => r.Topic == "state").Message.Value, record.Message.Value);
        Assert.Same(SaveOutcome.Pending, offThread.CompleteSave()); // produced, not acknowledged yet
        _producer.Answer();
        Assert.Equal([new TopicPartitionOffset(Events(0), new Offset(103))], offThread.CompleteSave().Covered);
        Assert.False(offThread.SaveInFlight);
    }

    [Fact]
    public void Save_LargeStateRecordRefusedOnceEncoded_FailsAndWritesEveryStateAgain()
    {
        GroupMode mode = Started(inlineStateBytes: 0);
        _ = mode.Assign([Events(0)], out _);
        _ = Count(mode, Events(0), 0, """{"country":"de","status":1}""", T0);
        var progress = new DeadLetterProgress("dead", new Dictionary<int, long>());
        _producer.Room = 0;

        Assert.Same(SaveOutcome.Pending, mode.Save(progress, final: false));
        SaveOutcome failed = SaveOutcome.Pending;
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (failed == SaveOutcome.Pending && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(1);
            failed = mode.CompleteSave();
        }

        Assert.True(failed.Failed);
        Assert.False(mode.SaveInFlight);
        _producer.Room = null;
        _ = mode.Save(progress, final: false);
        Assert.Single(CompleteUntilProduced(mode, 1)); // unchanged, and yet written again
    }

    [Fact]
    public void Save_FinalWithLargeStates_WaitsForTheirEncodingAndAcknowledgements()
    {
        GroupMode mode = Started(inlineStateBytes: 0);
        _ = mode.Assign([Events(0), Events(2)], out _);
        _ = Count(mode, Events(0), 8, """{"country":"de","status":1}""", T0);
        _ = Count(mode, Events(2), 3, """{"country":"fr","status":2}""", T0);
        var progress = new DeadLetterProgress("dead", new Dictionary<int, long>());
        Assert.Same(SaveOutcome.Pending, mode.Save(progress, final: false)); // a periodic save in flight first
        _ = Count(mode, Events(0), 9, """{"country":"it","status":1}""", T0);

        SaveOutcome outcome = mode.Save(progress, final: true);

        Assert.Equal([new TopicPartitionOffset(Events(0), new Offset(10)), new TopicPartitionOffset(Events(2), new Offset(4))], outcome.Covered);
        Assert.Equal(["g/events/0", "g/events/2", "g/events/0"], StateRecords().Select(r => r.Message.Key));
    }

    [Fact]
    public void Revoke_LostWhileLargeStatesAreEncoded_AbandonsTheSaveAndWritesNothingForIt()
    {
        GroupMode mode = Started(inlineStateBytes: 0);
        _ = mode.Assign([Events(0), Events(1)], out _);
        _ = Count(mode, Events(0), 5, """{"country":"de","status":1}""", T0);
        _ = Count(mode, Events(1), 7, """{"country":"fr","status":1}""", T0);
        Assert.Same(SaveOutcome.Pending, mode.Save(new DeadLetterProgress("dead", new Dictionary<int, long>()), final: false));

        mode.Revoke([Events(0)]); // lost: another member may own it already

        Thread.Sleep(50); // time for the encoding to finish, if anything were still to produce it
        Assert.Same(SaveOutcome.Pending, mode.CompleteSave());
        Assert.False(mode.SaveInFlight);
        Assert.Empty(StateRecords());

        // The next save writes the partition still owned.
        Assert.Same(SaveOutcome.Pending, mode.Save(new DeadLetterProgress("dead", new Dictionary<int, long>()), final: false));
        Assert.Equal("g/events/1", Assert.Single(CompleteUntilProduced(mode, 1)).Message.Key);
    }

    [Fact]
    public void Save_QueueFull_Fails()
    {
        GroupMode mode = Started();
        _ = mode.Assign([Events(0)], out _);
        _ = Count(mode, Events(0), 0, """{"country":"de","status":1}""", T0);
        _producer.Room = 0;

        SaveOutcome outcome = mode.Save(new DeadLetterProgress("dead", new Dictionary<int, long>()), final: false);

        Assert.True(outcome.Failed);
        Assert.Empty(_producer.Produced);
    }

    [Fact]
    public void TakeClosed_SendsEachClosedWindowsPartialToItsOwner_AndPublishesNothingItself()
    {
        GroupMode mode = Started(TumblingEngine);
        _ = mode.Assign([Events(1)], out _);
        _ = Count(mode, Events(1), 0, """{"country":"de","status":1}""", T0 + 1_000);
        _ = Count(mode, Events(1), 1, """{"country":"fr","status":2}""", T0 + 2_000);
        _ = Count(mode, Events(1), 2, """{"country":"it","status":1}""", T0 + 61_000); // closes the first minute

        Publication publication = mode.TakeClosed();

        Assert.Empty(publication.Records);
        Assert.Empty(publication.Alerts);
        var router = new PartialRouter("g", "partials", 4, NullLogger.Instance);
        List<(Produced Record, SubjectPartial Partial)> sent = [.. _producer.Produced.Select(r => (r, PartialCodec.Read(r.Message.Value)))];
        Assert.Equal(["country", "country,status", "status"], sent.Select(s => s.Partial.Subject).Order(StringComparer.Ordinal));
        Assert.All(sent, s =>
        {
            Assert.True(s.Partial.Closed);
            Assert.Equal(2, s.Partial.Events);
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(T0), s.Partial.Start);
            Assert.Equal("partials", s.Record.Topic);
            Assert.Equal(router.PartitionOf("minute", s.Partial.Subject), s.Record.Partition.Value);
            Assert.Equal($"g/minute/{s.Partial.Subject}/events/1", s.Record.Message.Key);
        });
    }

    [Fact]
    public void TryCount_PartialsRecord_IsMergedNotCounted()
    {
        GroupMode mode = Started();
        _ = mode.Assign([Partials(0)], out _);
        SubjectPartial partial = PartialRouterTests.PartialsOf("events", 2, 25)[0];
        var record = new ConsumeResult<byte[]?, byte[]?>
        {
            TopicPartitionOffset = new TopicPartitionOffset(Partials(0), new Offset(0)),
            Message = new Message<byte[]?, byte[]?> { Value = PartialCodec.Write(partial) },
        };

        Assert.False(mode.TryCount(record, T0, out _, out _));

        Assert.Equal((0, 0), mode.Totals());
        Assert.Equal(25, Assert.Single(mode.TakeCurrent().View, w => w.Window == partial.Window).Events);
    }

    [Fact]
    public void TryCountRun_OwnedPartialsAndRevokedRuns_AsTryCountPerRecord()
    {
        // A run of an owned partition is counted in its engine (a rejected event too), a run of the partials topic is
        // merged, and a run of a partition not owned is left alone; totals and offsets as TryCount record by record.
        GroupMode batched = Started();
        _ = batched.Assign([Events(0), Partials(0)], out _);
        SubjectPartial partial = PartialRouterTests.PartialsOf("events", 2, 25)[0];
        using var batch = new HandoffBatch(maxEvents: 16, maxBytes: 4096);
        void Add(TopicPartition tp, long offset, byte[] value) =>
            batch.Add(tp.Topic, tp.Partition, offset, T0, new Timestamp(T0, TimestampType.CreateTime), PayloadSlice.Null, batch.Append(value), IntPtr.Zero);
        Add(Events(0), 4, Encoding.UTF8.GetBytes("""{"country":"de","status":1}"""));
        Add(Events(0), 5, Encoding.UTF8.GetBytes("""{"country":"""));
        Add(Partials(0), 0, PartialCodec.Write(partial));
        Add(Events(1), 0, Encoding.UTF8.GetBytes("""{"country":"fr","status":1}"""));
        var results = new DecodeError[16];
        var details = new string?[16];

        Assert.True(batched.TryCountRun(batch, 0, batch.RunEnd(0), results, details));
        Assert.Equal(2, batch.RunEnd(0));
        Assert.Equal(DecodeError.None, results[0]);
        Assert.NotEqual(DecodeError.None, results[1]);
        Assert.False(string.IsNullOrEmpty(details[1]));
        Assert.False(batched.TryCountRun(batch, 2, batch.RunEnd(2), results, details));
        Assert.False(batched.TryCountRun(batch, 3, batch.RunEnd(3), results, details));

        Assert.Equal((1, 1), batched.Totals());
        Assert.Equal([("events", 0, 6L)], batched.NextOffsets());
        Assert.Equal(25, Assert.Single(batched.TakeCurrent().View, w => w.Window == partial.Window).Events);
    }

    [Fact]
    public void Revoke_ForgetsThePartition_ItsEventsAreNoLongerCounted_ItsMissingFieldsStay()
    {
        GroupMode mode = Started();
        _ = mode.Assign([Events(0)], out _);
        _ = Count(mode, Events(0), 0, """{"country":"de"}""", T0);

        mode.Revoke([Events(0)]);

        Assert.False(mode.TryCount(Event(Events(0), 1, """{"country":"de","status":1}"""), T0, out _, out _));
        Assert.Equal((1, 0), mode.Totals());
        Assert.Equal(new Dictionary<string, long> { ["country"] = 0, ["status"] = 1 }, mode.MissingTotals());
        Assert.Empty(mode.NextOffsets());
    }
}
