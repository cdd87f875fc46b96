using System.Text.Json;
using StreamEntropy.Core.Estimation;
using StreamEntropy.IntegrationTests.Infrastructure;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Profiling;

namespace StreamEntropy.IntegrationTests.Pipeline;

/// <summary>The real executable with <c>"Pairs": [{"X": ["country", "device"], "Y": "status"}]</c> in its configuration
/// file: the published records of the tuple and its pairs equal <c>profile</c>'s counting of the same events.</summary>
[Collection(WorkerProcessCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class TuplePairWorkerTests(KafkaFixture kafka) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("se-tuple-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Run_ConfigWithTuplePairs_PublishesConditionalsOnBothFieldsEqualToProfile()
    {
        string topic = KafkaFixture.UniqueTopic("tuple");
        string output = KafkaFixture.UniqueTopic("out");
        await kafka.CreateTopicAsync(topic, 2);
        object[] pairs =
        [
            new { X = new[] { "country", "device" }, Y = "status" },
            new { X = new[] { "country", "amount" }, Y = "status" }, // a binned field in a tuple
            new { X = "country", Y = "status" },
        ];
        string config = PipelineHarness.WriteWorkerConfig(
            _dir, kafka.BootstrapServers, topic, output, "", new[] { new { Name = "all", Kind = "Cumulative" } }, new Dictionary<string, object> { ["Pairs"] = pairs });
        List<byte[]> events = PipelineHarness.Events(6_000, seed: 17);
        await PipelineHarness.ProduceAsync(kafka.BootstrapServers, topic, events, roundRobinPartitions: 2);

        // The reference: profile's counting of the same (well-formed) events with the same tuples.
        var schema = new EventSchema(
            [.. PipelineHarness.Fields, FieldDefinition.Tuple(["country", "device"]), FieldDefinition.Tuple(["country", "amount"])],
            [new PairDefinition("country+device", "status"), new PairDefinition("country+amount", "status"), new PairDefinition("country", "status")]);
        string file = Path.Combine(_dir, "events.jsonl");
        File.WriteAllLines(file, events.Where(PipelineHarness.IsObject).Select(e => System.Text.Encoding.UTF8.GetString(e)));
        var reference = new FrequencySet(new EventEncoder(schema));
        long valid = FileProfiler.Count(file, InputFormat.JsonLines, reference);

        string[] keys = ["all/country+device", "all/country+amount", "all/country+device,status", "all/country+amount,status", "all/country,status"];
        using WorkerProcess worker = WorkerProcess.Start(config, "tuple");
        var records = PipelineHarness.ReadUntil(
            kafka.BootstrapServers,
            output,
            rs => keys.All(k => PipelineHarness.Latest(rs, k) is { } r && r.GetProperty("windowEvents").GetInt64() >= valid),
            TimeSpan.FromSeconds(90));
        await worker.TerminateAsync();
        Assert.True(worker.WaitForExit(TimeSpan.FromSeconds(60)), $"the worker did not stop: {worker.Tail()}");

        for (int p = 0; p < schema.Pairs.Count; p++)
        {
            PairResult expected = ResultCalculator.Pair(reference, p, EntropyEstimator.MaximumLikelihood);
            JsonElement actual = PipelineHarness.Latest(records, $"all/{expected.Key}") ?? throw new Xunit.Sdk.XunitException($"no record for {expected.Key}");
            Assert.Equal(expected.X, actual.GetProperty("pair").GetProperty("x").GetString());
            Assert.Equal(expected.Entropies.Count, actual.GetProperty("count").GetInt64());
            Assert.Equal(expected.DistinctPairs, actual.GetProperty("distinctPairs").GetInt32());
            AssertClose(expected.Entropies.Joint, actual.GetProperty("joint").GetDouble(), $"H({expected.Key})");
            AssertClose(expected.Entropies.ConditionalYGivenX, actual.GetProperty("conditionalYGivenX").GetDouble(), $"H(Y|X) of {expected.Key}");
            AssertClose(expected.Entropies.MutualInformation, actual.GetProperty("mutualInformation").GetDouble(), $"I of {expected.Key}");
        }

        // Conditioning on both fields tells at least as much about the status as the country alone.
        Assert.True(ResultCalculator.Pair(reference, 0, EntropyEstimator.MaximumLikelihood).Entropies.MutualInformation
            >= ResultCalculator.Pair(reference, 2, EntropyEstimator.MaximumLikelihood).Entropies.MutualInformation);
        for (int f = schema.Fields.Count - 2; f < schema.Fields.Count; f++)
        {
            FieldResult expected = ResultCalculator.Field(reference, f, EntropyEstimator.MaximumLikelihood);
            JsonElement actual = PipelineHarness.Latest(records, $"all/{expected.Name}")!.Value;
            Assert.Equal((expected.Count, expected.Missing, expected.Invalid), (actual.GetProperty("count").GetInt64(), actual.GetProperty("missing").GetInt64(), actual.GetProperty("invalid").GetInt64()));
            AssertClose(expected.Entropy, actual.GetProperty("entropy").GetDouble(), $"H({expected.Name})");
        }
    }
}
