using StreamEntropy.IntegrationTests.Infrastructure;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Kafka.State;

namespace StreamEntropy.IntegrationTests.Pipeline;

/// <summary>A checkpoint that cannot be written is a failed checkpoint (not ready, retried), never a crash.</summary>
[Collection(KafkaCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class CheckpointFailureTests(KafkaFixture kafka) : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("se-ckfail-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Fact]
    public async Task Run_CheckpointWriteDenied_ReportsFailedCheckpointKeepsCountingAndRecovers()
    {
        string topic = KafkaFixture.UniqueTopic("ckfail");
        await kafka.CreateTopicAsync(topic, 2);
        List<byte[]> first = PipelineHarness.Events(2000, seed: 81);
        await PipelineHarness.ProduceAsync(kafka.BootstrapServers, topic, first);

        using EntropyPipeline pipeline = PipelineHarness.CreatePipeline(
            kafka.BootstrapServers, topic, KafkaFixture.UniqueGroup("ckfail"), KafkaFixture.UniqueTopic("out"), KafkaFixture.UniqueTopic("dead"), _state);
        using var cts = new CancellationTokenSource();
        Task run = Task.Factory.StartNew(() => pipeline.Run(cts.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await WaitAsync(run, () => pipeline.Health.CheckpointsWritten > 0 && pipeline.Latest is { } l && l.Processed + l.Rejected == first.Count, "the first events were not counted and checkpointed");

        // A directory where the temporary file goes: opening it for writing fails with UnauthorizedAccessException,
        // which is not an IOException, even for root.
        string temp = pipeline.Checkpoints.FilePath + ".tmp";
        Directory.CreateDirectory(temp);
        await WaitAsync(run, () => !pipeline.Health.CheckpointHealthy, "the failed checkpoint was not reported");
        Assert.Contains(temp, pipeline.Health.LastError, StringComparison.Ordinal);
        long writtenWhileDenied = pipeline.Health.CheckpointsWritten;

        List<byte[]> second = PipelineHarness.Events(1000, seed: 82);
        await PipelineHarness.ProduceAsync(kafka.BootstrapServers, topic, second);
        int total = first.Count + second.Count;
        await WaitAsync(run, () => pipeline.Latest is { } l && l.Processed + l.Rejected == total, "counting stopped while checkpoints failed");
        Assert.Equal(writtenWhileDenied, pipeline.Health.CheckpointsWritten);
        Assert.False(pipeline.Health.CheckpointHealthy);

        Directory.Delete(temp);
        await WaitAsync(run, () => pipeline.Health.CheckpointHealthy && pipeline.Health.CheckpointsWritten > writtenWhileDenied, "checkpoints did not resume");
        cts.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(60));

        Checkpoint saved = CheckpointStore.Deserialize(File.ReadAllBytes(pipeline.Checkpoints.FilePath), "checkpoint");
        Assert.Equal(total, saved.Offsets.Values.Sum()); // one partition offset per event: every event is covered
    }

    private static async Task WaitAsync(Task run, Func<bool> done, string failure)
    {
        DateTime end = DateTime.UtcNow.AddSeconds(45);
        while (!done())
        {
            if (run.IsCompleted)
            {
                await run; // the loop died: show why
                Assert.Fail($"{failure}: the loop stopped");
            }

            Assert.True(DateTime.UtcNow < end, failure);
            await Task.Delay(100);
        }
    }
}
