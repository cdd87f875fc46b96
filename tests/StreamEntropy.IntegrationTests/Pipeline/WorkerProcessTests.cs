using System.Text.Json;
using Confluent.Kafka;
using StreamEntropy.Core.Estimation;
using StreamEntropy.IntegrationTests.Infrastructure;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.IntegrationTests.Pipeline;

/// <summary>The real executable as a child process: killed with SIGKILL mid-stream and restarted, it ends exact.</summary>
[Collection(WorkerProcessCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class WorkerProcessTests(KafkaFixture kafka) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("se-process-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Run_ChildKilledWithSigkillAndRestarted_FinalCountsExact()
    {
        string topic = KafkaFixture.UniqueTopic("kill");
        string output = KafkaFixture.UniqueTopic("out");
        await kafka.CreateTopicAsync(topic, 4);
        List<byte[]> events = PipelineHarness.Events(20_000, seed: 21);
        await PipelineHarness.ProduceAsync(kafka.BootstrapServers, topic, events);
        FrequencySet reference = PipelineHarness.Profile(events, out int valid);
        string config = PipelineHarness.WriteWorkerConfig(
            _dir, kafka.BootstrapServers, topic, output, KafkaFixture.UniqueTopic("alerts"), new[] { new { Name = "all", Kind = "Cumulative" } });

        // First life: runs until at least one checkpoint exists and part of the input is counted, then SIGKILL.
        using (WorkerProcess first = WorkerProcess.Start(config, "first"))
        {
            string checkpoint = Path.Combine(_dir, "state");
            DateTime deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && !first.Process.HasExited && !HasCheckpoint(checkpoint))
            {
                await Task.Delay(50);
            }

            Assert.False(first.Process.HasExited, $"the worker exited with {(first.Process.HasExited ? first.Process.ExitCode : 0)} before it was killed: {first.Tail()}");
            Assert.True(HasCheckpoint(checkpoint), "no checkpoint was written within 60 s");
            await first.KillAsync(); // SIGKILL on Linux: no shutdown code runs
        }

        // Second life: restores the checkpoint, replays exactly what it had not covered, and is stopped gracefully.
        using WorkerProcess second = WorkerProcess.Start(config, "second");
        List<ConsumeResult<string?, byte[]>> records = PipelineHarness.ReadUntil(
            kafka.BootstrapServers,
            output,
            rs => PipelineHarness.AllKeys.All(k => PipelineHarness.Latest(rs, $"all/{k}") is { } r && r.GetProperty("windowEvents").GetInt64() >= valid),
            TimeSpan.FromSeconds(90));
        await second.KillAsync();

        for (int f = 0; f < reference.Encoder.Schema.Fields.Count; f++)
        {
            FieldResult expected = ResultCalculator.Field(reference, f, EntropyEstimator.MaximumLikelihood);
            JsonElement actual = PipelineHarness.Latest(records, $"all/{expected.Name}") ?? throw new Xunit.Sdk.XunitException($"no record for {expected.Name}");
            Assert.Equal(valid, actual.GetProperty("windowEvents").GetInt64()); // not one event more: nothing counted twice
            Assert.Equal(expected.Count, actual.GetProperty("count").GetInt64());
            Assert.Equal(expected.Distinct, actual.GetProperty("distinct").GetInt32());
            PipelineHarness.AssertClose(expected.Entropy, actual.GetProperty("entropy").GetDouble(), $"H({expected.Name})");
        }
    }

    private static bool HasCheckpoint(string directory) =>
        Directory.Exists(directory) && Directory.EnumerateFiles(directory, "*.checkpoint").Any();
}
