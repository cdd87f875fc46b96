using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Output;
using StreamEntropy.Streaming.Windows;
using StreamEntropy.Worker.Options;
using StreamEntropy.Worker.Telemetry;

namespace StreamEntropy.Worker.Hosting;

/// <summary>The worker's HTTP endpoints; they read only the latest immutable snapshot, never live tables.</summary>
/// <remarks>Every endpoint answers GET and HEAD only (anything else is 405), but the POST that re-captures a drift reference, and every response carries a strict
/// Content-Security-Policy and <c>X-Content-Type-Options: nosniff</c>: names of fields, pairs, windows and rules come
/// from configuration and may hold any character, so the page must never be able to run what they contain.</remarks>
internal static class HttpEndpoints
{
    /// <summary>Only the page's own script, style and API; no inline script or style, no plugins, no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly string[] ReadMethods = [HttpMethods.Get, HttpMethods.Head];

    // The page's embedded assets by name, each with its media type; any other name is 404.
    private static readonly Dictionary<string, string> PageAssets = new(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["app.js"] = "text/javascript; charset=utf-8",
        ["style.css"] = "text/css; charset=utf-8",
    };

    public static void Map(WebApplication app)
    {
        app.Use((context, next) =>
        {
            context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return next(context);
        });

        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }) // alive: no check, no Kafka
            .WithMetadata(new HttpMethodMetadata(ReadMethods));
        app.MapMethods("/", ReadMethods, () => PageAsset("index.html"));
        app.MapMethods("/page/{name}", ReadMethods, (string name) => PageAsset(name));

        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(PipelineHealthCheck.ReadyTag),
            ResponseWriter = (context, report) =>
            {
                context.Response.ContentType = "text/plain; charset=utf-8";
                string text = string.Join("; ", report.Entries.Values.Select(e => e.Description ?? e.Status.ToString()));
                return context.Response.WriteAsync(text + "\n");
            },
        }).WithMetadata(new HttpMethodMetadata(ReadMethods));

        app.MapMethods("/api/entropy/history", ReadMethods, (SnapshotHistory history, EntropyPipeline pipeline, EngineSettings settings, string? window, string? field) =>
        {
            if (UnknownFilter(settings, pipeline.Latest, window, field) is { } unknown)
            {
                return unknown;
            }

            LogBase logBase = settings.Base;
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("unit", logBase.Unit);
                w.WriteStartArray("series");
                foreach (string key in history.Keys())
                {
                    int slash = key.IndexOf('/', StringComparison.Ordinal);
                    string keyWindow = key[..slash];
                    string subject = key[(slash + 1)..];
                    if ((window is not null && keyWindow != window) || (field is not null && subject != field && !subject.Split(',').Contains(field)))
                    {
                        continue;
                    }

                    w.WriteStartObject();
                    w.WriteString("window", keyWindow);
                    bool pair = subject.Contains(',', StringComparison.Ordinal);
                    w.WriteString(pair ? "pair" : "field", subject);
                    w.WriteStartArray("points");
                    foreach (HistoryPoint p in history.Get(key))
                    {
                        w.WriteStartObject();
                        w.WriteString("t", SnapshotRecords.FormatTime(p.Time));
                        EntropyJson.WriteNumber(w, pair ? "joint" : "entropy", logBase.FromNats(p.Entropy));
                        EntropyJson.WriteNumber(w, "standardError", logBase.FromNats(p.StandardError));
                        w.WriteNumber("count", p.Count);
                        if (pair)
                        {
                            EntropyJson.WriteNumber(w, "conditionalYGivenX", logBase.FromNats(p.ConditionalYGivenX));
                            EntropyJson.WriteNumber(w, "conditionalXGivenY", logBase.FromNats(p.ConditionalXGivenY));
                            EntropyJson.WriteNumber(w, "mutualInformation", logBase.FromNats(p.MutualInformation));
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            return Results.Bytes(buffer.ToArray(), "application/json");
        });

        app.MapMethods("/api/alerts", ReadMethods, (EntropyPipeline pipeline) =>
        {
            PublishedSnapshot? latest = pipeline.Latest;
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteStartArray("active");
                foreach (AlertEvent a in latest?.ActiveAlerts ?? [])
                {
                    AlertJson.Write(w, a);
                }

                w.WriteEndArray();
                w.WriteStartArray("recent");
                foreach (AlertEvent a in (latest?.RecentAlerts ?? []).Reverse())
                {
                    AlertJson.Write(w, a);
                }

                w.WriteEndArray();
                w.WriteStartArray("drift");
                foreach (DriftReport report in latest?.Drift ?? [])
                {
                    foreach (FieldDrift f in report.Fields)
                    {
                        WriteDrift(w, report, "field", f.Name, f, null);
                    }

                    foreach (PairDrift p in report.Pairs)
                    {
                        WriteDrift(w, report, "pair", p.Key, p.Joint, p);
                    }
                }

                w.WriteEndArray();
                w.WriteStartArray("references");
                foreach (DriftReference reference in latest?.References ?? [])
                {
                    WriteReference(w, reference);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            return Results.Bytes(buffer.ToArray(), "application/json");
        });

        // Changes what the monitor treats as normal, so only a local operator may ask (whatever --urls binds).
        app.MapPost("/api/drift/recapture", async (HttpContext context, EntropyPipeline pipeline, string? window) =>
        {
            if (context.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote))
            {
                return Results.Text("re-capture is answered on loopback only\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status403Forbidden);
            }

            if (string.IsNullOrWhiteSpace(window))
            {
                return Results.Text("name the window: POST /api/drift/recapture?window=NAME\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
            }

            RecaptureOutcome outcome;
            try
            {
                outcome = await pipeline.RecaptureAsync(window).WaitAsync(RecaptureTimeout, context.RequestAborted);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                return Results.Text("the consume loop did not serve the request (not running?)\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            (int status, string name) = outcome switch
            {
                RecaptureOutcome.Done => (StatusCodes.Status200OK, "done"),
                RecaptureOutcome.UnknownWindow => (StatusCodes.Status404NotFound, "unknownWindow"),
                RecaptureOutcome.NotScored => (StatusCodes.Status409Conflict, "notScored"),
                _ => (StatusCodes.Status409Conflict, "usesBaselineFile"),
            };
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("window", window);
                w.WriteString("outcome", name);
                w.WriteEndObject();
            }

            return Results.Text(Encoding.UTF8.GetString(buffer.ToArray()), "application/json", Encoding.UTF8, status);
        });

        app.MapMethods("/api/entropy", ReadMethods, (EntropyPipeline pipeline, EngineSettings settings, string? window, string? field) =>
        {
            if (UnknownFilter(settings, pipeline.Latest, window, field) is { } unknown)
            {
                return unknown;
            }

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

                    foreach (OutputRecord record in SnapshotRecords.Build(w, settings.Base, latest.PublishedAt))
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

        app.MapMethods("/api/ranking", ReadMethods, RankingEndpoint.Handle);
    }

    private static readonly TimeSpan RecaptureTimeout = TimeSpan.FromSeconds(10);

    // {"window","subject"(Group mode, else null),"origin":"baseline"|"captured"|"pending","events",
    //  "windowStart","windowEnd" (captured), "baselineSource" (baseline)}
    internal static void WriteReference(Utf8JsonWriter w, DriftReference reference)
    {
        w.WriteStartObject();
        w.WriteString("window", reference.Window);
        if (reference.Subject is null)
        {
            w.WriteNull("subject");
        }
        else
        {
            w.WriteString("subject", reference.Subject);
        }

        w.WriteString("origin", reference.Origin switch
        {
            ReferenceOrigin.BaselineFile => "baseline",
            ReferenceOrigin.CapturedWindow => "captured",
            _ => "pending",
        });
        w.WriteNumber("events", reference.Events);
        WriteTime("windowStart", reference.CapturedStartMs);
        WriteTime("windowEnd", reference.CapturedEndMs);
        if (reference.Origin == ReferenceOrigin.BaselineFile)
        {
            if (reference.BaselineSource is null)
            {
                w.WriteNull("baselineSource");
            }
            else
            {
                w.WriteString("baselineSource", reference.BaselineSource);
            }
        }

        // The thresholds in force on this window and where each came from ("configured", or calibrated: "auto: …").
        w.WriteStartArray("thresholds");
        foreach (ThresholdInForce t in reference.Thresholds)
        {
            w.WriteStartObject();
            w.WriteString("rule", t.Rule);
            w.WriteString("metric", t.Metric);
            if (t.Subject is null)
            {
                w.WriteNull("subject");
            }
            else
            {
                w.WriteString("subject", t.Subject);
            }

            EntropyJson.WriteNumber(w, "threshold", t.Threshold);
            EntropyJson.WriteNumber(w, "clearThreshold", t.ClearThreshold);
            w.WriteString("thresholdSource", t.Source);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();

        void WriteTime(string name, long? ms)
        {
            if (ms is long t)
            {
                w.WriteString(name, SnapshotRecords.FormatTime(DateTimeOffset.FromUnixTimeMilliseconds(t)));
            }
            else
            {
                w.WriteNull(name);
            }
        }
    }

    private static void WriteDrift(Utf8JsonWriter w, DriftReport report, string kind, string subject, FieldDrift d, PairDrift? pair)
    {
        w.WriteStartObject();
        w.WriteString("window", report.Window);
        w.WriteString("windowEnd", SnapshotRecords.FormatTime(DateTimeOffset.FromUnixTimeMilliseconds(report.TimestampMs)));
        w.WriteString(kind, subject);
        w.WriteNumber("events", report.Events);
        EntropyJson.WriteNumber(w, "psi", d.Divergences.PopulationStability);
        EntropyJson.WriteNumber(w, "jensenShannon", d.Divergences.JensenShannon);
        EntropyJson.WriteNumber(w, "klDivergence", d.Divergences.KullbackLeibler);
        EntropyJson.WriteNumber(w, "gTestLog10P", d.GTestSignificance);
        EntropyJson.WriteNumber(w, "gTestLog10PAdjusted", d.AdjustedGTestSignificance); // Benjamini–Hochberg over the close; null in Group mode
        EntropyJson.WriteNumber(w, "entropyChangeSe", d.EntropyChangeStandardErrors);
        if (d.Bounds is { } bounds)
        {
            // A budgeted field scored from a summary: certified brackets; the point scores above are null.
            w.WriteBoolean("bounded", true);
            EntropyJson.WriteNumber(w, "jsLower", bounds.JensenShannonLower);
            EntropyJson.WriteNumber(w, "jsUpper", bounds.JensenShannonUpper);
            EntropyJson.WriteNumber(w, "tvLower", bounds.TotalVariationLower);
            EntropyJson.WriteNumber(w, "tvUpper", bounds.TotalVariationUpper);
            EntropyJson.WriteNumber(w, "restShare", bounds.CurrentRestShare);
            EntropyJson.WriteNumber(w, "referenceRestShare", bounds.ReferenceRestShare);
        }

        if (pair is not null)
        {
            EntropyJson.WriteNumber(w, "mutualInformationChange", pair.MutualInformationChange);
            EntropyJson.WriteNumber(w, "conditionalEntropyChange", pair.ConditionalEntropyChange);
            w.WriteStartArray("drivers"); // the values of X that moved H(Y|X) = Σ p(x) H(Y|X=x) most
            foreach (ConditionalDriver driver in pair.Drivers)
            {
                w.WriteStartObject();
                w.WriteString("x", driver.X);
                EntropyJson.WriteNumber(w, "contributionChange", driver.ContributionChange);
                EntropyJson.WriteNumber(w, "currentShare", driver.CurrentShare);
                EntropyJson.WriteNumber(w, "referenceShare", driver.ReferenceShare);
                EntropyJson.WriteNumber(w, "currentConditionalEntropy", driver.CurrentConditionalEntropy);
                EntropyJson.WriteNumber(w, "referenceConditionalEntropy", driver.ReferenceConditionalEntropy);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            WriteChain(w, pair.Chain);
        }

        w.WriteString("unit", "nats");
        w.WriteEndObject();
    }

    // "chain": why the pair's joint entropy moved, ΔH(X,Y) = ΔH(X) + ΔH(Y|X) (nats), and the verdict; null if not scored.
    private static void WriteChain(Utf8JsonWriter w, ChainAttribution? chain)
    {
        if (chain is null)
        {
            w.WriteNull("chain");
            return;
        }

        w.WriteStartObject("chain");
        EntropyJson.WriteNumber(w, "jointEntropyChange", chain.JointChange);
        EntropyJson.WriteNumber(w, "inputEntropyChange", chain.InputChange);
        EntropyJson.WriteNumber(w, "relationEntropyChange", chain.RelationChange);
        EntropyJson.WriteNumber(w, "inputsShare", chain.InputsShare);
        EntropyJson.WriteNumber(w, "noiseFloor", chain.NoiseFloor);
        if (chain.Verdict is string verdict)
        {
            w.WriteString("verdict", verdict);
        }
        else
        {
            w.WriteNull("verdict");
        }

        w.WriteEndObject();
    }

    /// <summary>A 404 naming the known windows (or fields) when a filter names none of them; null when both are known.</summary>
    /// <remarks>An empty 200 would read as "no data yet" and hide a typo. Known names come from the configuration, so
    /// the answer is the same before the first publication, and from the latest publication (discovered fields, pairs
    /// formed by rules).</remarks>
    internal static IResult? UnknownFilter(EngineSettings settings, PublishedSnapshot? latest, string? window, string? field)
    {
        if (window is not null)
        {
            string[] windows = [.. settings.Windows.Select(w => w.Name)];
            if (!windows.Contains(window, StringComparer.Ordinal))
            {
                return Results.Json(new UnknownName($"unknown window '{window}'", windows), statusCode: StatusCodes.Status404NotFound);
            }
        }

        if (field is not null)
        {
            IEnumerable<WindowSnapshot> published = latest?.Windows ?? [];
            string[] fields = [.. settings.Schema.Fields.Select(f => f.Name).Concat(published.SelectMany(w => w.Fields.Select(f => f.Name))).Distinct(StringComparer.Ordinal)];
            string[] pairs = [.. settings.Schema.Pairs.Select(p => p.Key).Concat(published.SelectMany(w => w.Pairs.Select(p => p.Key))).Distinct(StringComparer.Ordinal)];
            if (!fields.Contains(field, StringComparer.Ordinal) && !pairs.Contains(field, StringComparer.Ordinal))
            {
                return Results.Json(new UnknownName($"unknown field '{field}'", [.. fields, .. pairs]), statusCode: StatusCodes.Status404NotFound);
            }
        }

        return null;
    }

    // The page's assets are embedded in the executable: nothing is fetched from elsewhere.
    private static IResult PageAsset(string name)
    {
        if (!PageAssets.TryGetValue(name, out string? contentType))
        {
            return Results.NotFound();
        }

        using Stream? stream = typeof(HttpEndpoints).Assembly.GetManifestResourceStream("page/" + name);
        if (stream is null)
        {
            return Results.NotFound();
        }

        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Results.Bytes(buffer.ToArray(), contentType);
    }
}
