using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Worker.Telemetry;

namespace StreamEntropy.Worker.Hosting;

/// <summary>The activation step of what must exist before the consume loop publishes: creates the metrics and
/// subscribes the history to the pipeline's publications; unsubscribes at stop.</summary>
/// <remarks>Registered before <see cref="EntropyWorkerService"/>: hosted services start in registration order, so the
/// history misses no publication and the first scrape finds every instrument.</remarks>
internal sealed class TelemetryActivation(IServiceProvider services, EntropyPipeline pipeline, SnapshotHistory history) : IHostedService, IDisposable
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Creating the metrics registers their instruments with the meter; nothing else needs them before a scrape.
        _ = services.GetRequiredService<StreamEntropyMetrics>();
        _subscription ??= history.Follow(pipeline.Snapshots);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _subscription = null;
    }
}
