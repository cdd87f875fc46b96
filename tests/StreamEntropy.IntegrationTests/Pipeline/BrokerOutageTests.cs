using StreamEntropy.Core.Estimation;
using StreamEntropy.Kafka.Broker;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.IntegrationTests.Pipeline;

/// <summary>A broker that goes away and comes back: the worker keeps running, reports not ready, and ends exact.</summary>
/// <remarks>Needs control over the broker, so it uses its own librdkafka mock cluster rather than the shared fixture.</remarks>
[Trait("Category", "Integration")]
public sealed class BrokerOutageTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("se-outage-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    // A one-broker cluster with the input topic "in" and, in Group mode, the state and partials topics.
    private static EmbeddedKafkaCluster StartCluster(bool groupMode, out ScaleOutSettings? scaleOut)
    {
        EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.Start(brokers: 1, groupInitialRebalanceDelay: TimeSpan.Zero);
        cluster.CreateTopic("in", 2);
        scaleOut = null;
        if (groupMode)
        {
            cluster.CreateTopic("state", 2);
            cluster.CreateTopic("partials", 2);
            scaleOut = new ScaleOutSettings("state", "partials");
        }

        return cluster;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_BrokerDownThenUp_ResumesWithoutLossOrDuplicates(bool groupMode)
    {
        using EmbeddedKafkaCluster cluster = StartCluster(groupMode, out ScaleOutSettings? scaleOut);

        List<byte[]> before = PipelineHarness.Events(3000, seed: 31);
        await PipelineHarness.ProduceAsync(cluster.BootstrapServers, "in", before);

        using EntropyPipeline pipeline = PipelineHarness.CreatePipeline(cluster.BootstrapServers, "in", "outage", "out", "dead", _state, scaleOut: scaleOut);
        using var cts = new CancellationTokenSource();
        Task run = Task.Factory.StartNew(() => pipeline.Run(cts.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await WaitAsync(() => pipeline.Latest is { } l && l.Processed + l.Rejected == before.Count, "the first events were not consumed");

        string errorBefore = pipeline.Health.LastError;
        cluster.SetBrokerAvailable(1, available: false);
        List<byte[]> after = PipelineHarness.Events(2000, seed: 32);
        Task producing = Task.Run(() => PipelineHarness.ProduceAsync(cluster.BootstrapServers, "in", after));
        await WaitAsync(() => pipeline.Health.LastError != errorBefore, "the outage was not noticed");
        Assert.False(producing.IsCompleted, $"events were delivered while the broker was down ({pipeline.Health.LastError})");
        Assert.False(run.IsCompleted, "the worker stopped when the broker went away");
        await WaitAsync(() => !pipeline.Health.BrokerReachable, "readiness did not report the lost broker");
        Assert.Equal(before.Count, pipeline.Latest!.Processed + pipeline.Latest.Rejected);

        cluster.SetBrokerAvailable(1, available: true);
        await WaitAsync(() => pipeline.Health.BrokerReachable, "readiness did not recover with the broker");
        await producing.WaitAsync(TimeSpan.FromSeconds(60));
        List<byte[]> all = [.. before, .. after];
        await WaitAsync(() => pipeline.Latest is { } l && l.Processed + l.Rejected >= all.Count, "consumption did not resume", TimeSpan.FromSeconds(60));
        FrequencySet reference = PipelineHarness.Profile(all, out int valid);
        if (groupMode)
        {
            // The merged view follows once this instance's partials have come back through the partials topic.
            await WaitAsync(() => pipeline.Latest!.Windows.SingleOrDefault(w => w.Window == "all") is { } w && w.Events >= valid, "the merged window did not catch up", TimeSpan.FromSeconds(60));
        }

        cts.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(valid, pipeline.Latest!.Processed);
        Assert.Equal(all.Count - valid, pipeline.Latest.Rejected);
        var window = pipeline.Latest.Windows.Single(w => w.Window == "all");
        Assert.Equal(valid, window.Events); // merged in Group mode: nothing lost or counted twice across the outage
        for (int f = 0; f < reference.Encoder.Schema.Fields.Count; f++)
        {
            FieldResult expected = ResultCalculator.Field(reference, f, EntropyEstimator.MaximumLikelihood);
            Assert.Equal(expected.Count, window.Fields[f].Count);
            AssertClose(expected.Entropy, window.Fields[f].Entropy, $"H({expected.Name})");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_BrokerDown_CheckpointsDoNotHoldUpTheConsumeLoop(bool groupMode)
    {
        using EmbeddedKafkaCluster cluster = StartCluster(groupMode, out ScaleOutSettings? scaleOut);

        List<byte[]> events = PipelineHarness.Events(2000, seed: 33, malformedShare: 0); // no dead letters to wait for
        await PipelineHarness.ProduceAsync(cluster.BootstrapServers, "in", events);

        using EntropyPipeline pipeline = PipelineHarness.CreatePipeline(cluster.BootstrapServers, "in", "outage-flush", "out", "dead", _state, scaleOut: scaleOut);
        using var cts = new CancellationTokenSource();
        Task run = Task.Factory.StartNew(() => pipeline.Run(cts.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await WaitAsync(() => pipeline.Health.CheckpointsWritten > 0 && pipeline.Latest is { } l && l.Processed == events.Count, "the events were not counted and checkpointed");

        cluster.SetBrokerAvailable(1, available: false);
        await WaitAsync(() => !pipeline.Health.BrokerReachable, "readiness did not report the lost broker");

        // Publications keep queueing output records (and in Group mode state records) that cannot be delivered. The
        // checkpoints (every 500 ms here) used to flush the producer for 30 s each, freezing the consume loop.
        DateTimeOffset noticed = pipeline.Health.LastPoll;
        long before = pipeline.Health.CheckpointsWritten;
        await WaitAsync(() => pipeline.Health.LastPoll > noticed.AddSeconds(3), "the consume loop stopped polling while the broker was down", TimeSpan.FromSeconds(20));
        if (!groupMode)
        {
            // Only output records were pending: nothing a checkpoint must wait for.
            await WaitAsync(() => pipeline.Health.CheckpointsWritten >= before + 3, "no checkpoint was written while the broker was down", TimeSpan.FromSeconds(20));
            Assert.True(pipeline.Health.CheckpointHealthy);
        }

        Assert.False(pipeline.Health.BrokerReachable);
        Assert.False(run.IsCompleted);

        cluster.SetBrokerAvailable(1, available: true);
        if (groupMode)
        {
            // The state records queued meanwhile are delivered and complete a checkpoint.
            long during = pipeline.Health.CheckpointsWritten;
            await WaitAsync(() => pipeline.Health.CheckpointsWritten > during, "no checkpoint completed after the broker came back", TimeSpan.FromSeconds(60));
        }

        cts.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(events.Count, pipeline.Latest!.Processed);
    }

    private static async Task WaitAsync(Func<bool> done, string failure, TimeSpan? timeout = null)
    {
        DateTime end = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(45));
        while (!done())
        {
            Assert.True(DateTime.UtcNow < end, failure);
            await Task.Delay(100);
        }
    }
}
