using System.Text.Json;
using StreamEntropy.Worker.Tests.Support;

namespace StreamEntropy.Worker.Tests;

/// <summary><c>stream-entropy compare</c>, run in process through <see cref="Commands.CommandLineApp"/>.</summary>
public sealed class CompareCommandTests : IDisposable
{
    private const double Tolerance = 1e-12;
    private const double DefaultEpsilon = 1e-4;

    // Field c: A, B, C in the reference; A, B, D in the current: C is absent from the current, D from the reference.
    private static readonly Dictionary<string, long> ReferenceC = new() { ["A"] = 5, ["B"] = 3, ["C"] = 2 };
    private static readonly Dictionary<string, long> CurrentC = new() { ["A"] = 4, ["B"] = 2, ["D"] = 4 };

    // Field s: the same three values on both sides, in different shares.
    private static readonly Dictionary<string, long> ReferenceS = new() { ["x"] = 6, ["y"] = 3, ["z"] = 1 };
    private static readonly Dictionary<string, long> CurrentS = new() { ["x"] = 2, ["y"] = 3, ["z"] = 5 };

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Compare_IdenticalFiles_AllDivergencesAreZero()
    {
        string reference = WriteCsv("ref.csv", ReferenceC, ReferenceS);
        string current = WriteCsv("cur.csv", ReferenceC, ReferenceS);

        CliResult result = await Cli.RunAsync("compare", reference, current, "--format", "json");

        using JsonDocument json = result.Json();
        Assert.Equal(["c", "s"], json.FieldNames());
        foreach (string name in new[] { "c", "s" })
        {
            JsonElement f = json.Field(name);
            Assert.Equal(0.0, f.Number("klDivergence"), 1e-15);
            Assert.Equal(0.0, f.Number("jensenShannon"), 1e-15);
            Assert.Equal(0.0, f.Number("psi"), 1e-15);
            Assert.Equal(f.Number("entropyReference"), f.Number("entropyCurrent"), 1e-15);
        }
    }

    [Fact]
    public async Task Compare_HandMadeDistributions_MatchNaiveDivergencesWithEpsilon()
    {
        string reference = WriteCsv("ref.csv", ReferenceC, ReferenceS);
        string current = WriteCsv("cur.csv", CurrentC, CurrentS);

        CliResult result = await Cli.RunAsync("compare", reference, current, "--format", "json");

        using JsonDocument json = result.Json();
        JsonElement root = json.RootElement;
        Assert.Equal("bits", root.GetProperty("unit").GetString());
        Assert.Equal(DefaultEpsilon, root.Number("epsilon"));
        Assert.Equal(10, root.GetProperty("referenceRows").GetInt64());
        Assert.Equal(10, root.GetProperty("currentRows").GetInt64());
        AssertField(json.Field("c"), ReferenceC, CurrentC, DefaultEpsilon, Math.Log(2));
        AssertField(json.Field("s"), ReferenceS, CurrentS, DefaultEpsilon, Math.Log(2));
    }

    [Fact]
    public async Task Compare_EpsilonOption_ReplacesZeroSharesWithTheGivenValue()
    {
        string reference = WriteCsv("ref.csv", ReferenceC, ReferenceS);
        string current = WriteCsv("cur.csv", CurrentC, CurrentS);

        CliResult defaults = await Cli.RunAsync("compare", reference, current, "--format", "json");
        CliResult result = await Cli.RunAsync("compare", reference, current, "--epsilon", "0.01", "--format", "json");

        using JsonDocument defaultJson = defaults.Json();
        using JsonDocument json = result.Json();
        Assert.Equal(0.01, json.RootElement.Number("epsilon"));
        AssertField(json.Field("c"), ReferenceC, CurrentC, 0.01, Math.Log(2));
        Assert.NotEqual(defaultJson.Field("c").Number("klDivergence"), json.Field("c").Number("klDivergence"), 1e-6);
        Assert.NotEqual(defaultJson.Field("c").Number("psi"), json.Field("c").Number("psi"), 1e-6);
        // Without zero shares ε plays no part.
        Assert.Equal(defaultJson.Field("s").Number("klDivergence"), json.Field("s").Number("klDivergence"), Tolerance);
        Assert.Equal(defaultJson.Field("s").Number("psi"), json.Field("s").Number("psi"), Tolerance);
    }

    [Fact]
    public async Task Compare_BaseE_KlAndJsInNatsPsiUnchanged()
    {
        string reference = WriteCsv("ref.csv", ReferenceC, ReferenceS);
        string current = WriteCsv("cur.csv", CurrentC, CurrentS);

        CliResult result = await Cli.RunAsync("compare", reference, current, "--base", "e", "--format", "json");

        using JsonDocument json = result.Json();
        Assert.Equal("nats", json.RootElement.GetProperty("unit").GetString());
        AssertField(json.Field("c"), ReferenceC, CurrentC, DefaultEpsilon, 1);
    }

