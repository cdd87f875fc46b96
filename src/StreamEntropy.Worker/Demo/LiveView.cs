using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Output;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Worker.Demo;

/// <summary>Renders the latest published snapshot for the terminal.</summary>
/// <remarks>It fits an 80×24 terminal: two status lines, the alerts (always shown, at most <see cref="MaxAlertLines"/>
/// lines), then one window's table (the caller picks it: rotation or keys) and a key line. Every name is escaped:
/// field, pair, window and rule names may hold Spectre markup such as <c>[red]</c>.</remarks>
internal static class LiveView
{
    /// <summary>The alert lines shown before "… and N more".</summary>
    public const int MaxAlertLines = 3;

    /// <summary>Renders the status, the alerts and window <paramref name="selected"/> (modulo the number of windows).</summary>
    public static IRenderable Render(PublishedSnapshot? latest, DemoProducer producer, LogBase logBase, string bootstrap, string urls, int selected = 0)
    {
        ArgumentNullException.ThrowIfNull(producer);
        var rows = new List<IRenderable>
        {
            new Markup($"[bold]StreamEntropy demo[/]  page [blue]{Markup.Escape(urls)}[/]  broker [blue]{Markup.Escape(bootstrap)}[/]"),
            new Markup(string.Create(CultureInfo.InvariantCulture, $"produced {producer.Produced:N0}  counted {latest?.Processed ?? 0:N0}  dead-lettered {latest?.Rejected ?? 0:N0}  ") +
                       (producer.Drifted ? "[red bold]drift injected[/]" : "[green]no drift yet[/]")),
        };
        if (latest is null)
        {
            rows.Add(new Markup("[grey]waiting for the first publication…[/]"));
            return new Rows(rows);
        }

        rows.Add(Alerts(latest));
        if (latest.Windows.Count > 0)
        {
            int index = ((selected % latest.Windows.Count) + latest.Windows.Count) % latest.Windows.Count;
            rows.Add(WindowTable(latest.Windows[index], index, latest.Windows.Count, logBase));
            rows.Add(new Markup(string.Create(
                CultureInfo.InvariantCulture,
                $"[grey]← → or 1–{Math.Min(latest.Windows.Count, 9)}: window (else it rotates) · Ctrl-C stops[/]")));
        }

        return new Rows(rows);
    }

    private static Markup Alerts(PublishedSnapshot latest)
    {
        if (latest.ActiveAlerts.Count == 0)
        {
            return new Markup("[green]no active alerts[/] [grey](drift is scored on each closed window)[/]");
        }

        var text = new System.Text.StringBuilder(string.Create(CultureInfo.InvariantCulture, $"[red bold]ALERTS ({latest.ActiveAlerts.Count})[/]"));
        foreach (StreamEntropy.Streaming.Drift.AlertEvent a in latest.ActiveAlerts.Take(MaxAlertLines))
        {
            text.Append("\n  ").Append(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{a.Window}/{DisplayText.Escape(a.Subject)}: {a.Rule} {a.Metric}={a.Value:0.000}")));
        }

        if (latest.ActiveAlerts.Count > MaxAlertLines)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  [grey]… and {latest.ActiveAlerts.Count - MaxAlertLines} more on the page[/]");
        }

        return new Markup(text.ToString()) { Overflow = Overflow.Ellipsis };
    }

