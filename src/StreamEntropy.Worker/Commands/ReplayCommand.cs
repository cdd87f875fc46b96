using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Output;
using StreamEntropy.Streaming.Profiling;
using StreamEntropy.Streaming.Windows;
using StreamEntropy.Worker.Options;

namespace StreamEntropy.Worker.Commands;

/// <summary><c>stream-entropy replay FILE --config C</c>: the worker's windows, drift monitor and alert rules over a
/// file as a stream, optionally with drift injected, reporting what each rule raised and when.</summary>
internal static class ReplayCommand
{
    /// <summary>The most alert rows the table shows (the JSON document lists them all).</summary>
    internal const int MaxTableAlerts = 50;

    public static int Run(ReplayArguments args, TextWriter stdout, TextWriter stderr) =>
        CommonOptions.ReportErrors(stderr, () => Replay(args, stdout, stderr));

    private static int Replay(ReplayArguments args, TextWriter stdout, TextWriter stderr)
    {
        bool json = CommonOptions.ParseJsonFormat(args.Format);
        if (!(args.Rate > 0 && args.Rate <= 1e9))
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--rate must be a number of rows per second above 0 and at most 1e9, not {args.Rate}."));
        }

        if (args.TimeColumn is { Length: 0 })
        {
            throw new UsageException("--time-column: the name is empty.");
        }

        byte? delimiter = CommonOptions.ParseDelimiter(args.Delimiter);
        List<ReplayInjection> injections = [.. args.Injections.Select((spec, i) => ReplayInjection.Parse(spec, args.Seed, i))];

        var problems = new List<string>();
        EngineSettings? settings = ReplayConfiguration.Load(args.Config, problems);
        if (settings is null)
        {
            foreach (string problem in problems)
            {
                stderr.WriteLine($"error: {problem}");
            }

            return 2;
        }

        if (settings.Drift is null)
        {
            throw new UsageException($"--config: {args.Config}: StreamEntropy:Drift:Enabled is false; replay reports drift alerts, so it needs drift scoring on.");
        }

        if (!settings.Windows.Any(w => w.Kind is WindowKind.Tumbling or WindowKind.Sliding))
        {
            throw new UsageException($"--config: {args.Config}: no Tumbling or Sliding window; only those close and are scored for drift.");
        }

        using (ProfileInput input = ProfileInput.Open(args.File))
        {
            if (!input.IsSeekable)
            {
                throw new UsageException($"{input.Name}: replay reads a regular file, not a pipe or standard input.");
            }

            InputFormat format = FileProfiler.DetectFormat(input);
            List<(ReplayInjection, string)> targets = [.. injections.Select(i => (i, TargetPath(i, settings.Schema, format)))];
            var runner = new ReplayRunner(settings.CreateEngine(withDrift: true));
            var reader = new ReplayReader(args.File, input.Name, targets, args.TimeColumn, args.Rate);
            if (format == InputFormat.Csv)
            {
                reader.Csv(delimiter, settings.Schema, runner);
            }
            else
            {
                reader.JsonLines(runner);
            }

            // At a given rate the file's end is the time its next row would have had, so the last window closes when
            // it is complete; with a time column only the windows the last event's time has passed are closed.
            runner.Finish(reader.EndMs);
            if (injections.FirstOrDefault(i => i.Row >= runner.Rows) is { } late)
            {
                throw new InputDataException(string.Create(CultureInfo.InvariantCulture, $"--inject: row {late.Row} of '{late.Field}' is past the end of {input.Name}, which has {runner.Rows} rows (0 is the first)."));
            }

            if (runner.FirstRejection is { } first)
            {
                stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warning: {runner.Rejected} rows rejected, as the worker would dead-letter them; the first: {DisplayText.Escape(first, 300)}"));
            }

            HashSet<string> injected = [.. injections.Select(i => i.Field)];
            Func<AlertEvent, bool> onInjected = a => IsInjected(a, injected, runner.Engine.Schema);
            List<ReplayRuleOutcome> outcomes = runner.Outcomes(settings.Drift.Rules, onInjected);
            if (json)
            {
                WriteJson(stdout, runner, injections, outcomes);
            }
            else
            {
                WriteTable(stdout, input.Name, args, runner, injections, outcomes);
            }
        }