    [Fact]
    public async Task Compare_JsonLinesAgainstCsv_AlignsValuesByText()
    {
        string reference = _dir.WriteLines("ref.jsonl", Expand(ReferenceC).Select(v => $$"""{"c":"{{v}}"}"""));
        string current = WriteCsv("cur.csv", CurrentC, CurrentS);

        CliResult result = await Cli.RunAsync("compare", reference, current, "--format", "json");

        using JsonDocument json = result.Json();
        Assert.Equal(["c"], json.FieldNames()); // the fields come from the reference
        AssertField(json.Field("c"), ReferenceC, CurrentC, DefaultEpsilon, Math.Log(2));
    }

    [Fact]
    public async Task Compare_TableFormat_PrintsFieldsAndValues()
    {
        string reference = WriteCsv("ref.csv", ReferenceC, ReferenceS);
        string current = WriteCsv("cur.csv", CurrentC, CurrentS);

        CliResult result = await Cli.RunAsync("compare", reference, current);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        Assert.Matches(@"│ c\s", result.Stdout);
        Assert.Matches(@"│ s\s", result.Stdout);
        string hReferenceS = (Naive.PlugIn(ReferenceS.Values) / Math.Log(2)).ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(hReferenceS, result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_UnknownField_ExitsOneNamingTheField()
    {
        string reference = WriteCsv("ref.csv", ReferenceC, ReferenceS);
        string current = WriteCsv("cur.csv", CurrentC, CurrentS);

        CliResult result = await Cli.RunAsync("compare", reference, current, "--field", "nope");

        result.AssertSingleError(1, "'nope'");
    }

    [Fact]
    public async Task Compare_FieldMissingFromCurrent_ExitsOneNamingTheFieldAndFile()
    {
        string reference = _dir.WriteLines("ref.jsonl", ["""{"a":1,"b":2}""", """{"a":2,"b":3}"""]);
        string current = _dir.WriteLines("cur.jsonl", ["""{"a":1}""", """{"a":3}"""]);

        CliResult result = await Cli.RunAsync("compare", reference, current);

        result.AssertSingleError(1, current, "'b'");
    }

    [Fact]
    public async Task Compare_MissingReference_ExitsOneNamingTheFile()
    {
        string reference = _dir.File("nope.csv");
        string current = WriteCsv("cur.csv", CurrentC, CurrentS);

        CliResult result = await Cli.RunAsync("compare", reference, current);

        result.AssertSingleError(1, reference, "no such file");
    }

    [Fact]
    public async Task Compare_MissingCurrent_ExitsOneNamingTheFile()
    {
        string reference = WriteCsv("ref.csv", ReferenceC, ReferenceS);
        string current = _dir.File("nope.jsonl");

        CliResult result = await Cli.RunAsync("compare", reference, current);

        result.AssertSingleError(1, current, "no such file");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Compare_EmptyCsvFile_ExitsOneNamingTheFile(bool emptyIsCurrent)
    {
        string full = WriteCsv("full.csv", ReferenceC, ReferenceS);
        string empty = _dir.Write("empty.csv", "");

        CliResult result = emptyIsCurrent
            ? await Cli.RunAsync("compare", full, empty)
            : await Cli.RunAsync("compare", empty, full);

        result.AssertSingleError(1, empty, "empty");
    }

    [Theory]
    [InlineData("empty.jsonl", "")]
    [InlineData("blank.jsonl", "\n\n")]
    public async Task Compare_EmptyJsonLinesReference_ExitsOneNamingTheFileInsteadOfComparingNothing(string name, string content)
    {
        string empty = _dir.Write(name, content);
        string current = _dir.Write("cur.jsonl", "{\"a\": 1}\n");

        CliResult result = await Cli.RunAsync("compare", empty, current, "--format", "json");

        result.AssertSingleError(1, empty, "no fields to compare");
    }

    [Fact]
    public async Task Compare_HeaderOnlyCurrent_ZeroRowsAndNullDivergencesNextToTheReferenceEntropy()
    {
        string reference = WriteCsv("ref.csv", ReferenceC, ReferenceS);
        string current = _dir.Write("header.csv", "c,s\n");

        CliResult result = await Cli.RunAsync("compare", reference, current, "--format", "json");

        using JsonDocument json = result.Json();
        Assert.Equal(10, json.RootElement.GetProperty("referenceRows").GetInt64());
        Assert.Equal(0, json.RootElement.GetProperty("currentRows").GetInt64());
        Assert.Equal(["c", "s"], json.FieldNames());
        JsonElement c = json.Field("c");
        Assert.Equal(Naive.Entropy([.. ReferenceC.Values], "ml") / Math.Log(2), c.Number("entropyReference"), Tolerance);
        foreach (string member in new[] { "entropyCurrent", "klDivergence", "jensenShannon", "psi" })
        {
            Assert.Equal(JsonValueKind.Null, c.GetProperty(member).ValueKind); // undefined over no rows, not 0
        }
    }

    [Fact]
    public async Task Compare_HeaderOnlyBoth_NullEverywhereAndExitZero()
    {
        string reference = _dir.Write("ref.csv", "c,s\n");
        string current = _dir.Write("cur.csv", "c,s\n");

        CliResult result = await Cli.RunAsync("compare", reference, current, "--format", "json");

        using JsonDocument json = result.Json();
        Assert.Equal(0, json.RootElement.GetProperty("referenceRows").GetInt64());
        Assert.All(new[] { "c", "s" }, name => Assert.Equal(JsonValueKind.Null, json.Field(name).GetProperty("entropyReference").ValueKind));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("-0.1")]
    [InlineData("NaN")]
    public async Task Compare_EpsilonOutOfRange_ExitsTwoNamingTheOption(string epsilon)
    {
        string reference = WriteCsv("ref.csv", ReferenceC, ReferenceS);
        string current = WriteCsv("cur.csv", CurrentC, CurrentS);

        CliResult result = await Cli.RunAsync("compare", reference, current, "--epsilon", epsilon);

        result.AssertSingleError(2, "--epsilon");
    }

    [Theory]
    [InlineData("--base", "1")]
    [InlineData("--estimator", "bogus")]
    [InlineData("--format", "xml")]
    [InlineData("--bin-width", "c=0")]
    public async Task Compare_BadOption_ExitsTwoNamingTheOption(string option, string value)
    {
        string reference = WriteCsv("ref.csv", ReferenceC, ReferenceS);
        string current = WriteCsv("cur.csv", CurrentC, CurrentS);

        CliResult result = await Cli.RunAsync("compare", reference, current, option, value);

        result.AssertSingleError(2, option);
    }

    /// <summary>Checks one field's output against the definitions, computed here over the union of values.</summary>
    private static void AssertField(JsonElement field, Dictionary<string, long> reference, Dictionary<string, long> current, double epsilon, double lnBase)
    {
        double nr = reference.Values.Sum();
        double nc = current.Values.Sum();
        double kl = 0;
        double js = 0;
        double psi = 0;
        foreach (string v in reference.Keys.Union(current.Keys))
        {
            double p = current.GetValueOrDefault(v) / nc; // current share
            double q = reference.GetValueOrDefault(v) / nr; // reference share
            double m = (p + q) / 2;

            // KL(current ‖ reference): a value absent from the current adds 0; one absent from the reference uses ε.
            if (p > 0)
            {
                kl += p * Math.Log(p / (q > 0 ? q : epsilon));
                js += 0.5 * p * Math.Log(p / m);
            }

            if (q > 0)
            {
                js += 0.5 * q * Math.Log(q / m);
            }

            // PSI: a zero share on either side becomes ε.
            double pe = p > 0 ? p : epsilon;
            double qe = q > 0 ? q : epsilon;
            psi += (pe - qe) * Math.Log(pe / qe);
        }

        Assert.Equal(kl / lnBase, field.Number("klDivergence"), Tolerance);
        Assert.Equal(js / lnBase, field.Number("jensenShannon"), Tolerance);
        Assert.Equal(psi, field.Number("psi"), Tolerance); // PSI is in nats whatever the base
        Assert.Equal(Naive.PlugIn(reference.Values) / lnBase, field.Number("entropyReference"), Tolerance);
        Assert.Equal(Naive.PlugIn(current.Values) / lnBase, field.Number("entropyCurrent"), Tolerance);
        Assert.InRange(js, 0, Math.Log(2));
    }

    private static IEnumerable<string> Expand(Dictionary<string, long> counts) =>
        counts.SelectMany(kv => Enumerable.Repeat(kv.Key, (int)kv.Value));

    private string WriteCsv(string name, Dictionary<string, long> c, Dictionary<string, long> s)
    {
        string[] cs = [.. Expand(c)];
        string[] ss = [.. Expand(s)];
        Assert.Equal(cs.Length, ss.Length);
        return _dir.WriteLines(name, ["c,s", .. cs.Zip(ss, (x, y) => $"{x},{y}")]);
    }
}
