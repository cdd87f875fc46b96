using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Core.Sketches;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Output;
using StreamEntropy.Streaming.Profiling;

namespace StreamEntropy.Worker.Commands;

/// <summary>The arguments of <c>stream-entropy profile</c>.</summary>
internal sealed record ProfileArguments(
    string File,
    IReadOnlyList<string> Fields,
    IReadOnlyList<string> Pairs,
    IReadOnlyList<string> BinWidths,
    string Base,
    string Estimator,
    string Format,
    string? SaveBaseline = null,
    string? MaxDistinct = null,
    string? Delimiter = null,
    string? Rank = null);

/// <summary><c>stream-entropy profile FILE</c>: entropies of the fields and pairs of a CSV or JSON Lines file.</summary>
internal static class ProfileCommand
{
    public static int Run(ProfileArguments args, TextWriter stdout, TextWriter stderr, bool showProgress) =>
        CommonOptions.ReportErrors(stderr, () => Profile(args, stdout, stderr, showProgress));

    private static int Profile(ProfileArguments args, TextWriter stdout, TextWriter stderr, bool showProgress)
    {
        LogBase logBase = CommonOptions.ParseBase(args.Base);
        EntropyEstimator estimator = CommonOptions.ParseEstimator(args.Estimator);
        bool json = CommonOptions.ParseJsonFormat(args.Format);
        int? maxDistinct = ParseMaxDistinct(args.MaxDistinct);
        if (maxDistinct is not null)
        {
            if (estimator != EntropyEstimator.MaximumLikelihood)
            {
                throw new UsageException($"--estimator: '{estimator.ToName()}' cannot be used with --max-distinct; bounded summaries bracket the plug-in entropy only, use --estimator ml.");
            }

            if (args.SaveBaseline is not null)
            {
                throw new UsageException("--save-baseline cannot be used with --max-distinct: a drift baseline needs exact counts.");
            }
        }

        byte? delimiter = CommonOptions.ParseDelimiter(args.Delimiter);
        using ProfileInput input = ProfileInput.Open(args.File);
        InputFormat format = FileProfiler.DetectFormat(input);
        IReadOnlyList<string> requested = args.Fields;
        List<PairDefinition> pairs = CommonOptions.ParsePairs(args.Pairs);
        if (PairPatterns.Any(pairs))
        {
            IReadOnlyList<string> universe = args.Fields.Count > 0 ? args.Fields : FileProfiler.DiscoverFields(input, format, delimiter);
            pairs = PairPatterns.Expand(pairs, universe);
            requested = args.Fields.Count > 0 ? args.Fields : PairPatterns.UsedFields(pairs, universe);
        }

        if (args.Rank is { } target && !pairs.Any(p => p.X != p.Y && (p.X == target || p.Y == target)))
        {
            throw new UsageException($"--rank: no --pair has '{target}' on one side and another field on the other; add one, such as --pair '*,{target}'.");
        }

        EventSchema schema = CommonOptions.BuildSchema(
            requested,
            pairs,
            CommonOptions.ParseBinWidths(args.BinWidths),
            () => FileProfiler.DiscoverFields(input, format, delimiter));
        if (maxDistinct is int budget)
        {
            RunBounded(args, input, delimiter, stdout, stderr, showProgress, logBase, json, format, schema, budget);
            return 0;
        }

        var set = new FrequencySet(new EventEncoder(schema));
        var invalid = new InvalidValues();
        using var progress = showProgress ? new ConsoleProgress(stderr, input.Length ?? 0) : null;
        long rows = FileProfiler.Count(input, format, set, progress, delimiter, invalid);
        progress?.Finish();
        WarnInvalid(stderr, invalid, set.Invalid);

        if (args.SaveBaseline is { } baselinePath)
        {
            SaveBaseline(set, args.File, baselinePath);
        }

        FieldResult[] fields = ResultCalculator.Fields(set, estimator);
        PairResult[] results = ResultCalculator.Pairs(set, estimator);
        Ranking? ranking = args.Rank is { } rankTarget ? new Ranking(rankTarget, FeatureRanking.Rank(results, rankTarget)) : null;
        if (json)
        {
            WriteJson(stdout, rows, logBase, estimator, fields, results, ranking);
        }
        else
        {
            WriteTable(stdout, args.File, rows, logBase, estimator, fields, results, ranking);
        }

        return 0;
    }

