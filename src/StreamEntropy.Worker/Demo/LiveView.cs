using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Worker.Demo;

/// <summary>Renders the latest published snapshot for the terminal: one table per window.</summary>
internal static class LiveView
{
    public static IRenderable Render(PublishedSnapshot? latest, DemoProducer producer, LogBase logBase, string bootstrap, string urls)
    {
        var rows = new List<IRenderable>
        {
            new Markup($"[bold]StreamEntropy demo[/]  broker [blue]{Markup.Escape(bootstrap)}[/]  page [blue]{Markup.Escape(urls)}[/]  " +
                       $"produced {producer.Produced:N0}  counted {latest?.Processed ?? 0:N0}  dead-lettered {latest?.Rejected ?? 0:N0}  " +
                       (producer.Drifted ? "[red bold]drift injected[/]" : "[green]no drift yet[/]")),
        };
        if (latest is null)
        {
            rows.Add(new Markup("[grey]waiting for the first publication…[/]"));
            return new Rows(rows);
        }

        rows.Add(latest.ActiveAlerts.Count == 0
            ? new Markup("[green]no active alerts[/] [grey](drift is scored on each closed 30s and 1m window)[/]")
            : new Markup("[red bold]ALERTS[/] " + string.Join("  ", latest.ActiveAlerts.Select(a =>
                Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{a.Window}/{a.Subject} {a.Rule} {a.Metric}={a.Value:0.000}"))))));

        foreach (WindowSnapshot w in latest.Windows)
        {
            string span = w.Start is { } start ? $"{start:HH:mm:ss}–{w.End:HH:mm:ss}" : $"until {w.End:HH:mm:ss}";
            var table = new Table().Border(TableBorder.Simple).Title($"[bold]{Markup.Escape(w.Window)}[/] ({w.Kind}, {span}, {w.Events:N0} events, {Markup.Escape(w.Estimator)}, {logBase.Unit})");
            table.AddColumns("field / pair", "H", "± SE", "H/log K", "distinct", "H(Y|X)", "H(X|Y)", "I(X;Y)");
            foreach (FieldResult f in w.Fields)
            {
                table.AddRow(
                    Markup.Escape(f.Name),
                    Format(logBase.FromNats(f.Entropy)),
                    Format(logBase.FromNats(f.StandardError)),
                    Format(f.NormalizedEntropy),
                    f.Distinct.ToString("N0", CultureInfo.InvariantCulture),
                    "",
                    "",
                    "");
            }

            foreach (PairResult p in w.Pairs)
            {
                table.AddRow(
                    Markup.Escape($"{p.X} × {p.Y}"),
                    Format(logBase.FromNats(p.Entropies.Joint)),
                    Format(logBase.FromNats(p.Entropies.JointStandardError)),
                    "",
                    p.DistinctPairs.ToString("N0", CultureInfo.InvariantCulture),
                    Format(logBase.FromNats(p.Entropies.ConditionalYGivenX)),
                    Format(logBase.FromNats(p.Entropies.ConditionalXGivenY)),
                    Format(logBase.FromNats(p.Entropies.MutualInformation)));
            }

            rows.Add(table);
        }

        rows.Add(new Markup(
            "[grey]Point the worker at a real cluster:[/] stream-entropy run --config my.json " +
            "--StreamEntropy:Kafka:BootstrapServers=broker:9092 --StreamEntropy:Kafka:Topics:0=events   [grey]Ctrl-C stops.[/]"));
        return new Rows(rows);
    }

    /// <summary>One line per window and measure, for a log or a redirected stdout.</summary>
    public static string RenderPlain(PublishedSnapshot? latest, DemoProducer producer, LogBase logBase)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"produced={producer.Produced} counted={latest?.Processed ?? 0} dead-lettered={latest?.Rejected ?? 0} drift={(producer.Drifted ? "on" : "off")}\n");
        foreach (WindowSnapshot w in latest?.Windows ?? [])
        {
            sb.Append(CultureInfo.InvariantCulture, $"  [{w.Window}] events={w.Events}");
            foreach (FieldResult f in w.Fields)
            {
                sb.Append(CultureInfo.InvariantCulture, $" H({f.Name})={Format(logBase.FromNats(f.Entropy))}");
            }

            foreach (PairResult p in w.Pairs)
            {
                sb.Append(CultureInfo.InvariantCulture, $" H({p.Y}|{p.X})={Format(logBase.FromNats(p.Entropies.ConditionalYGivenX))} I({p.X};{p.Y})={Format(logBase.FromNats(p.Entropies.MutualInformation))}");
            }

            sb.Append('\n');
        }

        foreach (StreamEntropy.Streaming.Drift.AlertEvent a in latest?.ActiveAlerts ?? [])
        {
            sb.Append(CultureInfo.InvariantCulture, $"  ALERT {a.Window}/{a.Subject} {a.Rule} {a.Metric}={a.Value:0.000}\n");
        }

        return sb.ToString();
    }

    private static string Format(double value) => double.IsFinite(value) ? value.ToString("0.000", CultureInfo.InvariantCulture) : "–";
}
