using Microsoft.Extensions.Diagnostics.HealthChecks;
using StreamEntropy.Kafka.Pipeline;

namespace StreamEntropy.Worker.Hosting;

/// <summary>Readiness: the loop runs, a broker is reachable, partitions are assigned, polling is recent, the last
/// checkpoint succeeded. Liveness (<c>/healthz</c>) runs no check: it does not depend on Kafka.</summary>
internal sealed class PipelineHealthCheck(EntropyPipeline pipeline, TimeProvider time) : IHealthCheck
{
    public const string ReadyTag = "ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        PipelineHealth h = pipeline.Health;
        var problems = new List<string>();
        if (!h.Running)
        {
            problems.Add("the consume loop is not running");
        }

        if (!h.BrokerReachable)
        {
            problems.Add("no Kafka broker reachable (retrying)" + (h.LastError.Length > 0 ? $": {h.LastError}" : ""));
        }

        if (h.AssignedPartitions == 0)
        {
            problems.Add("no partitions assigned" + (h.LastError.Length > 0 ? $" (last error: {h.LastError})" : ""));
        }

        if (time.GetUtcNow() - h.LastPoll > TimeSpan.FromSeconds(30))
        {
            problems.Add("no poll in the last 30 s");
        }

        if (!h.CheckpointHealthy)
        {
            problems.Add("the last checkpoint failed");
        }

        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy("ready")
            : HealthCheckResult.Unhealthy("not ready: " + string.Join("; ", problems)));
    }
}