    private static Table WindowTable(WindowSnapshot w, int index, int count, LogBase logBase)
    {
        string span = w.Start is { } start ? $"{start:HH:mm:ss}–{w.End:HH:mm:ss}" : $"until {w.End:HH:mm:ss}";
        var table = new Table().Border(TableBorder.Simple).Expand().Title(Markup.Escape(string.Create(
            CultureInfo.InvariantCulture,
            $"window {index + 1}/{count} {w.Window} ({w.Kind}, {span}, {w.Events:N0} events, {w.Estimator}, {logBase.Unit})")));
        table.AddColumns("field / pair", "H", "± SE", "H/log K", "K", "H(Y|X)", "H(X|Y)", "I(X;Y)");
        (IEnumerable<FieldResult> fields, IEnumerable<PairResult> pairs, int hidden) = Shown(w);
        foreach (FieldResult f in fields)
        {
            table.AddRow(
                new Text(DisplayText.Escape(f.Name)) { Overflow = Overflow.Ellipsis },
                new Text(Format(logBase.FromNats(f.Entropy))),
                new Text(Format(logBase.FromNats(f.StandardError))),
                new Text(Format(f.NormalizedEntropy)),
                new Text(f.Distinct.ToString("N0", CultureInfo.InvariantCulture)),
                Text.Empty,
                Text.Empty,
                Text.Empty);
        }

        foreach (PairResult p in pairs)
        {
            table.AddRow(
                new Text(DisplayText.Escape($"{p.X} × {p.Y}")) { Overflow = Overflow.Ellipsis },
                new Text(Format(logBase.FromNats(p.Entropies.Joint))),
                new Text(Format(logBase.FromNats(p.Entropies.JointStandardError))),
                Text.Empty,
                new Text(p.DistinctPairs.ToString("N0", CultureInfo.InvariantCulture)),
                new Text(Format(logBase.FromNats(p.Entropies.ConditionalYGivenX))),
                new Text(Format(logBase.FromNats(p.Entropies.ConditionalXGivenY))),
                new Text(Format(logBase.FromNats(p.Entropies.MutualInformation))));
        }

        if (hidden > 0)
        {
            table.Caption(string.Create(CultureInfo.InvariantCulture, $"the {MaxRows} pairs with the most mutual information; {hidden} more fields and pairs on the page"));
        }

        return table;
    }

    // A wide window (discovered fields) does not fit a terminal: its pairs with the most mutual information instead.
    private static (IEnumerable<FieldResult> Fields, IEnumerable<PairResult> Pairs, int Hidden) Shown(WindowSnapshot w)
    {
        if (w.Fields.Count + w.Pairs.Count <= MaxRows + 4)
        {
            return (w.Fields, w.Pairs, 0);
        }

        PairResult[] top = [.. w.Pairs.OrderByDescending(p => p.Entropies.MutualInformation).ThenBy(p => p.Key, StringComparer.Ordinal).Take(MaxRows)];
        return ([], top, w.Fields.Count + w.Pairs.Count - top.Length);
    }

    private const int MaxRows = 12;

    /// <summary>One line per window and measure, for a log or a redirected stdout.</summary>
    public static string RenderPlain(PublishedSnapshot? latest, DemoProducer producer, LogBase logBase)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"produced={producer.Produced} counted={latest?.Processed ?? 0} dead-lettered={latest?.Rejected ?? 0} drift={(producer.Drifted ? "on" : "off")}\n");
        foreach (WindowSnapshot w in latest?.Windows ?? [])
        {
            sb.Append(CultureInfo.InvariantCulture, $"  [{w.Window}] events={w.Events}");
            (IEnumerable<FieldResult> fields, IEnumerable<PairResult> pairs, int hidden) = Shown(w);
            foreach (FieldResult f in fields)
            {
                sb.Append(CultureInfo.InvariantCulture, $" H({DisplayText.Escape(f.Name)})={Format(logBase.FromNats(f.Entropy))}");
            }

            foreach (PairResult p in pairs)
            {
                (string x, string y) = (DisplayText.Escape(p.X), DisplayText.Escape(p.Y));
                sb.Append(CultureInfo.InvariantCulture, $" H({y}|{x})={Format(logBase.FromNats(p.Entropies.ConditionalYGivenX))} I({x};{y})={Format(logBase.FromNats(p.Entropies.MutualInformation))}");
            }

            if (hidden > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $" (+{hidden} more on the page)");
            }

            sb.Append('\n');
        }

        foreach (StreamEntropy.Streaming.Drift.AlertEvent a in latest?.ActiveAlerts ?? [])
        {
            sb.Append(CultureInfo.InvariantCulture, $"  ALERT {a.Window}/{DisplayText.Escape(a.Subject)} {a.Rule} {a.Metric}={a.Value:0.000}\n");
        }

        return sb.ToString();
    }

    private static string Format(double value) => double.IsFinite(value) ? value.ToString("0.000", CultureInfo.InvariantCulture) : "–";
}