        return 0;
    }

    // The JSON path (or CSV column) of an injection's field: a configured field's path; with discovery, any dotted path.
    private static string TargetPath(ReplayInjection injection, EventSchema schema, InputFormat format)
    {
        if (schema.Fields.FirstOrDefault(f => f.Name == injection.Field && !f.IsTuple) is { } field)
        {
            return field.Path;
        }

        if (schema.Discovery.Count > 0 && (format == InputFormat.Csv || JsonEventDecoder.ValidatePath(injection.Field) is null))
        {
            return injection.Field;
        }

        string known = string.Join(", ", schema.Fields.Where(f => !f.IsTuple).Select(f => f.Name));
        throw new UsageException($"--inject: unknown field '{DisplayText.Escape(injection.Field)}'; the configured fields are {DisplayText.Escape(known, 400)}.");
    }

    // An alert on an injected field, or on a pair with an injected field on one side (or in X's tuple).
    private static bool IsInjected(AlertEvent alert, HashSet<string> injected, EventSchema schema)
    {
        if (alert.Field is { } field)
        {
            return injected.Contains(field);
        }

        if (alert.Pair is not { } pair)
        {
            return false;
        }

        return injected.Contains(pair.X) || injected.Contains(pair.Y)
            || (schema.Fields.FirstOrDefault(f => f.Name == pair.X)?.Components?.Any(injected.Contains) ?? false);
    }

    private static void WriteJson(TextWriter stdout, ReplayRunner runner, List<ReplayInjection> injections, List<ReplayRuleOutcome> outcomes)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("windows", runner.ClosedWindows);
            w.WriteNumber("rows", runner.Rows);
            w.WriteNumber("rejected", runner.Rejected);
            w.WriteStartArray("injections");
            foreach (ReplayInjection i in injections)
            {
                w.WriteStartObject();
                w.WriteString("field", i.Field);
                w.WriteString("value", i.Value);
                w.WriteNumber("from", i.From);
                w.WriteNumber("to", i.To);
                w.WriteNumber("row", i.Row);
                WriteShare(w, "shareBefore", i.Before);
                WriteShare(w, "shareAfter", i.After);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (runner.InjectionTimeMs is long injectedAt)
            {
                w.WriteString("injectedAt", SnapshotRecords.FormatTime(DateTimeOffset.FromUnixTimeMilliseconds(injectedAt)));
            }
            else
            {
                w.WriteNull("injectedAt");
            }

            w.WriteStartArray("alerts");
            foreach (ReplayAlert a in runner.Alerts)
            {
                // The alert record's members ("timestamp" is the window's end), then where the window lies in the replay.
                w.WriteStartObject();
                AlertJson.WriteMembers(w, a.Alert);
                w.WriteString("windowEnd", SnapshotRecords.FormatTime(DateTimeOffset.FromUnixTimeMilliseconds(a.Alert.TimestampMs)));
                w.WriteNumber("closedWindow", a.ClosedWindow);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("rules");
            foreach (ReplayRuleOutcome r in outcomes)
            {
                w.WriteStartObject();
                w.WriteString("rule", r.Rule);
                w.WriteNumber("raised", r.Raised);
                w.WriteNumber("falseBeforeInjection", r.FalseBeforeInjection);
                w.WriteNumber("falseOtherSubjects", r.FalseOtherSubjects);
                WriteNumberOrNull(w, "detectionDelayWindows", r.DetectionDelayWindows);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteShare(Utf8JsonWriter w, string name, (long Present, long Matching) counts) =>
        WriteNumberOrNull(w, name, counts.Present == 0 ? null : Math.Round(100.0 * counts.Matching / counts.Present, 3));

    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, double? value)
    {
        if (value is double v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteTable(TextWriter stdout, string file, ReplayArguments args, ReplayRunner runner, List<ReplayInjection> injections, List<ReplayRuleOutcome> outcomes)
    {
        IAnsiConsole console = TerminalOutput.Create(stdout);
        string clock = args.TimeColumn is { } column
            ? $"event time from {TerminalOutput.Name(column)}"
            : string.Create(CultureInfo.InvariantCulture, $"row i at i / {args.Rate} s");
        console.MarkupLine(string.Create(
            CultureInfo.InvariantCulture,
            $"[bold]{TerminalOutput.Name(Path.GetFileName(file))}[/]: {runner.Rows:N0} rows ({runner.Rejected:N0} rejected), {runner.ClosedWindows:N0} closed windows, {clock}"));
        foreach (ReplayInjection i in injections)
        {
            console.MarkupLine(string.Create(
                CultureInfo.InvariantCulture,
                $"injected: {TerminalOutput.Name(i.Field)} = {TerminalOutput.Name(i.Value)} from {i.From}% to {i.To}% at row {i.Row:N0}; measured share before {Share(i.Before)}, after {Share(i.After)}"));
        }

        var rules = new Table().Border(TableBorder.Rounded);
        rules.AddColumns("rule", "raised", "false before injection", "false on other subjects", "detection delay (windows)");
        foreach (ReplayRuleOutcome r in outcomes)
        {
            rules.AddRow(
                TerminalOutput.Name(r.Rule),
                r.Raised.ToString(CultureInfo.InvariantCulture),
                r.FalseBeforeInjection.ToString(CultureInfo.InvariantCulture),
                r.FalseOtherSubjects.ToString(CultureInfo.InvariantCulture),
                r.DetectionDelayWindows?.ToString(CultureInfo.InvariantCulture) ?? "–");
        }

        console.Write(rules);
        if (runner.Alerts.Count == 0)
        {
            console.WriteLine("no alerts");
            return;
        }

        var alerts = new Table().Border(TableBorder.Rounded);
        alerts.AddColumns("window end", "window", "#", "rule", "subject", "metric", "value", "state");
        foreach (ReplayAlert a in runner.Alerts.Take(MaxTableAlerts))
        {
            AlertEvent e = a.Alert;
            alerts.AddRow(
                SnapshotRecords.FormatTime(DateTimeOffset.FromUnixTimeMilliseconds(e.TimestampMs)),
                TerminalOutput.Name(e.Window),
                a.ClosedWindow.ToString(CultureInfo.InvariantCulture),
                TerminalOutput.Name(e.Rule),
                TerminalOutput.Name(e.Subject),
                TerminalOutput.Name(e.Metric),
                ProfileCommand.Format(e.Value),
                e.State == AlertState.Raised ? "raised" : "cleared");
        }

        console.Write(alerts);
        if (runner.Alerts.Count > MaxTableAlerts)
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"… and {runner.Alerts.Count - MaxTableAlerts:N0} more alert events (--format json lists them all)."));
        }
    }

    private static string Share((long Present, long Matching) counts) =>
        counts.Present == 0 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{100.0 * counts.Matching / counts.Present:0.0}%");
}
