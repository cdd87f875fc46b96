using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Output;
using StreamEntropy.Streaming.Profiling;

namespace StreamEntropy.Worker.Commands;

/// <summary>The arguments of <c>stream-entropy compare</c>.</summary>
internal sealed record CompareArguments(
    string Reference,
    string Current,
    IReadOnlyList<string> Fields,
    IReadOnlyList<string> BinWidths,
    string Base,
    string Estimator,
    double Epsilon,
    string Format,
    string? Delimiter = null);

/// <summary><c>stream-entropy compare REFERENCE CURRENT</c>: how far each field's distribution moved.</summary>
internal static class CompareCommand
{
    public static int Run(CompareArguments args, TextWriter stdout, TextWriter stderr) =>
        CommonOptions.ReportErrors(stderr, () => Compare(args, stdout, stderr));

    private static int Compare(CompareArguments args, TextWriter stdout, TextWriter stderr)
    {
        LogBase logBase = CommonOptions.ParseBase(args.Base);
        EntropyEstimator estimator = CommonOptions.ParseEstimator(args.Estimator);
        bool json = CommonOptions.ParseJsonFormat(args.Format);
        if (!(args.Epsilon > 0 && args.Epsilon < 1))
        {
            throw new UsageException($"--epsilon: must be in (0, 1), not {args.Epsilon.ToString(CultureInfo.InvariantCulture)}.");
        }

        byte? delimiter = CommonOptions.ParseDelimiter(args.Delimiter);
        if (args.Reference == "-" && args.Current == "-")
        {
            throw new UsageException("REFERENCE and CURRENT cannot both be - (standard input can be read once).");
        }

        using ProfileInput referenceInput = ProfileInput.Open(args.Reference);
        using ProfileInput currentInput = ProfileInput.Open(args.Current);
        InputFormat referenceFormat = FileProfiler.DetectFormat(referenceInput);
        InputFormat currentFormat = FileProfiler.DetectFormat(currentInput);
        EventSchema schema = CommonOptions.BuildSchema(
            args.Fields,
            [],
            CommonOptions.ParseBinWidths(args.BinWidths),
            () => FileProfiler.DiscoverFields(referenceInput, referenceFormat, delimiter));

        if (schema.Fields.Count == 0)
        {
            // A JSON Lines reference without lines names no field: comparing nothing would look like a success.
            throw new InputDataException($"{args.Reference}: no fields to compare: the file has no rows; name them with --field.");
        }

        // One encoder for both files: a value gets the same id in each, so the tables align.
        var encoder = new EventEncoder(schema);
        var reference = new FrequencySet(encoder);
        var current = new FrequencySet(encoder);
        var referenceInvalid = new InvalidValues();
        var currentInvalid = new InvalidValues();
        FileProfiler.Count(referenceInput, referenceFormat, reference, csvDelimiter: delimiter, invalidValues: referenceInvalid);
        FileProfiler.Count(currentInput, currentFormat, current, csvDelimiter: delimiter, invalidValues: currentInvalid);
        ProfileCommand.WarnInvalid(stderr, referenceInvalid, reference.Invalid);
        ProfileCommand.WarnInvalid(stderr, currentInvalid, current.Invalid);

        var rows = new List<(string Name, Divergences D, double HRef, double HCur)>();
        for (int f = 0; f < schema.Fields.Count; f++)
        {
            rows.Add((
                schema.Fields[f].Name,
                Divergences.Compute(current.Field(f), reference.Field(f), args.Epsilon),
                EntropyEstimators.Entropy(reference.Field(f), estimator),
                EntropyEstimators.Entropy(current.Field(f), estimator)));
        }

        if (json)
        {
            WriteJson(stdout, logBase, estimator, args.Epsilon, reference.Events, current.Events, rows);
        }
        else
        {
            WriteTable(stdout, logBase, rows);
        }

        return 0;
    }

    private static void WriteJson(TextWriter stdout, LogBase logBase, EntropyEstimator estimator, double epsilon, long referenceRows, long currentRows, List<(string Name, Divergences D, double HRef, double HCur)> rows)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("base", logBase.Name);
            w.WriteString("unit", logBase.Unit);
            w.WriteString("estimator", estimator.ToName());
            w.WriteNumber("epsilon", epsilon);
            w.WriteNumber("referenceRows", referenceRows);
            w.WriteNumber("currentRows", currentRows);
            w.WriteStartArray("fields");
            foreach ((string name, Divergences d, double hRef, double hCur) in rows)
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                EntropyJson.WriteNumber(w, "klDivergence", logBase.FromNats(d.KullbackLeibler));
                EntropyJson.WriteNumber(w, "jensenShannon", logBase.FromNats(d.JensenShannon));
                EntropyJson.WriteNumber(w, "psi", d.PopulationStability); // PSI is conventionally in nats, whatever the base
                EntropyJson.WriteNumber(w, "entropyReference", logBase.FromNats(hRef));
                EntropyJson.WriteNumber(w, "entropyCurrent", logBase.FromNats(hCur));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteTable(TextWriter stdout, LogBase logBase, List<(string Name, Divergences D, double HRef, double HCur)> rows)
    {
        IAnsiConsole console = TerminalOutput.Create(stdout);
        console.MarkupLine($"Divergence of current from reference, in {logBase.Unit} (PSI in nats)");
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("field", "H reference", "H current", "KL(cur‖ref)", "Jensen–Shannon", "PSI");
        foreach ((string name, Divergences d, double hRef, double hCur) in rows)
        {
            table.AddRow(
                TerminalOutput.Name(name),
                ProfileCommand.Format(logBase.FromNats(hRef)),
                ProfileCommand.Format(logBase.FromNats(hCur)),
                ProfileCommand.Format(logBase.FromNats(d.KullbackLeibler)),
                ProfileCommand.Format(logBase.FromNats(d.JensenShannon)),
                ProfileCommand.Format(d.PopulationStability));
        }

        console.Write(table);
    }
}
