using StreamEntropy.IntegrationTests.Infrastructure;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.IntegrationTests.Pipeline;

/// <summary>Event time places events by their Kafka timestamp; processing time by the worker's clock.</summary>
[Collection(KafkaCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class TimeModeTests(KafkaFixture kafka) : IDisposable
{
    private static readonly DateTimeOffset Past = new(2001, 2, 3, 4, 5, 6, TimeSpan.Zero);
    private readonly string _state = Directory.CreateTempSubdirectory("se-time-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Run_OldTimestamps_WindowFollowsTheConfiguredClock(bool useEventTime)
    {
        string topic = KafkaFixture.UniqueTopic("time");
        await kafka.CreateTopicAsync(topic, 1);
        List<byte[]> events = PipelineHarness.Events(500, seed: 41);
        await PipelineHarness.ProduceAsync(kafka.BootstrapServers, topic, events, Past);
        WindowDefinition[] windows = [new("1h", WindowKind.Tumbling, Size: TimeSpan.FromHours(1))];

        DateTimeOffset started = DateTimeOffset.UtcNow;
        using EntropyPipeline pipeline = PipelineHarness.CreatePipeline(
            kafka.BootstrapServers, topic, KafkaFixture.UniqueGroup("time"), KafkaFixture.UniqueTopic("out"), KafkaFixture.UniqueTopic("dead"), _state, windows, useEventTime);
        using var cts = new CancellationTokenSource();
        Task run = Task.Factory.StartNew(() => pipeline.Run(cts.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        DateTime deadline = DateTime.UtcNow.AddSeconds(45);
        while (!(pipeline.Latest is { } l && l.Processed + l.Rejected == events.Count) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        cts.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(60));
        WindowSnapshot window = pipeline.Latest!.Windows.Single();
        Assert.True(window.Start is not null, "the tumbling window never started");
        Assert.Equal(pipeline.Latest.Processed, window.Events);
        if (useEventTime)
        {
            // 2001-02-03T04:00 – 05:00: the hour of the Kafka timestamps.
            Assert.Equal(new DateTimeOffset(2001, 2, 3, 4, 0, 0, TimeSpan.Zero), window.Start);
        }
        else
        {
            DateTimeOffset hour = new(started.Year, started.Month, started.Day, started.Hour, 0, 0, TimeSpan.Zero);
            Assert.InRange(window.Start!.Value, hour, hour.AddHours(1)); // the worker's own hour (or the next, at a boundary)
        }
    }
}
