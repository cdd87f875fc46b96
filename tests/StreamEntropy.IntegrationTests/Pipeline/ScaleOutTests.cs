using System.Text.Json;
using Confluent.Kafka;
using StreamEntropy.Core.Estimation;
using StreamEntropy.IntegrationTests.Infrastructure;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.IntegrationTests.Pipeline;

/// <summary>Scale-out on a consumer group: three real worker processes share a 4-partition topic through the state and
/// partials topics; their merged output equals one reader's exact counts, also after one of them is killed with SIGKILL.</summary>
[Collection(KafkaCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class ScaleOutTests(KafkaFixture kafka) : IDisposable
{
    // Every event at one instant: the tumbling window "minute" and the sliding window "sliding" then hold all of
    // them, like the cumulative one.
    private static readonly DateTimeOffset EventTime = new(2026, 11, 29, 12, 0, 30, TimeSpan.Zero);
    private static readonly string[] Windows = ["all", "minute", "sliding"];

    private readonly string _dir = Directory.CreateTempSubdirectory("se-scale-").FullName;
    private readonly List<WorkerProcess> _workers = [];

    public void Dispose()
    {
        foreach (WorkerProcess w in _workers)
        {
            w.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task ThreeInstances_MergedOutputEqualsOneReader_AndStaysExactAfterSigkill()
    {
        string topic = KafkaFixture.UniqueTopic("scale-in");
        string output = KafkaFixture.UniqueTopic("scale-out");
        string state = KafkaFixture.UniqueTopic("scale-state");
        string partials = KafkaFixture.UniqueTopic("scale-partials");
        await kafka.CreateTopicAsync(topic, 4);
        await kafka.CreateTopicAsync(state, 3);
        await kafka.CreateTopicAsync(partials, 4);
        string config = WriteConfig(topic, output, state, partials);

        for (int i = 0; i < 3; i++)
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

        // 1. Three instances: the merged records equal the exact counts of every event, read by one reader.
        List<byte[]> first = PipelineHarness.Events(12_000, seed: 61);
        await PipelineHarness.ProduceAsync(kafka.BootstrapServers, topic, first, EventTime);
        FrequencySet reference = PipelineHarness.Profile(first, out int valid);
        List<ConsumeResult<string?, byte[]>> records = ReadComplete(output, valid);
        AssertExact(reference, valid, records);
        Assert.All(_workers, w => Assert.False(w.Process.HasExited, $"{w.Name} exited early: {w.Tail()}"));

        // 2. SIGKILL an instance that owns input partitions, add more events: the others take its partitions over,
        //    restore their states from the state topic and resume at the saved offsets: nothing lost, nothing twice.
        WorkerProcess victim = _workers.First(w => w.OwnsInput(topic));
        await victim.KillAsync();
        List<byte[]> second = PipelineHarness.Events(6_000, seed: 62);
        await PipelineHarness.ProduceAsync(kafka.BootstrapServers, topic, second, EventTime);
        List<byte[]> all = [.. first, .. second];
        reference = PipelineHarness.Profile(all, out valid);
        records = ReadComplete(output, valid);
        AssertExact(reference, valid, records);
        Assert.All(_workers.Where(w => w != victim), w => Assert.False(w.Process.HasExited, $"{w.Name} exited: {w.Tail()}"));
    }

    private List<ConsumeResult<string?, byte[]>> ReadComplete(string output, int valid) =>
        PipelineHarness.ReadUntil(
            kafka.BootstrapServers,
            output,
            rs => Windows.All(w => PipelineHarness.AllKeys.All(k => PipelineHarness.Latest(rs, $"{w}/{k}") is { } r && r.GetProperty("windowEvents").GetInt64() >= valid)),
            TimeSpan.FromSeconds(120));

    private void AssertExact(FrequencySet reference, int valid, List<ConsumeResult<string?, byte[]>> records)
    {
        foreach (string window in Windows)
        {
            AssertExact(reference, valid, records, window);
        }

        JsonElement minute = PipelineHarness.Latest(records, "minute/country")!.Value;
        Assert.Equal("2026-11-29T12:00:00.000Z", minute.GetProperty("windowStart").GetString());
        JsonElement sliding = PipelineHarness.Latest(records, "sliding/country")!.Value;
        Assert.Equal("2026-11-29T11:59:40.000Z", sliding.GetProperty("windowStart").GetString()); // ends with the pane of 12:00:30
        Assert.Equal("2026-11-29T12:00:40.000Z", sliding.GetProperty("windowEnd").GetString());
    }

    private void AssertExact(FrequencySet reference, int valid, List<ConsumeResult<string?, byte[]>> records, string window)
    {
        for (int f = 0; f < reference.Encoder.Schema.Fields.Count; f++)
        {
            FieldResult expected = ResultCalculator.Field(reference, f, EntropyEstimator.MaximumLikelihood);
            JsonElement actual = PipelineHarness.Latest(records, $"{window}/{expected.Name}") ?? throw Missing(expected.Name);
            Assert.Equal(valid, actual.GetProperty("windowEvents").GetInt64()); // not one event more: nothing counted twice
            Assert.Equal(expected.Count, actual.GetProperty("count").GetInt64());
            Assert.Equal(expected.Distinct, actual.GetProperty("distinct").GetInt32());
            Assert.Equal(expected.Missing, actual.GetProperty("missing").GetInt64());
            PipelineHarness.AssertClose(expected.Entropy, actual.GetProperty("entropy").GetDouble(), $"H({expected.Name})");
            PipelineHarness.AssertClose(expected.StandardError, actual.GetProperty("standardError").GetDouble(), $"SE({expected.Name})");
        }

        for (int p = 0; p < reference.Encoder.Schema.Pairs.Count; p++)
        {
            PairResult expected = ResultCalculator.Pair(reference, p, EntropyEstimator.MaximumLikelihood);
            JsonElement actual = PipelineHarness.Latest(records, $"{window}/{expected.Key}") ?? throw Missing(expected.Key);
            Assert.Equal(valid, actual.GetProperty("windowEvents").GetInt64());
            PipelineHarness.AssertClose(expected.Entropies.Joint, actual.GetProperty("joint").GetDouble(), $"H({expected.Key})");
            PipelineHarness.AssertClose(expected.Entropies.ConditionalYGivenX, actual.GetProperty("conditionalYGivenX").GetDouble(), $"H(Y|X) {expected.Key}");
            PipelineHarness.AssertClose(expected.Entropies.MutualInformation, actual.GetProperty("mutualInformation").GetDouble(), $"I {expected.Key}");
        }

        Xunit.Sdk.XunitException Missing(string key) =>
            new($"no output record for {window}/{key}; worker logs: {string.Join(" | ", _workers.Select(w => w.Name + ": " + w.Tail()))}");
    }

    private string WriteConfig(string topic, string output, string state, string partials)
    {
        var fields = PipelineHarness.Fields.Select(f => f.BinWidth is double w
            ? (object)new { f.Name, f.Path, BinWidth = w }
            : new { f.Name, f.Path });
        var config = new
        {
            StreamEntropy = new
            {
                Kafka = new
                {
                    BootstrapServers = kafka.BootstrapServers,
                    GroupId = KafkaFixture.UniqueGroup("scale"),
                    Topics = new[] { topic },
                    OutputTopic = output,
                    DeadLetterTopic = KafkaFixture.UniqueTopic("scale-dead"),
                    AlertTopic = "",
                    Client = new Dictionary<string, string> { ["session.timeout.ms"] = "6000" },
                },
                Fields = fields,
                Pairs = PipelineHarness.Pairs.Select(p => new { p.X, p.Y }),
                Windows = new object[] { new { Name = "all", Kind = "Cumulative" }, new { Name = "minute", Kind = "Tumbling", Size = "00:01:00" }, new { Name = "sliding", Kind = "Sliding", Size = "00:01:00", Step = "00:00:10" } },
                Base = "e",
                PublishInterval = "00:00:00.300",
                Checkpoint = new { Directory = Path.Combine(_dir, "unused"), Interval = "00:00:00.300" },
                Drift = new { Enabled = false },
                Scaling = new { Mode = "Group", StateTopic = state, PartialsTopic = partials },
            },
        };
        string path = Path.Combine(_dir, "config.json");
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return path;
    }
}
