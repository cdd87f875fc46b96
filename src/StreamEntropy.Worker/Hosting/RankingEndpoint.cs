using System.Text.Json;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Streaming.Output;
using StreamEntropy.Streaming.Windows;
using StreamEntropy.Worker.Options;

namespace StreamEntropy.Worker.Hosting;

/// <summary><c>GET /api/ranking?target=NAME[&amp;window=W]</c>: the features of a target field ranked by
/// I(feature; target) in every window (or one), from the latest published snapshot (see <see cref="FeatureRanking"/>).</summary>
/// <remarks>
/// <para>Answer: <c>{"target","unit","windows":[{"window","kind","windowEnd","closed","windowEvents","features":[…]}]}</c>,
/// the rows as <see cref="FeatureRanking.WriteRows"/> writes them; <c>windows</c> is empty before the first
/// publication.</para>
/// <para>Errors, as <c>/api/entropy</c> answers an unknown filter (JSON <c>{"error","known"}</c>): no target → 400;
/// an unknown window → 404 naming it; a target that is no side of any pair (configured, or in the latest snapshot) →
/// 404 naming it (<c>unknown target 'NAME'</c>, or <c>no pair has target 'NAME'</c> for a field that is in no pair),
/// with the known targets. A 404 rather than an empty list, so that a typo is not read as "nothing ranked yet".</para>
/// </remarks>
internal static class RankingEndpoint
{
    public static IResult Handle(EntropyPipeline pipeline, EngineSettings settings, string? window, string? target)
    {
        PublishedSnapshot? latest = pipeline.Latest;
        string[] targets = [.. KnownTargets(settings, latest)];
        if (string.IsNullOrEmpty(target))
        {
            return Results.Json(new UnknownName("name the target: GET /api/ranking?target=NAME", targets), statusCode: StatusCodes.Status400BadRequest);
        }

        if (HttpEndpoints.UnknownFilter(settings, latest, window, null) is { } unknown)
        {
            return unknown;
        }

        if (!targets.Contains(target, StringComparer.Ordinal))
        {
            bool known = settings.Schema.Fields.Any(f => f.Name == target) || (latest?.Windows ?? []).Any(w => w.Fields.Any(f => f.Name == target));
            string error = known ? $"no pair has target '{target}'" : $"unknown target '{target}'";
            return Results.Json(new UnknownName(error, targets), statusCode: StatusCodes.Status404NotFound);
        }

        LogBase logBase = settings.Base;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("target", target);
            w.WriteString("unit", logBase.Unit);
            w.WriteStartArray("windows");
            foreach (WindowSnapshot s in latest?.Windows ?? [])
            {
                if (window is not null && s.Window != window)
                {
                    continue;
                }

                w.WriteStartObject();
                w.WriteString("window", s.Window);
                w.WriteString("kind", s.Kind.ToString());
                w.WriteString("windowEnd", SnapshotRecords.FormatTime(s.End));
                w.WriteBoolean("closed", s.Closed);
                w.WriteNumber("windowEvents", s.Events);
                FeatureRanking.WriteRows(w, "features", FeatureRanking.Rank(s, target), logBase);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Results.Bytes(buffer.ToArray(), "application/json");
    }

    // Every field that is one side of a pair whose other side is another field, configured or published, in order.
    private static IEnumerable<string> KnownTargets(EngineSettings settings, PublishedSnapshot? latest)
    {
        IEnumerable<(string X, string Y)> configured = settings.Schema.Pairs.Select(p => (p.X, p.Y));
        IEnumerable<(string X, string Y)> published = (latest?.Windows ?? []).SelectMany(s => s.Pairs).Select(p => (p.X, p.Y));
        return configured.Concat(published).Where(p => p.X != p.Y).SelectMany(p => new[] { p.X, p.Y }).Distinct(StringComparer.Ordinal);
    }
}
