using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Kafka.State;
using StreamEntropy.Kafka.Tests.Fakes;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Engine;

namespace StreamEntropy.Kafka.Tests;

/// <summary>Standalone mode: one engine and one checkpoint file for every partition.</summary>
public sealed class StandaloneModeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("se-standalone-").FullName;
    private readonly CheckpointStore _store;
    private readonly PipelineSettings _settings;

    public StandaloneModeTests()
    {
        _settings = new PipelineSettings
        {
            BootstrapServers = "127.0.0.1:9",
            GroupId = "g",
            Topics = ["events"],
            OutputTopic = "out",
            DeadLetterTopic = "dead",
            CheckpointDirectory = _dir,
        };
        _store = new CheckpointStore(_dir, "g");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private StandaloneMode Prepared()
    {
        var mode = new StandaloneMode(_settings, () => CheckpointStoreTests.FixtureEngine(), _store, NullLogger.Instance);
        mode.Prepare();
        return mode;
    }

    private static TopicPartition Events(int partition) => new("events", new Partition(partition));

    private static ConsumeResult<byte[]?, byte[]?> Event(int partition, long offset, string json) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset(Events(partition), new Offset(offset)),
        Message = new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes(json) },
    };

    [Fact]
    public void Prepare_Format1CheckpointOfThePreviousVersion_ResumesEachPartitionAtItsOffset()
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "format-1.checkpoint"), _store.FilePath);

        StandaloneMode mode = Prepared();
        IReadOnlyList<TopicPartitionOffset> start = mode.Assign([Events(0), Events(1), Events(2)], out StateRestore? replay);

        Assert.Null(replay); // learnt once, at the start
        Assert.Equal([new Offset(6), new Offset(3), Offset.Unset], start.Select(s => s.Offset));
        Assert.Equal(9, mode.RestoredEvents);
        Assert.Equal((8L, 1L), mode.Totals());
        using var producer = new FakeProducer();
        StateRestore restored = Assert.IsType<StateRestore>(mode.Start(producer));
        Assert.Null(restored.DeadLetters); // format 1 did not record it: the dead-letter topic is read from its start
        Assert.Equal(new Dictionary<(string, int), long> { [("events", 0)] = 6, [("events", 1)] = 3 }, restored.ResumeAt);
    }

    [Fact]
    public void Prepare_CorruptCheckpoint_NamesTheFile()
    {
        byte[] bytes = CheckpointStore.Serialize(new Checkpoint(new Dictionary<(string, int), long>(), CheckpointStoreTests.EngineState(3)));
        bytes[^40] ^= 1;
        File.WriteAllBytes(_store.FilePath, bytes);

        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Prepared());

        Assert.Equal($"{_store.FilePath} is corrupted (checksum mismatch).", e.Message);
    }

    [Fact]
    public void Save_WritesTheCheckpointFile_CoveringTheNextOffsetOfEveryPartitionCounted()
    {
        StandaloneMode mode = Prepared();
        Assert.True(mode.TryCount(Event(0, 41, """{"country":"de","status":1}"""), 1_764_000_000_000, out EntropyEngine? engine, out DecodeError error));
        Assert.Equal(DecodeError.None, error);
        Assert.True(mode.TryCount(Event(2, 7, """{"country":"""), 1_764_000_000_001, out _, out error));
        Assert.NotEqual(DecodeError.None, error); // rejected, and still covered: its dead letter is the pipeline's

        SaveOutcome outcome = mode.Save(new DeadLetterProgress("dead", new Dictionary<int, long> { [0] = 2 }), final: false);
        Assert.Same(SaveOutcome.Pending, outcome); // the file is written off the counting thread
        Assert.True(mode.TryCount(Event(0, 42, """{"country":"fr","status":2}"""), 1_764_000_000_002, out _, out error)); // counting goes on
        outcome = CompleteWithin(mode, TimeSpan.FromSeconds(30));

        Assert.Equal([new TopicPartitionOffset(Events(0), new Offset(42)), new TopicPartitionOffset(Events(2), new Offset(8))], outcome.Covered);
        Checkpoint saved = Assert.IsType<Checkpoint>(_store.Load());
        Assert.Equal(new Dictionary<(string, int), long> { [("events", 0)] = 42, [("events", 2)] = 8 }, saved.Offsets);
        Assert.Equal(2, saved.DeadLetters!.ScanFrom[0]);
        Assert.False(mode.SaveInFlight);
        Assert.Same(SaveOutcome.Pending, mode.CompleteSave());
        Assert.Equal((2L, 1L), (engine.Processed, engine.Rejected));
    }

    [Fact]
    public void TryCount_RunsOfOnePartitionObject_AsABatchHandsThemOver_EveryPartitionKeepsItsOwnNextOffset()
    {
        // A hand-off batch gives a run of records of one partition the same TopicPartition object; the mode then skips
        // the dictionary. Runs alternate here, and partitions 0 and 1 come back as new but equal objects, one of them
        // restored from the checkpoint.
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "format-1.checkpoint"), _store.FilePath);
        StandaloneMode mode = Prepared(); // resumes events[0] at 6 and events[1] at 3
        TopicPartition run0 = Events(0), run3 = Events(3), run0Again = Events(0), run1 = Events(1);
        (TopicPartition Partition, long Offset)[] records =
            [(run0, 6), (run0, 7), (run3, 0), (run3, 1), (run3, 2), (run0Again, 8), (run1, 3), (run1, 4), (run0Again, 9)];

        foreach ((TopicPartition partition, long offset) in records)
        {
            Assert.True(mode.TryCount(partition, offset, """{"country":"de","status":1}"""u8, tombstone: false, 1_764_000_000_000, out _, out _));
        }

        Assert.Equal([("events", 0, 10L), ("events", 1, 5L), ("events", 3, 3L)], mode.NextOffsets());
        SaveOutcome outcome = mode.Save(new DeadLetterProgress("dead", new Dictionary<int, long>()), final: true);
        Assert.Equal([new TopicPartitionOffset(Events(0), new Offset(10)), new TopicPartitionOffset(Events(1), new Offset(5)), new TopicPartitionOffset(Events(3), new Offset(3))], outcome.Covered);
        Assert.Equal(new Dictionary<(string, int), long> { [("events", 0)] = 10, [("events", 1)] = 5, [("events", 3)] = 3 }, Assert.IsType<Checkpoint>(_store.Load()).Offsets);
    }

    [Fact]
    public void TryCountRun_RunsOfABatch_CountAndCoverExactlyWhatTryCountPerRecordDoes()
    {
        // Runs of three partitions with a rejected event and a tombstone, through TryCountRun run by run here and through
        // TryCount record by record in a second mode: the same results, error details, totals, offsets and state bytes.
        string otherDir = Directory.CreateTempSubdirectory("se-standalone-ref-").FullName;
        try
        {
            StandaloneMode batched = Prepared();
            var reference = new StandaloneMode(_settings with { CheckpointDirectory = otherDir }, () => CheckpointStoreTests.FixtureEngine(), new CheckpointStore(otherDir, "g"), NullLogger.Instance);
            reference.Prepare();
            (int Partition, long Offset, string? Json)[] records =
            [
                (0, 6, """{"country":"de","status":1}"""), (0, 7, """{"country":"""), (0, 8, """{"country":"fr","status":2}"""),
                (3, 0, null), (3, 1, """{"country":"de"}"""),
                (0, 9, """{"country":"us","status":1}"""), (1, 3, """{"status":3}"""),
            ];
            using var batch = new HandoffBatch(maxEvents: 16, maxBytes: 4096);
            TopicPartition[] partitions = [Events(0), Events(1), Events(2), Events(3)];
            var expected = new List<(DecodeError, string?)>();
            for (int i = 0; i < records.Length; i++)
            {
                (int partition, long offset, string? json) = records[i];
                PayloadSlice value = json is null ? PayloadSlice.Null : batch.Append(Encoding.UTF8.GetBytes(json));
                batch.Add("events", new Partition(partition), offset, 1_764_000_000_000 + i, new Timestamp(1_764_000_000_000 + i, TimestampType.CreateTime), PayloadSlice.Null, value, IntPtr.Zero);
                Assert.True(reference.TryCount(partitions[partition], offset, json is null ? [] : Encoding.UTF8.GetBytes(json), json is null, 1_764_000_000_000 + i, out EntropyEngine? engine, out DecodeError error));
                expected.Add((error, error == DecodeError.None ? null : engine.LastErrorDetail));
            }

            var actual = new List<(DecodeError, string?)>();
            var results = new DecodeError[16];
            var details = new string?[16];
            int runs = 0;
            for (int from = 0; from < batch.Count; runs++)
            {
                int end = batch.RunEnd(from);
                Array.Clear(details);
                Assert.True(batched.TryCountRun(batch, from, end, results, details));
                for (int k = 0; k < end - from; k++)
                {
                    actual.Add((results[k], details[k]));
                }

                from = end;
            }

            Assert.Equal(4, runs);
            Assert.Equal(expected, actual);
            Assert.Equal(reference.Totals(), batched.Totals());
            Assert.Equal(reference.NextOffsets(), batched.NextOffsets());
            SaveOutcome saved = batched.Save(new DeadLetterProgress("dead", new Dictionary<int, long>()), final: true);
            SaveOutcome referenceSaved = reference.Save(new DeadLetterProgress("dead", new Dictionary<int, long>()), final: true);
            Assert.Equal(referenceSaved.Covered, saved.Covered);
            Assert.Equal(File.ReadAllBytes(Path.Combine(otherDir, Path.GetFileName(_store.FilePath))), File.ReadAllBytes(_store.FilePath));
        }
        finally
        {
            Directory.Delete(otherDir, recursive: true);
        }
    }

    [Fact]
    public void Save_Final_WaitsForTheFileInFlight_ThenWritesItsOwn()
    {
        StandaloneMode mode = Prepared();
        Assert.True(mode.TryCount(Event(0, 41, """{"country":"de","status":1}"""), 1_764_000_000_000, out _, out _));
        Assert.Same(SaveOutcome.Pending, mode.Save(new DeadLetterProgress("dead", new Dictionary<int, long>()), final: false));
        Assert.True(mode.TryCount(Event(0, 42, """{"country":"fr","status":2}"""), 1_764_000_000_001, out _, out _));

        SaveOutcome outcome = mode.Save(new DeadLetterProgress("dead", new Dictionary<int, long>()), final: true);

        Assert.Equal([new TopicPartitionOffset(Events(0), new Offset(43))], outcome.Covered);
        Assert.Equal(43, Assert.IsType<Checkpoint>(_store.Load()).Offsets[("events", 0)]);
        Assert.False(mode.SaveInFlight);
        Assert.Same(SaveOutcome.Pending, mode.CompleteSave()); // the superseded one is not reported
    }

    [Fact]
    public void Save_DirectoryCannotBeWritten_OffTheCountingThread_FailsWithTheReason()
    {
        StandaloneMode mode = Prepared();
        Directory.CreateDirectory(_store.FilePath + ".tmp"); // the temporary file cannot be created

        Assert.Same(SaveOutcome.Pending, mode.Save(new DeadLetterProgress("dead", new Dictionary<int, long>()), final: false));
        SaveOutcome outcome = CompleteWithin(mode, TimeSpan.FromSeconds(30));

        Assert.True(outcome.Failed);
        Assert.Contains(".tmp", outcome.Error, StringComparison.Ordinal);
        Assert.Null(_store.Load());
    }

    // What the counting thread does between batches: ask until the file written off it is settled.
    private static SaveOutcome CompleteWithin(StandaloneMode mode, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        SaveOutcome outcome;
        while ((outcome = mode.CompleteSave()) == SaveOutcome.Pending && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(5);
        }

        return outcome;
    }

    [Fact]
    public void Save_DirectoryCannotBeWritten_FailsWithTheReason()
    {
        StandaloneMode mode = Prepared();
        Directory.CreateDirectory(_store.FilePath + ".tmp"); // the temporary file cannot be created

        SaveOutcome outcome = mode.Save(new DeadLetterProgress("dead", new Dictionary<int, long>()), final: true);

        Assert.True(outcome.Failed);
        Assert.Null(outcome.Covered);
        Assert.Contains(".tmp", outcome.Error, StringComparison.Ordinal);
        Assert.Null(_store.Load());
    }
}
