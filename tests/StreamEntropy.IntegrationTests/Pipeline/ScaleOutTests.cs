using System.Text.Json;
using Confluent.Kafka;
using StreamEntropy.Core.Estimation;
using StreamEntropy.IntegrationTests.Infrastructure;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.IntegrationTests.Pipeline;

/// <summary>Scale-out on a consumer group: three real worker processes share a 4-partition topic through the state and
/// partials topics; their merged output equals one reader's exact counts, also after one of them is killed with SIGKILL.</summary>
[Collection(WorkerProcessCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class ScaleOutTests(KafkaFixture kafka) : IDisposable
{
    // Every event at one instant: the tumbling window "minute" and the sliding window "sliding" then hold all of
    // them, like the cumulative one.
    private static readonly DateTimeOffset EventTime = new(2026, 11, 29, 12, 0, 30, TimeSpan.Zero);
    private static readonly string[] Windows = ["all", "minute", "sliding"];

    private readonly string _dir = Directory.CreateTempSubdirectory("se-scale-").FullName;
    private readonly List<WorkerProcess> _workers = [];
    private bool _discover; // no field listed: every leaf path but amount discovered, every field paired with status

    public void Dispose()
    {
        foreach (WorkerProcess w in _workers)
        {
            w.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ThreeInstances_MergedOutputEqualsOneReader_AndStaysExactAfterSigkillWithUncheckpointedEvents(bool discover)
    {
        _discover = discover;
        string topic = KafkaFixture.UniqueTopic("scale-in");
        string output = KafkaFixture.UniqueTopic("scale-out");
        string state = KafkaFixture.UniqueTopic("scale-state");
        string partials = KafkaFixture.UniqueTopic("scale-partials");
        string dead = KafkaFixture.UniqueTopic("scale-dead");
        await kafka.CreateTopicAsync(topic, 4);
        await kafka.CreateTopicAsync(state, 3);
        await kafka.CreateTopicAsync(partials, 4);
        var windows = new object[]
        {
            new { Name = "all", Kind = "Cumulative" },
            new { Name = "minute", Kind = "Tumbling", Size = "00:01:00" },
            new { Name = "sliding", Kind = "Sliding", Size = "00:01:00", Step = "00:00:10" },
        };
        // State records every 2 s: w0 counts its 300 events past the last ones even on a busy machine.
        string config = WriteConfig(topic, output, state, partials, windows, alerts: "", dead, checkpointInterval: "00:00:02");

        // w0 kills itself with SIGKILL (test hook) once it has counted 300 events past its last state records.
        _workers.Add(WorkerProcess.Start(config, "w0", new Dictionary<string, string> { [EntropyPipeline.KillAfterUncheckpointedEventsVariable] = "300" }));
        for (int i = 1; i < 3; i++)
        {
            _workers.Add(WorkerProcess.Start(config, $"w{i}"));
        }

        // The group settles with every instance owning input partitions (4 over 3: 2, 1, 1).
        DateTime settle = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < settle && _workers.Count(w => w.OwnsInput(topic)) < 3)
        {
            await Task.Delay(100);
        }

        Assert.All(_workers, w => Assert.True(w.OwnsInput(topic), $"{w.Name} owns no input partition: {w.Tail()}"));

        // Nothing is saved yet: each instance says that it counts its partitions from the beginning (once it has read
        // the state topic, which follows the "Partitions assigned" line).
        bool FromBeginning(WorkerProcess w) => w.Lines("has no state in the state topic").Any(l => l.Contains($"Partition {topic}[", StringComparison.Ordinal));
        DateTime logged = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < logged && !_workers.All(FromBeginning))
        {
            await Task.Delay(100);
        }

        Assert.All(_workers, w => Assert.True(FromBeginning(w), $"{w.Name} did not log its start from the beginning: {w.Tail()}"));

        // 1. Events (5 % malformed) arrive; w0 dies among them. The other two take its partitions over, restore their
        //    states from the state topic and resume at the saved offsets, so they read again what w0 had counted past
        //    them: the merged records still equal the exact counts of every event, read by one reader.
        WorkerProcess victim = _workers[0];
        List<byte[]> first = PipelineHarness.Events(12_000, seed: 61, malformedShare: 0.05);
        await PipelineHarness.ProduceAsync(kafka.BootstrapServers, topic, first, EventTime, roundRobinPartitions: 4); // 3000 for each, w0's included
        Assert.True(victim.WaitForExit(TimeSpan.FromSeconds(60)), $"the test hook did not kill w0: {victim.Tail()}");
        FrequencySet reference = PipelineHarness.Profile(first, out int valid);
        List<ConsumeResult<string?, byte[]>> records = ReadComplete(output, valid);
        AssertExact(reference, valid, records);
        Assert.All(_workers.Skip(1), w => Assert.False(w.Process.HasExited, $"{w.Name} exited: {w.Tail()}"));

        long reread = 0;
        foreach ((int partition, long next) in VictimNextOffsets(victim, topic))
        {
            long resumed = _workers.Skip(1).SelectMany(w => ResumeOffsets(w, topic, partition)).DefaultIfEmpty(0).Min(); // no state: from 0
            Assert.True(resumed <= next, $"{topic}[{partition}] resumed at {resumed}, after w0's {next}");
            reread += next - resumed;
        }

        Assert.True(reread >= 300, $"the survivors read again {reread} events w0 had counted past its checkpoints");
        await AssertOneDeadLetterEachAsync(dead, topic, first);

        // 2. More events for the two survivors: still exact, every malformed event still dead-lettered once.
        List<byte[]> second = PipelineHarness.Events(6_000, seed: 62, malformedShare: 0.05);
        await PipelineHarness.ProduceAsync(kafka.BootstrapServers, topic, second, EventTime);
        List<byte[]> all = [.. first, .. second];
        reference = PipelineHarness.Profile(all, out valid);
        records = ReadComplete(output, valid);
        AssertExact(reference, valid, records);
        Assert.All(_workers.Skip(1), w => Assert.False(w.Process.HasExited, $"{w.Name} exited: {w.Tail()}"));
        await AssertOneDeadLetterEachAsync(dead, topic, all);
    }

    // The next offsets w0's test hook wrote before the kill: "… next offsets topic[0]@123, topic[2]@456".
    private static List<(int Partition, long Next)> VictimNextOffsets(WorkerProcess victim, string topic)
    {
        string line = victim.Lines("test hook: SIGKILL").SingleOrDefault() ?? throw new Xunit.Sdk.XunitException($"w0 did not die by the test hook: {victim.Tail()}");
        List<(int, long)> offsets =
        [
            .. System.Text.RegularExpressions.Regex.Matches(line, System.Text.RegularExpressions.Regex.Escape(topic) + @"\[(\d+)\]@(\d+)")
                .Select(m => (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))),
        ];
        Assert.NotEmpty(offsets);
        return offsets;
    }

    // Where a survivor started a partition it was assigned: at the offset it restored from the state topic ("… resuming
    // at offset N"), or at 0 when there was no state. On a loaded machine a rebalance can move one of w0's partitions
    // to a survivor before the kill (from the beginning, when w0 had saved none of it yet): that start counts too.
    private static IEnumerable<long> ResumeOffsets(WorkerProcess worker, string topic, int partition) =>
        worker.Lines($"Partition {topic}[{partition}] restored from the state topic")
            .Select(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .Concat(worker.Lines($"Partition {topic}[{partition}] has no state in the state topic").Select(_ => 0L));

    private async Task AssertOneDeadLetterEachAsync(string dead, string topic, List<byte[]> events)
    {
        int malformed = events.Count(e => !PipelineHarness.IsObject(e));
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        List<ConsumeResult<string?, byte[]?>> letters = PipelineHarness.ReadAll(kafka.BootstrapServers, dead);
        while (letters.Count < malformed && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200); // the last dead letters may still be on their way
            letters = PipelineHarness.ReadAll(kafka.BootstrapServers, dead);
        }

        PipelineHarness.AssertOneDeadLetterEach(letters, topic, events);
    }

    [Fact]
    public async Task TwoInstances_DriftAlertsOnMergedWindows_EqualOneEngineOverAllEvents()
    {
        string topic = KafkaFixture.UniqueTopic("scale-drift-in");
        string alerts = KafkaFixture.UniqueTopic("scale-drift-alerts");
        string state = KafkaFixture.UniqueTopic("scale-drift-state");
        string partials = KafkaFixture.UniqueTopic("scale-drift-partials");
        await kafka.CreateTopicAsync(topic, 4);
        await kafka.CreateTopicAsync(state, 2);
        await kafka.CreateTopicAsync(partials, 4);
        var windows = new object[] { new { Name = "second", Kind = "Tumbling", Size = "00:00:01" } };
        string config = WriteConfig(topic, KafkaFixture.UniqueTopic("scale-drift-out"), state, partials, windows, alerts);
        for (int i = 0; i < 2; i++)
        {
            _workers.Add(WorkerProcess.Start(config, $"d{i}"));
        }

        // The group settles first: a subject whose partials partition moves to another instance later is scored again
        // there from scratch, which would raise its alerts a second time.
        DateTime settle = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < settle && _workers.Count(w => w.OwnsInput(topic)) < 2)
        {
            await Task.Delay(100);
        }

        Assert.All(_workers, w => Assert.True(w.OwnsInput(topic), $"{w.Name} owns no input partition: {w.Tail()}"));

        // Eight 1-second windows of 2000 demo events; the generator drifts from the fifth on. The last window stays open.
        var generator = new StreamEntropy.Streaming.Demo.DemoEventGenerator(5, malformedShare: 0);
        var events = new List<(byte[] Json, long T)>();
        long t0 = new DateTimeOffset(2026, 11, 29, 13, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        for (int i = 0; i < 8 * 2000; i++)
        {
            generator.Drifted = i >= 4 * 2000;
            events.Add((generator.Next().ToArray(), t0 + (i / 2000 * 1000) + (i % 2000 / 4)));
        }

        // The reference: one engine with the same windows and drift defaults over every event.
        var engine = new StreamEntropy.Streaming.Engine.EntropyEngine(
            PipelineHarness.Schema,
            [new StreamEntropy.Streaming.Windows.WindowDefinition("second", StreamEntropy.Streaming.Windows.WindowKind.Tumbling, TimeSpan.FromSeconds(1))],
            EntropyEstimator.MaximumLikelihood,
            drift: new StreamEntropy.Streaming.Engine.DriftSettings(StreamEntropy.Streaming.Drift.AlertRule.Defaults));
        foreach ((byte[] json, long t) in events)
        {
            engine.Process(json, t);
        }

        string[] expected = [.. engine.TakeAlerts().Select(a => $"{a.Key} {a.State}").Order(StringComparer.Ordinal)];
        Assert.NotEmpty(expected);

        using (IProducer<Null, byte[]> producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers, LingerMs = 5 }).Build())
        {
            // Round robin, so that every partition has events in every window and passes each one (a partition without
            // events holds a merged window open for Scaling:MaxLagWindows windows, tested in PartialMergerTests).
            for (int i = 0; i < events.Count; i++)
            {
                var message = new Message<Null, byte[]> { Value = events[i].Json, Timestamp = new Timestamp(events[i].T, TimestampType.CreateTime) };
                producer.Produce(new TopicPartition(topic, new Partition(i % 4)), message);
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        List<ConsumeResult<string?, byte[]>> records = PipelineHarness.ReadUntil(kafka.BootstrapServers, alerts, rs => rs.Count >= expected.Length, TimeSpan.FromSeconds(90));
        await Task.Delay(2000); // a duplicate from a second instance would arrive about now
        records = PipelineHarness.ReadUntil(kafka.BootstrapServers, alerts, rs => rs.Count > expected.Length, TimeSpan.FromSeconds(1));
        string[] actual =
        [
            .. records.Select(r => JsonDocument.Parse(r.Message.Value).RootElement)
                .Select(a => $"{r(a, "window")}/{(a.TryGetProperty("field", out JsonElement f) && f.ValueKind == JsonValueKind.String ? f.GetString() : $"{a.GetProperty("pair").GetProperty("x").GetString()},{a.GetProperty("pair").GetProperty("y").GetString()}")}/{r(a, "rule")} {Capitalized(r(a, "state"))}")
                .Order(StringComparer.Ordinal),
        ];
        Assert.True(expected.SequenceEqual(actual), $"expected {string.Join("; ", expected)}, got {string.Join("; ", actual)}; logs: {string.Join(" | ", _workers.Select(w => w.Name + ": " + w.Tail()))}"); // each once: only the owner of a subject scores it

        static string r(JsonElement e, string name) => e.GetProperty(name).GetString()!;
        static string Capitalized(string s) => char.ToUpperInvariant(s[0]) + s[1..];
    }

    private List<ConsumeResult<string?, byte[]>> ReadComplete(string output, int valid) =>
        PipelineHarness.ReadUntil(
            kafka.BootstrapServers,
            output,
            rs => Windows.All(w => Keys().All(k => PipelineHarness.Latest(rs, $"{w}/{k}") is { } r && r.GetProperty("windowEvents").GetInt64() >= valid)),
            TimeSpan.FromSeconds(120));

    private void AssertExact(FrequencySet reference, int valid, List<ConsumeResult<string?, byte[]>> records)
    {
        foreach (string window in Windows)
        {
            AssertExact(reference, valid, records, window);
        }

        JsonElement minute = PipelineHarness.Latest(records, $"minute/{Key(PipelineHarness.Fields[0])}")!.Value;
        Assert.Equal("2026-11-29T12:00:00.000Z", minute.GetProperty("windowStart").GetString());
        JsonElement sliding = PipelineHarness.Latest(records, $"sliding/{Key(PipelineHarness.Fields[0])}")!.Value;
        Assert.Equal("2026-11-29T11:59:40.000Z", sliding.GetProperty("windowStart").GetString()); // ends with the pane of 12:00:30
        Assert.Equal("2026-11-29T12:00:40.000Z", sliding.GetProperty("windowEnd").GetString());
    }

    private void AssertExact(FrequencySet reference, int valid, List<ConsumeResult<string?, byte[]>> records, string window)
    {
        foreach (FieldDefinition field in Compared())
        {
            FieldResult expected = ResultCalculator.Field(reference, reference.Encoder.Schema.IndexOf(field.Name), EntropyEstimator.MaximumLikelihood);
            JsonElement actual = PipelineHarness.Latest(records, $"{window}/{Key(field)}") ?? throw Missing(Key(field));
            Assert.Equal(valid, actual.GetProperty("windowEvents").GetInt64()); // not one event more: nothing counted twice
            Assert.InRange(actual.GetProperty("partitions").GetInt32(), 1, 4); // the input partitions that sent counts
            Assert.Equal(expected.Count, actual.GetProperty("count").GetInt64());
            Assert.Equal(expected.Distinct, actual.GetProperty("distinct").GetInt32());
            Assert.Equal(expected.Missing, actual.GetProperty("missing").GetInt64());
            AssertClose(expected.Entropy, actual.GetProperty("entropy").GetDouble(), $"H({expected.Name})");
            AssertClose(expected.StandardError, actual.GetProperty("standardError").GetDouble(), $"SE({expected.Name})");
        }

        for (int p = 0; p < reference.Encoder.Schema.Pairs.Count; p++)
        {
            PairResult expected = ResultCalculator.Pair(reference, p, EntropyEstimator.MaximumLikelihood);
            if (_discover && expected.Key != "page,status")
            {
                continue; // with discovery, the pairs are (every field, status)
            }

            JsonElement actual = PipelineHarness.Latest(records, $"{window}/{expected.Key}") ?? throw Missing(expected.Key);
            Assert.Equal(valid, actual.GetProperty("windowEvents").GetInt64());
            AssertClose(expected.Entropies.Joint, actual.GetProperty("joint").GetDouble(), $"H({expected.Key})");
            AssertClose(expected.Entropies.ConditionalYGivenX, actual.GetProperty("conditionalYGivenX").GetDouble(), $"H(Y|X) {expected.Key}");
            AssertClose(expected.Entropies.MutualInformation, actual.GetProperty("mutualInformation").GetDouble(), $"I {expected.Key}");
        }

        Xunit.Sdk.XunitException Missing(string key) =>
            new($"no output record for {window}/{key}; worker logs: {string.Join(" | ", _workers.Select(w => w.Name + ": " + w.Tail()))}");
    }

    // With discovery a field is named by its path, and the binned field is left out.
    private string Key(FieldDefinition field) => _discover ? field.Path : field.Name;

    private IEnumerable<FieldDefinition> Compared() => PipelineHarness.Fields.Where(f => !_discover || f.BinWidth is null);

    private IEnumerable<string> Keys() => _discover ? [.. Compared().Select(Key), "page,status"] : PipelineHarness.AllKeys;

    private string WriteConfig(string topic, string output, string state, string partials, object[] windows, string alerts, string? dead = null, string checkpointInterval = "00:00:00.200") =>
        PipelineHarness.WriteWorkerConfig(
            _dir,
            kafka.BootstrapServers,
            topic,
            output,
            alerts,
            windows,
            new Dictionary<string, object>
            {
                ["Drift"] = new { Enabled = alerts.Length > 0 },
                // Events arrive in a burst here, so one partition can be many windows ahead of another for a moment.
                ["Scaling"] = new { Mode = "Group", StateTopic = state, PartialsTopic = partials, MaxLagWindows = 10 },
                ["Checkpoint"] = new { Directory = Path.Combine(_dir, "state"), Interval = checkpointInterval },
                ["Fields"] = _discover ? new object[] { new { Name = "*", Exclude = new[] { "amount" }, MaxDistinct = 0 } } : PipelineHarness.Fields.Select(f => f.BinWidth is double w ? (object)new { f.Name, f.Path, BinWidth = w } : new { f.Name, f.Path }).ToArray(),
                ["Pairs"] = _discover ? new object[] { new { X = "*", Y = "status" } } : PipelineHarness.Pairs.Select(p => (object)new { p.X, p.Y }).ToArray(),
            },
            dead);
}
