using System.Reactive.Concurrency;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;
using StreamEntropy.Worker.Hosting;

namespace StreamEntropy.Worker.Tests.Hosting;

public sealed class PipelineHealthCheckTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("se-health-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Fact]
    public async Task CheckHealthAsync_LoopNotStarted_UnhealthyNamingEveryReason()
    {
        var schema = new EventSchema([new FieldDefinition("a", "a")], []);
        using var pipeline = new EntropyPipeline(
            new PipelineSettings
            {
                BootstrapServers = "127.0.0.1:1",
                GroupId = "g",
                Topics = ["t"],
                OutputTopic = "o",
                DeadLetterTopic = "d",
                CheckpointDirectory = _state,
            },
            () => new EntropyEngine(schema, [new WindowDefinition("all", WindowKind.Cumulative)], EntropyEstimator.MaximumLikelihood),
            NullLogger.Instance,
            TimeProvider.System,
            ImmediateScheduler.Instance);
        var check = new PipelineHealthCheck(pipeline, TimeProvider.System);

        HealthCheckResult result = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("the consume loop is not running", result.Description, StringComparison.Ordinal);
        Assert.Contains("no partitions assigned", result.Description, StringComparison.Ordinal);
        Assert.Contains("no poll in the last 30 s", result.Description, StringComparison.Ordinal);
    }
}