    /// <summary>One <c>warning:</c> line per binned field with invalid values: where the first was, and how many.</summary>
    /// <remarks>The worker counts such a value as <c>invalid</c> in an event; a file is counted the same way, so the
    /// same events give the same numbers, and the count is in the output too.</remarks>
    internal static void WarnInvalid(TextWriter stderr, InvalidValues invalid, Func<int, long> count)
    {
        foreach ((int field, string first) in invalid.First)
        {
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warning: {first}; counted as invalid ({count(field)} in all)."));
        }
    }

    private static void SaveBaseline(FrequencySet set, string file, string path)
    {
        try
        {
            Baseline.FromFrequencySet(set, Path.GetFileName(file)).Save(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputDataException($"--save-baseline: cannot write {path}: {e.Message}", e);
        }
    }

    private static void WriteJson(TextWriter stdout, long rows, LogBase logBase, EntropyEstimator estimator, FieldResult[] fields, PairResult[] pairs, Ranking? ranking) =>
        WriteDocument(stdout, rows, logBase, estimator, w =>
        {
            w.WriteStartArray("fields");
            foreach (FieldResult f in fields)
            {
                w.WriteStartObject();
                w.WriteString("name", f.Name);
                EntropyJson.WriteFieldMembers(w, f, logBase); // ends with "exact": true
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("pairs");
            foreach (PairResult p in pairs)
            {
                w.WriteStartObject();
                w.WriteString("x", p.X);
                w.WriteString("y", p.Y);
                EntropyJson.WritePairMembers(w, p, logBase); // ends with "exact": true
                w.WriteEndObject();
            }

            w.WriteEndArray();
            WriteRanking(w, ranking, logBase);
        });

    private static void WriteTable(TextWriter stdout, string file, long rows, LogBase logBase, EntropyEstimator estimator, FieldResult[] fields, PairResult[] pairs, Ranking? ranking)
    {
        IAnsiConsole console = TerminalOutput.Create(stdout);
        console.MarkupLine($"[bold]{Markup.Escape(Path.GetFileName(file))}[/]: {rows:N0} rows, entropies in {logBase.Unit} (base {logBase.Name}), estimator {estimator.ToName()}");
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("field", "count", "distinct", "missing", "H(X)", "± SE", "H / log K", "coverage", "h (differential)");
        foreach (FieldResult f in fields)
        {
            table.AddRow(
                TerminalOutput.Name(f.Name),
                f.Count.ToString("N0", CultureInfo.InvariantCulture),
                f.Distinct.ToString("N0", CultureInfo.InvariantCulture),
                f.Missing.ToString("N0", CultureInfo.InvariantCulture),
                Format(logBase.FromNats(f.Entropy)),
                Format(logBase.FromNats(f.StandardError)),
                Format(f.NormalizedEntropy),
                Format(f.Coverage),
                f.DifferentialEntropy is double h ? Format(logBase.FromNats(h)) : "");
        }

        console.Write(table);
        if (pairs.Length == 0)
        {
            return;
        }

        var pairTable = new Table().Border(TableBorder.Rounded);
        pairTable.AddColumns("X", "Y", "count", "H(X,Y)", "H(Y|X)", "H(X|Y)", "I(X;Y)");
        foreach (PairResult p in pairs)
        {
            PairEntropies e = p.Entropies;
            pairTable.AddRow(
                TerminalOutput.Name(p.X),
                TerminalOutput.Name(p.Y),
                e.Count.ToString("N0", CultureInfo.InvariantCulture),
                Format(logBase.FromNats(e.Joint)),
                Format(logBase.FromNats(e.ConditionalYGivenX)),
                Format(logBase.FromNats(e.ConditionalXGivenY)),
                Format(logBase.FromNats(e.MutualInformation)));
        }

        console.Write(pairTable);
        WriteRankingTable(console, ranking, logBase);
    }

    private static int? ParseMaxDistinct(string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            || n < FieldDefinition.MinMaxDistinct
            || n > FieldDefinition.MaxMaxDistinct)
        {
            throw new UsageException(string.Create(
                CultureInfo.InvariantCulture,
                $"--max-distinct: '{text}' is not a whole number from {FieldDefinition.MinMaxDistinct} to {FieldDefinition.MaxMaxDistinct}."));
        }

        return n;
    }

    private static void RunBounded(
        ProfileArguments args, ProfileInput input, byte? delimiter, TextWriter stdout, TextWriter stderr, bool showProgress, LogBase logBase, bool json, InputFormat format, EventSchema schema, int maxDistinct)
    {
        var profile = new BoundedProfile(schema, maxDistinct);
        var invalid = new InvalidValues();
        long rows;
        using (var progress = showProgress ? new ConsoleProgress(stderr, input.Length ?? 0) : null)
        {
            rows = FileProfiler.Count(input, format, profile, progress, delimiter, invalid);
            progress?.Finish();
        }

        WarnInvalid(stderr, invalid, profile.Invalid);

        BoundedFieldResult[] fields = profile.Fields();
        BoundedPairResult[] pairs = profile.Pairs();
        Ranking? ranking = args.Rank is { } target ? new Ranking(target, FeatureRanking.Rank([.. pairs.Select(AsPairResult)], target)) : null;
        if (json)
        {
            WriteBoundedJson(stdout, rows, maxDistinct, logBase, fields, pairs, ranking);
        }
        else
        {
            WriteBoundedTable(stdout, args.File, rows, maxDistinct, logBase, fields, pairs, ranking);
        }
    }

    private static void WriteBoundedJson(TextWriter stdout, long rows, int maxDistinct, LogBase logBase, BoundedFieldResult[] fields, BoundedPairResult[] pairs, Ranking? ranking) =>
        WriteDocument(stdout, rows, logBase, EntropyEstimator.MaximumLikelihood, w =>
        {
            w.WriteNumber("maxDistinct", maxDistinct);
            w.WriteStartArray("fields");
            foreach (BoundedFieldResult f in fields)
            {
                w.WriteStartObject();
                w.WriteString("name", f.Name);
                w.WriteNumber("count", f.Count);
                w.WriteNumber("distinct", (long)Math.Round(f.Distinct));
                w.WriteNumber("missing", f.Missing);
                w.WriteNumber("invalid", f.Invalid);
                w.WriteBoolean("exact", f.IsExact);
                WriteBracket(w, "entropy", f.Entropy.ToBase(logBase));
                EntropyJson.WriteNumber(w, "standardError", logBase.FromNats(f.StandardError));
                EntropyJson.WriteNumber(w, "normalizedEntropy", f.NormalizedEntropy);
                EntropyJson.WriteNumber(w, "coverage", f.Coverage);
                if (f.DifferentialEntropy is EntropyBracket h)
                {
                    WriteBracket(w, "differentialEntropy", h.ToBase(logBase));
                }
                else
                {
                    w.WriteNull("differentialEntropy");
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("pairs");
            foreach (BoundedPairResult p in pairs)
            {
                PairEntropyBrackets e = p.Entropies;
                w.WriteStartObject();
                w.WriteString("x", p.X);
                w.WriteString("y", p.Y);
                w.WriteNumber("count", e.Count);
                w.WriteNumber("distinctPairs", (long)Math.Round(p.DistinctPairs));
                w.WriteBoolean("exact", p.IsExact);
                WriteBracket(w, "joint", e.Joint.ToBase(logBase));
                EntropyJson.WriteNumber(w, "jointStandardError", logBase.FromNats(p.JointStandardError));
                WriteBracket(w, "entropyX", e.X.ToBase(logBase));
                WriteBracket(w, "entropyY", e.Y.ToBase(logBase));
                WriteBracket(w, "conditionalYGivenX", e.ConditionalYGivenX.ToBase(logBase));
                WriteBracket(w, "conditionalXGivenY", e.ConditionalXGivenY.ToBase(logBase));
                WriteBracket(w, "mutualInformation", e.MutualInformation.ToBase(logBase));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            WriteRanking(w, ranking, logBase);
        });

    // The document both JSON forms share: the file's row count, the base and estimator, then the members of one form.
    private static void WriteDocument(TextWriter stdout, long rows, LogBase logBase, EntropyEstimator estimator, Action<Utf8JsonWriter> members)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("rows", rows);
            w.WriteString("base", logBase.Name);
            w.WriteString("unit", logBase.Unit);
            w.WriteString("estimator", estimator.ToName());
            members(w);
            w.WriteEndObject();
        }

        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>Writes NAME (the point estimate, or the exact value), NAMELower and NAMEUpper.</summary>
    private static void WriteBracket(Utf8JsonWriter w, string name, EntropyBracket b)
    {
        EntropyJson.WriteNumber(w, name, b.Estimate);
        EntropyJson.WriteBounds(w, name, b);
    }

    private static void WriteBoundedTable(TextWriter stdout, string file, long rows, int maxDistinct, LogBase logBase, BoundedFieldResult[] fields, BoundedPairResult[] pairs, Ranking? ranking)
    {
        IAnsiConsole console = TerminalOutput.Create(stdout);
        console.MarkupLine($"[bold]{Markup.Escape(Path.GetFileName(file))}[/]: {rows:N0} rows, entropies in {logBase.Unit} (base {logBase.Name}), estimator ml, at most {maxDistinct:N0} distinct values counted exactly per field and pair");
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("field", "count", "distinct", "missing", "H(X)", "± SE", "H / log K", "coverage", "h (differential)");
        bool anyInexact = false;
        foreach (BoundedFieldResult f in fields)
        {
            anyInexact |= !f.IsExact;
            table.AddRow(
                TerminalOutput.Name(f.Name),
                f.Count.ToString("N0", CultureInfo.InvariantCulture),
                (f.IsExact ? "" : "≈") + Math.Round(f.Distinct).ToString("N0", CultureInfo.InvariantCulture),
                f.Missing.ToString("N0", CultureInfo.InvariantCulture),
                FormatBracket(f.Entropy.ToBase(logBase)),
                Format(logBase.FromNats(f.StandardError)),
                Format(f.NormalizedEntropy),
                Format(f.Coverage),
                f.DifferentialEntropy is EntropyBracket h ? FormatBracket(h.ToBase(logBase)) : "");
        }

        console.Write(table);
        if (pairs.Length > 0)
        {
            var pairTable = new Table().Border(TableBorder.Rounded);
            pairTable.AddColumns("X", "Y", "count", "H(X,Y)", "H(Y|X)", "H(X|Y)", "I(X;Y)");
            foreach (BoundedPairResult p in pairs)
            {
                anyInexact |= !p.IsExact;
                PairEntropyBrackets e = p.Entropies;
                pairTable.AddRow(
                    TerminalOutput.Name(p.X),
                    TerminalOutput.Name(p.Y),
                    e.Count.ToString("N0", CultureInfo.InvariantCulture),
                    FormatBracket(e.Joint.ToBase(logBase)),
                    FormatBracket(e.ConditionalYGivenX.ToBase(logBase)),
                    FormatBracket(e.ConditionalXGivenY.ToBase(logBase)),
                    FormatBracket(e.MutualInformation.ToBase(logBase)));
            }

            console.Write(pairTable);
        }

        WriteRankingTable(console, ranking, logBase);
        if (anyInexact)
        {
            console.WriteLine("≈ estimate from a bounded summary; [lower, upper] is guaranteed to contain the exact plug-in value.");
        }
    }

    /// <summary>A bounded pair as the ranking reads pairs: the brackets' estimates as point values (no standard error of I,
    /// whose cells cannot be matched to their marginals under a budget), the brackets kept when inexact.</summary>
    private static PairResult AsPairResult(BoundedPairResult p)
    {
        PairEntropyBrackets b = p.Entropies;
        var entropies = new PairEntropies(b.Count, b.X.Estimate, b.Y.Estimate, b.Joint.Estimate, p.JointStandardError);
        return new PairResult(p.X, p.Y, entropies, (int)Math.Round(p.DistinctPairs)) { Brackets = p.IsExact ? null : b };
    }

    // "ranking": {"target": NAME, "features": [rows as FeatureRanking.WriteRows writes them, best first]}
    private static void WriteRanking(Utf8JsonWriter w, Ranking? ranking, LogBase logBase)
    {
        if (ranking is null)
        {
            return;
        }

        w.WriteStartObject("ranking");
        w.WriteString("target", ranking.Target);
        FeatureRanking.WriteRows(w, "features", ranking.Rows, logBase);
        w.WriteEndObject();
    }

    private static void WriteRankingTable(IAnsiConsole console, Ranking? ranking, LogBase logBase)
    {
        if (ranking is null)
        {
            return;
        }

        string target = TerminalOutput.Name(ranking.Target);
        console.MarkupLine($"features ranked by I(X; [bold]{target}[/]), in {logBase.Unit}; SU = 2I / (H(X) + H({target})), gain ratio = I / H(X)");
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("#", "X", "count", "I(X;Y)", "± SE", $"H({target}|X)", "SU", "I / H(X)");
        int rank = 0;
        foreach (FeatureRank r in ranking.Rows)
        {
            table.AddRow(
                (++rank).ToString(CultureInfo.InvariantCulture),
                TerminalOutput.Name(r.Feature),
                r.Count.ToString("N0", CultureInfo.InvariantCulture),
                r.MutualInformationBracket is { } mi ? FormatBracket(mi.ToBase(logBase)) : Format(logBase.FromNats(r.MutualInformation)),
                r.MutualInformationStandardError is double se ? Format(logBase.FromNats(se)) : "–",
                r.ConditionalBracket is { } c ? FormatBracket(c.ToBase(logBase)) : Format(logBase.FromNats(r.ConditionalTargetGivenFeature)),
                Format(r.SymmetricUncertainty),
                Format(r.GainRatio));
        }

        console.Write(table);
    }

    /// <summary>An exact value as <see cref="Format"/>; an inexact one as ≈estimate [lower, upper] (escaped for Spectre markup).</summary>
    internal static string FormatBracket(EntropyBracket b) =>
        b.IsExact ? Format(b.Estimate) : Markup.Escape($"≈{Format(b.Estimate)} [{Format(b.Lower)}, {Format(b.Upper)}]");

    internal static string Format(double value) => double.IsFinite(value) ? value.ToString("0.0000", CultureInfo.InvariantCulture) : "–";
}

/// <summary>Progress of a long file read on stderr, only when stderr is a terminal.</summary>
internal sealed class ConsoleProgress(TextWriter stderr, long totalBytes) : IProgress<long>, IDisposable
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private bool _shown;

    public void Report(long value)
    {
        if (_clock.Elapsed < TimeSpan.FromSeconds(1))
        {
            return; // short runs print nothing
        }

        double percent = totalBytes > 0 ? 100.0 * value / totalBytes : 0;
        stderr.Write(string.Create(CultureInfo.InvariantCulture, $"\r  {percent,5:0.0}%  {value / 1048576.0:0} MiB  {value / 1048576.0 / _clock.Elapsed.TotalSeconds:0} MiB/s "));
        _shown = true;
    }

    public void Finish()
    {
        if (_shown)
        {
            stderr.Write("\r" + new string(' ', 48) + "\r");
            _shown = false;
        }
    }

    public void Dispose() => Finish();
}
