using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using StreamEntropy.Core.Estimation;
using StreamEntropy.IntegrationTests.Infrastructure;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Kafka.State;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.IntegrationTests.Pipeline;

/// <summary>The real executable as a child process: killed with SIGKILL in the middle of a checkpoint write while it has
/// counted events no checkpoint covers, restarted, it ends exact; stopped with SIGTERM with a large state, it finishes
/// its final checkpoint, commits and leaves the group.</summary>
[Collection(WorkerProcessCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class WorkerProcessTests(KafkaFixture kafka) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("se-process-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // no field listed: every leaf path but amount discovered, every field paired with status
    public async Task Run_ChildKilledDuringACheckpointWrite_SecondLifeReplaysWhatItHadCountedAndEndsExact(bool discover)
    {
        string topic = KafkaFixture.UniqueTopic("kill");
        string output = KafkaFixture.UniqueTopic("out");
        string dead = KafkaFixture.UniqueTopic("dead");
        await kafka.CreateTopicAsync(topic, 4);
        Dictionary<string, object>? discovery = discover
            ? new() { ["Fields"] = new[] { new { Name = "*", Exclude = new[] { "amount" }, MaxDistinct = 0 } }, ["Pairs"] = new[] { new { X = "*", Y = "status" } } }
            : null;
        string config = PipelineHarness.WriteWorkerConfig(
            _dir, kafka.BootstrapServers, topic, output, KafkaFixture.UniqueTopic("alerts"), new[] { new { Name = "all", Kind = "Cumulative" } }, discovery, deadLetterTopic: dead);

        // A discovered field is named by its path; the binned field is left out of discovery.
        FieldDefinition[] compared = [.. PipelineHarness.Fields.Where(f => !discover || f.BinWidth is null)];
        string KeyOf(FieldDefinition f) => discover ? f.Path : f.Name;
        string[] keys = [.. compared.Select(KeyOf), "page,status"];
        string state = Path.Combine(_dir, "state");

        // First life: events (5 % malformed) arrive all along; the test hook kills the process with SIGKILL inside its
        // 20th checkpoint write (about 4 s in: well after it joined the group, even on a busy machine), or the first
        // later one that covers 500 new events (about 25 malformed), after the temporary file is complete and before
        // the rename.
        List<byte[]> pool = PipelineHarness.Events(200_000, seed: 21, malformedShare: 0.05);
        var produced = new List<byte[]>();
        var delivered = new System.Collections.Concurrent.ConcurrentDictionary<(int Partition, long Offset), byte[]>();
        using (WorkerProcess first = WorkerProcess.Start(config, "first", new Dictionary<string, string> { [EntropyPipeline.KillDuringCheckpointVariable] = "20" }))
        {
            using IProducer<Null, byte[]> producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers, LingerMs = 5 }).Build();
            DateTime deadline = DateTime.UtcNow.AddSeconds(90);
            while (!first.Process.HasExited && DateTime.UtcNow < deadline && produced.Count < pool.Count)
            {
                // A steady stream, about 5000 events a second: every 200 ms checkpoint interval brings new events.
                foreach (byte[] e in pool.GetRange(produced.Count, 50))
                {
                    producer.Produce(topic, new Message<Null, byte[]> { Value = e }, r => delivered[(r.Partition.Value, r.Offset.Value)] = r.Message.Value);
                    produced.Add(e);
                }

                await Task.Delay(10);
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
            Assert.True(first.WaitForExit(TimeSpan.FromSeconds(30)), $"the test hook did not kill the worker: {first.Tail()}");
            Assert.Equal(128 + 9, first.Process.ExitCode); // killed by SIGKILL
        }

        // What the kill left: the last complete checkpoint, and the temporary file of the interrupted one, which holds
        // the offsets the first life had counted up to. The difference was counted and never covered by a checkpoint.
        Checkpoint durable = Load(Directory.EnumerateFiles(state, "*.checkpoint").Single());
        Checkpoint interrupted = Load(Directory.EnumerateFiles(state, "*.checkpoint.tmp").Single());
        long covered = durable.Offsets.Values.Sum();
        long counted = interrupted.Offsets.Values.Sum();
        Assert.True(counted > covered, $"the first life had counted {counted} events, its checkpoint covers {covered}");
        int malformedReplayed = delivered.Count(d =>
            d.Key.Offset >= durable.Offsets.GetValueOrDefault((topic, d.Key.Partition))
            && d.Key.Offset < interrupted.Offsets.GetValueOrDefault((topic, d.Key.Partition))
            && !PipelineHarness.IsObject(d.Value));

        // Second life: restores the durable checkpoint, re-reads what it does not cover, ends exact.
        FrequencySet reference = PipelineHarness.Profile(produced, out int valid);
        using WorkerProcess second = WorkerProcess.Start(config, "second");
        List<ConsumeResult<string?, byte[]>> records = PipelineHarness.ReadUntil(
            kafka.BootstrapServers,
            output,
            rs => keys.All(k => PipelineHarness.Latest(rs, $"all/{k}") is { } r && r.GetProperty("windowEvents").GetInt64() >= valid),
            TimeSpan.FromSeconds(90));
        await second.TerminateAsync();
        Assert.True(second.WaitForExit(TimeSpan.FromSeconds(60)), $"the second life did not stop: {second.Tail()}");

        Assert.Single(second.Lines("Restored checkpoint")); // the durable one: the leftover temporary file is ignored
        foreach (FieldDefinition field in compared)
        {
            FieldResult expected = ResultCalculator.Field(reference, reference.Encoder.Schema.IndexOf(field.Name), EntropyEstimator.MaximumLikelihood);
            JsonElement actual = PipelineHarness.Latest(records, $"all/{KeyOf(field)}") ?? throw new Xunit.Sdk.XunitException($"no record for {KeyOf(field)}");
            Assert.Equal(valid, actual.GetProperty("windowEvents").GetInt64()); // not one event more: nothing counted twice
            Assert.Equal(expected.Count, actual.GetProperty("count").GetInt64());
            Assert.Equal(expected.Distinct, actual.GetProperty("distinct").GetInt32());
            AssertClose(expected.Entropy, actual.GetProperty("entropy").GetDouble(), $"H({expected.Name})");
        }

        PairResult pair = ResultCalculator.Pairs(reference, EntropyEstimator.MaximumLikelihood).Single(p => p.Key == "page,status");
        JsonElement pairRecord = PipelineHarness.Latest(records, "all/page,status") ?? throw new Xunit.Sdk.XunitException("no record for page,status");
        AssertClose(pair.Entropies.MutualInformation, pairRecord.GetProperty("mutualInformation").GetDouble(), "I(page; status)");

        // Malformed events in the replayed range were dead-lettered by the first life and not again by the second.
        Assert.True(malformedReplayed > 0, "no malformed event in the replayed range");
        PipelineHarness.AssertOneDeadLetterEach(PipelineHarness.ReadAll(kafka.BootstrapServers, dead), topic, produced);
        Assert.Empty(Directory.EnumerateFiles(state, "*.tmp")); // the second life's checkpoints replaced the leftover
    }

    [Fact]
    public async Task Run_SigtermWithLargeState_ExitsZeroAfterTheFinalCheckpointCommitAndGroupLeave()
    {
        // 400 000 distinct countries and pages, as many distinct pairs, in three windows: the graceful stop (a final
        // publication and checkpoint) takes seconds. Sixteen partitions filled round robin (25 000 events each): the mock
        // broker keeps ~5 MB per partition and silently drops older records, and the sticky partitioner piled up to a
        // third of the events into one partition.
        const int Count = 400_000;
        const int Partitions = 16;
        string topic = KafkaFixture.UniqueTopic("term");
        await kafka.CreateTopicAsync(topic, Partitions);
        var events = new List<byte[]>(Count);
        for (int i = 0; i < Count; i++)
        {
            events.Add(Encoding.UTF8.GetBytes($"{{\"user\":{{\"country\":\"c{i}\",\"device\":\"d{i % 5}\"}},\"page\":\"p{i}\",\"status\":{200 + (i % 4)}}}"));
        }

        string config = PipelineHarness.WriteWorkerConfig(
            _dir,
            kafka.BootstrapServers,
            topic,
            KafkaFixture.UniqueTopic("out"),
            "",
            new object[]
            {
                new { Name = "all", Kind = "Cumulative" },
                new { Name = "day", Kind = "Tumbling", Size = "1.00:00:00" },
                new { Name = "hour", Kind = "Sliding", Size = "01:00:00", Step = "00:10:00" },
            },
            new Dictionary<string, object>
            {
                ["PublishInterval"] = "00:00:05",
                ["Checkpoint"] = new { Directory = Path.Combine(_dir, "state"), Interval = "00:00:01" },
            });
        string group = JsonDocument.Parse(File.ReadAllText(config)).RootElement.GetProperty("StreamEntropy").GetProperty("Kafka").GetProperty("GroupId").GetString()!;
        using WorkerProcess worker = WorkerProcess.Start(config, "term");
        DateTime deadline = DateTime.UtcNow.AddSeconds(120);
        while (!worker.OwnsInput(topic))
        {
            Assert.False(worker.Process.HasExited, $"the worker exited: {worker.Tail()}");
            Assert.True(DateTime.UtcNow < deadline, "the worker was assigned no partition within 120 s");
            await Task.Delay(100);
        }

        // Produced while the worker consumes, in chunks that fit the producer's local queue.
        foreach (byte[][] chunk in events.Chunk(50_000))
        {
            await PipelineHarness.ProduceAsync(kafka.BootstrapServers, topic, chunk, roundRobinPartitions: Partitions);
        }

        string state = Path.Combine(_dir, "state");
        while (CheckpointedEvents(state) < Count)
        {
            Assert.False(worker.Process.HasExited, $"the worker exited: {worker.Tail()}");
            Assert.True(DateTime.UtcNow < deadline, "the events were not all counted and checkpointed within 120 s");
            await Task.Delay(500);
        }

        await worker.TerminateAsync();
        Assert.True(worker.WaitForExit(TimeSpan.FromSeconds(60)), "the worker did not stop within 60 s of SIGTERM");

        Assert.True(worker.Process.ExitCode == 0, $"exit code {worker.Process.ExitCode} (143: cut short by the 2 s termination timeout): {worker.Tail()}");
        Assert.Empty(Directory.EnumerateFiles(state, "*.tmp")); // the final checkpoint was not cut in half
        Assert.Equal(Count, CheckpointedEvents(state));
        Assert.True(worker.Logged("Consumer stopped"), $"the graceful stop did not finish (consumer closed, group left): {worker.Tail()}");
        Assert.True(worker.Logged("Warm-up: the engine's code compiled on 2056 made-up events"), $"no warm-up before counting: {worker.Tail()}");
        Assert.True(worker.Logged("Warm-up: the HTTP endpoints answered /metrics 200, /healthz 200 in "), $"no HTTP warm-up at start: {worker.Tail()}");
        Assert.False(worker.Logged("status Unhealthy"), $"a start that logs a failed health check: {worker.Tail()}");

        // The final offsets are committed: a new member of the group resumes at the end, not at an older commit.
        using IConsumer<Ignore, Ignore> probe = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = kafka.BootstrapServers, GroupId = group }).Build();
        List<TopicPartitionOffset> committed = probe.Committed([.. Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p))], TimeSpan.FromSeconds(10));
        Assert.Equal(Count, committed.Sum(c => c.Offset.Value));

        // And the final checkpoint's state holds every event.
        var engine = new EntropyEngine(
            PipelineHarness.Schema,
            [
                new WindowDefinition("all", WindowKind.Cumulative),
                new WindowDefinition("day", WindowKind.Tumbling, TimeSpan.FromDays(1)),
                new WindowDefinition("hour", WindowKind.Sliding, TimeSpan.FromHours(1), TimeSpan.FromMinutes(10)),
            ],
            EntropyEstimator.MaximumLikelihood);
        engine.Restore(new MemoryStream(Load(Directory.EnumerateFiles(state, "*.checkpoint").Single()).EngineState));
        Assert.Equal(Count, engine.Processed);
    }

    private static Checkpoint Load(string path) => CheckpointStore.Deserialize(File.ReadAllBytes(path), path);

    // Events covered by the checkpoint file in the directory (0 while there is none or it is being replaced).
    private static long CheckpointedEvents(string directory)
    {
        try
        {
            return Directory.Exists(directory) && Directory.EnumerateFiles(directory, "*.checkpoint").SingleOrDefault() is { } path
                ? Load(path).Offsets.Values.Sum()
                : 0;
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            return 0; // replaced while read: the next poll sees the new one
        }
    }
}
