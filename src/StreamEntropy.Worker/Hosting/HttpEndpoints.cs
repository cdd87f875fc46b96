using System.Text;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Streaming.Output;
using StreamEntropy.Streaming.Windows;
using StreamEntropy.Worker.Options;
using Microsoft.Extensions.Options;

namespace StreamEntropy.Worker.Hosting;

/// <summary>The worker's HTTP endpoints; they read only the latest immutable snapshot, never live tables.</summary>
internal static class HttpEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));

        app.MapGet("/readyz", (EntropyPipeline pipeline, TimeProvider time) =>
        {
            PipelineHealth h = pipeline.Health;
            var problems = new List<string>();
            if (!h.Running)
            {
                problems.Add("the consume loop is not running");
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

            return problems.Count == 0
                ? Results.Text("ready\n")
                : Results.Text("not ready: " + string.Join("; ", problems) + "\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });

        app.MapGet("/api/entropy", (EntropyPipeline pipeline, IOptions<StreamEntropyOptions> options, string? window, string? field) =>
        {
            PublishedSnapshot? latest = pipeline.Latest;
            var json = new StringBuilder("[");
            if (latest is not null)
            {
                bool first = true;
                foreach (WindowSnapshot w in latest.Windows)
                {
                    if (window is not null && w.Window != window)
                    {
                        continue;
                    }

                    foreach (OutputRecord record in SnapshotRecords.Build(w, OptionsMapper.ToBase(options.Value), latest.PublishedAt))
                    {
                        string name = record.Key[(record.Key.IndexOf('/', StringComparison.Ordinal) + 1)..];
                        if (field is not null && name != field && !name.Split(',').Contains(field))
                        {
                            continue;
                        }

                        json.Append(first ? "\n" : ",\n").Append(Encoding.UTF8.GetString(record.Json));
                        first = false;
                    }
                }
            }

            json.Append("\n]\n");
            return Results.Text(json.ToString(), "application/json");
        });
    }
}
