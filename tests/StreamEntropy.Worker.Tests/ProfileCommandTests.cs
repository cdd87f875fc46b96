using System.Globalization;
using System.Text.Json;
using CsCheck;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;
using StreamEntropy.Worker.Tests.Support;

namespace StreamEntropy.Worker.Tests;

/// <summary><c>stream-entropy profile</c>, run in process through <see cref="Commands.CommandLineApp"/>.</summary>
public sealed class ProfileCommandTests : IDisposable
{
    private const double Tolerance = 1e-12;
    private static readonly double Ln2 = Math.Log(2);

    /// <summary>Cover &amp; Thomas, Elements of Information Theory, 2nd ed., Example 2.2.1, times 32: rows y = 1..4, columns x = 1..4.</summary>
    private static readonly int[][] CoverThomasCounts =
    [
        [4, 2, 1, 1],
        [2, 4, 1, 1],
        [2, 2, 2, 2],
        [8, 0, 0, 0],
    ];

    /// <summary>One JSON line per event: nested paths, a missing and a null country, numbers written differently, booleans.</summary>
    private static readonly string[] EventLines =
    [
        """{"user":{"country":"DE","vip":true},"v":1.0,"amount":3}""",
        """{"user":{"country":"DE","vip":false},"v":1,"amount":12.5}""",
        """{"user":{"country":"FR","vip":true},"v":1.0,"amount":17}""",
        """{"user":{"country":null,"vip":true},"v":2,"amount":25}""",
        """{"user":{"vip":false},"v":1,"amount":-4}""",
        """{"user":{"country":"FR","vip":true},"v":1.0,"amount":9.99}""",
        """{"user":{"country":"IT","vip":false},"v":1.00,"amount":10}""",
        """{"user":{"country":"DE","vip":true},"v":1,"amount":100}""",
    ];

    // The same events, by hand: null marks an absent or null value.
    private static readonly string?[] Countries = ["DE", "DE", "FR", null, null, "FR", "IT", "DE"];
    private static readonly string[] VipTexts = ["true", "false", "true", "true", "false", "true", "false", "true"];
    private static readonly string[] VTexts = ["1.0", "1", "1.0", "2", "1", "1.0", "1.00", "1"];
    private static readonly double[] Amounts = [3, 12.5, 17, 25, -4, 9.99, 10, 100];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Profile_CoverThomasExample221_ReportsTextbookValues()
    {
        string file = WriteCoverThomas();

        CliResult result = await Cli.RunAsync("profile", file, "--pair", "x,y", "--format", "json");

        using JsonDocument json = result.Json();
        JsonElement root = json.RootElement;
        Assert.Equal(32, root.GetProperty("rows").GetInt64());
        Assert.Equal("2", root.GetProperty("base").GetString());
        Assert.Equal("bits", root.GetProperty("unit").GetString());
        Assert.Equal("ml", root.GetProperty("estimator").GetString());
        Assert.Equal(["x", "y"], json.FieldNames());
        Assert.Equal(7.0 / 4, json.Field("x").Number("entropy"), Tolerance);
        Assert.Equal(2.0, json.Field("y").Number("entropy"), Tolerance);
        Assert.Equal(4, json.Field("x").GetProperty("distinct").GetInt32());
        Assert.Equal(32, json.Field("y").GetProperty("count").GetInt64());

        JsonElement pair = Assert.Single(root.GetProperty("pairs").EnumerateArray());
        Assert.Equal("x", pair.GetProperty("x").GetString());
        Assert.Equal("y", pair.GetProperty("y").GetString());
        Assert.Equal(32, pair.GetProperty("count").GetInt64());
        Assert.Equal(13, pair.GetProperty("distinctPairs").GetInt32()); // 16 cells, 3 of them empty
        Assert.Equal(7.0 / 4, pair.Number("entropyX"), Tolerance);
        Assert.Equal(2.0, pair.Number("entropyY"), Tolerance);
        Assert.Equal(27.0 / 8, pair.Number("joint"), Tolerance);
        Assert.Equal(13.0 / 8, pair.Number("conditionalYGivenX"), Tolerance);
        Assert.Equal(11.0 / 8, pair.Number("conditionalXGivenY"), Tolerance);
        Assert.Equal(3.0 / 8, pair.Number("mutualInformation"), Tolerance);
    }

    [Fact]
    public async Task Profile_PairReversed_SwapsConditionalEntropies()
    {
        string file = WriteCoverThomas();

        CliResult result = await Cli.RunAsync("profile", file, "--pair", "y,x", "--format", "json");

        using JsonDocument json = result.Json();
        JsonElement pair = Assert.Single(json.RootElement.GetProperty("pairs").EnumerateArray());
        Assert.Equal(11.0 / 8, pair.Number("conditionalYGivenX"), Tolerance); // now H(x | y)
        Assert.Equal(13.0 / 8, pair.Number("conditionalXGivenY"), Tolerance);
        Assert.Equal(3.0 / 8, pair.Number("mutualInformation"), Tolerance);
    }

    [Theory]
    [InlineData("2", "bits", 5.0)]
    [InlineData("bits", "bits", 5.0)]
    [InlineData("e", "nats", 3.4657359027997265470861606072908828)] // ln 32
    [InlineData("10", "bans", 1.5051499783199059760686944736225094)] // log10 32
    [InlineData("4", "log4 units", 2.5)]
    public async Task Profile_32EquallyLikelyValues_EntropyIsLog32InTheBase(string logBase, string unit, double expected)
    {
        string file = _dir.WriteLines("uniform.csv", ["v", .. Enumerable.Range(0, 32).Select(i => $"value-{i}")]);

        CliResult result = await Cli.RunAsync("profile", file, "--base", logBase, "--format", "json");

        using JsonDocument json = result.Json();
        Assert.Equal(unit, json.RootElement.GetProperty("unit").GetString());
        JsonElement v = json.Field("v");
        Assert.Equal(expected, v.Number("entropy"), Tolerance);
        Assert.Equal(32, v.GetProperty("distinct").GetInt32());
        Assert.Equal(1.0, v.Number("normalizedEntropy"), Tolerance);
        Assert.Equal(0.0, v.Number("coverage"), Tolerance); // every value is a singleton
        Assert.Equal(0.0, v.Number("standardError"), Tolerance); // ln p is constant
    }

    [Fact]
    public async Task Profile_JsonLinesNestedMissingNullNumbersBooleans_CountsAsWritten()
    {
        string file = _dir.WriteLines("events.jsonl", EventLines);

        CliResult result = await Cli.RunAsync(
            "profile", file, "--field", "user.country", "--field", "user.vip", "--field", "v", "--format", "json");

        using JsonDocument json = result.Json();
        Assert.Equal(8, json.RootElement.GetProperty("rows").GetInt64());
        Assert.Equal(["user.country", "user.vip", "v"], json.FieldNames());

        JsonElement country = json.Field("user.country");
        string[] present = [.. Countries.OfType<string>()];
        Assert.Equal(present.Length, country.GetProperty("count").GetInt64()); // 6
        Assert.Equal(Countries.Length - present.Length, country.GetProperty("missing").GetInt64()); // absent + null = 2
        Assert.Equal(present.Distinct().Count(), country.GetProperty("distinct").GetInt32()); // DE, FR, IT
        Assert.Equal(Naive.Bits(present), country.Number("entropy"), Tolerance);
        Assert.Equal(JsonValueKind.Null, country.GetProperty("differentialEntropy").ValueKind);

        JsonElement vip = json.Field("user.vip");
        Assert.Equal(2, vip.GetProperty("distinct").GetInt32());
        Assert.Equal(0, vip.GetProperty("missing").GetInt64());
        Assert.Equal(Naive.Bits(VipTexts), vip.Number("entropy"), Tolerance);

        // 1.0, 1, 1.00 and 2 are four categorical values: numbers are compared as written.
        JsonElement v = json.Field("v");
        Assert.Equal(4, v.GetProperty("distinct").GetInt32());
        Assert.Equal(Naive.Bits(VTexts), v.Number("entropy"), Tolerance);
    }

    [Fact]
    public async Task Profile_BinWidth_CountsBinsAndReportsDifferentialEntropy()
    {
        string file = _dir.WriteLines("events.jsonl", EventLines);

        CliResult result = await Cli.RunAsync("profile", file, "--field", "v", "--bin-width", "amount=10", "--format", "json");

        using JsonDocument json = result.Json();
        Assert.Equal(["v", "amount"], json.FieldNames()); // a bin width asks for the field too
        long[] bins = [.. Amounts.Select(a => (long)Math.Floor(a / 10))];
        double binEntropy = Naive.Bits(bins);
        JsonElement amount = json.Field("amount");
        Assert.Equal(bins.Distinct().Count(), amount.GetProperty("distinct").GetInt32()); // -1, 0, 1, 2, 10
        Assert.Equal(Amounts.Length, amount.GetProperty("count").GetInt64());
        Assert.Equal(binEntropy, amount.Number("entropy"), Tolerance);
        Assert.Equal(binEntropy + Math.Log2(10), amount.Number("differentialEntropy"), Tolerance);
    }

    [Fact]
    public async Task Profile_BinWidthInNats_DifferentialEntropyUsesNaturalLogOfWidth()
    {
        string file = _dir.WriteLines("amounts.csv", ["amount", .. Amounts.Select(a => a.ToString(CultureInfo.InvariantCulture))]);

        CliResult result = await Cli.RunAsync("profile", file, "--bin-width", "amount=2.5", "--base", "e", "--format", "json");

        using JsonDocument json = result.Json();
        long[] bins = [.. Amounts.Select(a => (long)Math.Floor(a / 2.5))];
        double binEntropy = Naive.PlugIn(Naive.Count(bins).Values);
        JsonElement amount = json.Field("amount");
        Assert.Equal(bins.Distinct().Count(), amount.GetProperty("distinct").GetInt32());
        Assert.Equal(binEntropy + Math.Log(2.5), amount.Number("differentialEntropy"), Tolerance);
    }

    [Fact]
    public async Task Profile_CsvWithoutFieldOrPair_ProfilesEveryColumn()
    {
        string file = _dir.WriteLines("three.csv", ["a,b,c", "1,x,p", "2,x,q", "3,y,p", "4,y,p"]);

        CliResult result = await Cli.RunAsync("profile", file, "--format", "json");

        using JsonDocument json = result.Json();
        Assert.Equal(["a", "b", "c"], json.FieldNames());
        Assert.Equal(2.0, json.Field("a").Number("entropy"), Tolerance);
        Assert.Equal(1.0, json.Field("b").Number("entropy"), Tolerance);
        Assert.Equal(Naive.Bits(["p", "q", "p", "p"]), json.Field("c").Number("entropy"), Tolerance);
        Assert.Empty(json.RootElement.GetProperty("pairs").EnumerateArray());
    }

    [Fact]
    public async Task Profile_JsonLinesWithoutFieldOrPair_ProfilesEveryLeafPathInOrderOfFirstSight()
    {
        string file = _dir.WriteLines("events.jsonl", EventLines);

        CliResult result = await Cli.RunAsync("profile", file, "--format", "json");

        using JsonDocument json = result.Json();
        Assert.Equal(["user.country", "user.vip", "v", "amount"], json.FieldNames());
        Assert.Equal(2, json.Field("user.country").GetProperty("missing").GetInt64());
        Assert.Equal(Naive.Bits(Amounts.Select(a => a.ToString(CultureInfo.InvariantCulture))), json.Field("amount").Number("entropy"), Tolerance);
    }

    [Fact]
    public async Task Profile_PairOnly_ProfilesJustThePairFields()
    {
        string file = _dir.WriteLines("three.csv", ["a,b,c", "1,x,p", "2,x,q", "3,y,p", "4,y,p"]);

        CliResult result = await Cli.RunAsync("profile", file, "--pair", "c,b", "--format", "json");

        using JsonDocument json = result.Json();
        Assert.Equal(["c", "b"], json.FieldNames());
        JsonElement pair = Assert.Single(json.RootElement.GetProperty("pairs").EnumerateArray());
        // (p,x) (q,x) (p,y) (p,y): H(c,b) = H(1/4, 1/4, 1/2) = 1.5 bits; H(c) = H(3/4, 1/4); H(b) = 1.
        double hc = Naive.Bits(["p", "q", "p", "p"]);
        Assert.Equal(1.5, pair.Number("joint"), Tolerance);
        Assert.Equal(hc + 1 - 1.5, pair.Number("mutualInformation"), Tolerance);
        Assert.Equal(1.5 - hc, pair.Number("conditionalYGivenX"), Tolerance);
    }

    [Theory]
    [InlineData("ml")]
    [InlineData("miller-madow")]
    [InlineData("chao-shen")]
    [InlineData("grassberger")]
    [InlineData("shrink")]
    public async Task Profile_EachEstimator_MatchesItsDefinition(string estimator)
    {
        // a ×5, b ×3, c ×1, d ×1: N = 10, K = 4, two singletons.
        long[] counts = [5, 3, 1, 1];
        string file = _dir.WriteLines("small.csv", ["v", "a", "b", "a", "c", "a", "b", "d", "a", "b", "a"]);

        CliResult result = await Cli.RunAsync("profile", file, "--estimator", estimator, "--format", "json");

        using JsonDocument json = result.Json();
        Assert.Equal(estimator, json.RootElement.GetProperty("estimator").GetString());
        JsonElement v = json.Field("v");
        Assert.Equal(Naive.Entropy(counts, estimator) / Ln2, v.Number("entropy"), 1e-12);
        Assert.Equal(1 - (2.0 / 10), v.Number("coverage"), Tolerance);
    }

    [Fact]
    public async Task Profile_MillerMadow_IsPlugInPlusKMinusOneOverTwoNLn2()
    {
        long[] counts = [5, 3, 1, 1];
        string file = _dir.WriteLines("small.csv", ["v", "a", "b", "a", "c", "a", "b", "d", "a", "b", "a"]);

        CliResult ml = await Cli.RunAsync("profile", file, "--format", "json");
        CliResult mm = await Cli.RunAsync("profile", file, "--estimator", "MILLER-MADOW", "--format", "json");

        using JsonDocument mlJson = ml.Json();
        using JsonDocument mmJson = mm.Json();
        double plugInBits = Naive.PlugIn(counts) / Ln2;
        Assert.Equal(plugInBits, mlJson.Field("v").Number("entropy"), Tolerance);
        Assert.Equal(plugInBits + ((4 - 1) / (2 * 10 * Ln2)), mmJson.Field("v").Number("entropy"), Tolerance);
        Assert.Equal("miller-madow", mmJson.RootElement.GetProperty("estimator").GetString());
    }

    [Fact]
    public async Task Profile_TableFormat_PrintsFieldNamesAndFourDecimalValues()
    {
        string file = WriteCoverThomas();

        CliResult result = await Cli.RunAsync("profile", file, "--pair", "x,y");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        string text = result.Stdout;
        Assert.Contains("ct.csv", text, StringComparison.Ordinal);
        Assert.Contains("32 rows", text, StringComparison.Ordinal);
        Assert.Contains("bits", text, StringComparison.Ordinal);
        Assert.Matches(@"\bx\b", text);
        Assert.Matches(@"\by\b", text);
        Assert.Contains("1.7500", text, StringComparison.Ordinal); // H(x)
        Assert.Contains("2.0000", text, StringComparison.Ordinal); // H(y)
        Assert.Contains("3.3750", text, StringComparison.Ordinal); // H(x,y)
        Assert.Contains("1.6250", text, StringComparison.Ordinal); // H(y|x)
        Assert.Contains("1.3750", text, StringComparison.Ordinal); // H(x|y)
        Assert.Contains("0.3750", text, StringComparison.Ordinal); // I(x;y)
        Assert.DoesNotContain("\u001b[", text, StringComparison.Ordinal); // no ANSI escapes when redirected
    }

    [Theory]
    [InlineData("nope.csv")]
    [InlineData("nope.jsonl")]
    [InlineData("nope")]
    public async Task Profile_MissingFile_ExitsOneNamingTheFile(string name)
    {
        string file = _dir.File(name);

        CliResult result = await Cli.RunAsync("profile", file);

        result.AssertSingleError(1, file, "no such file");
    }

    [Fact]
    public async Task Profile_UnknownCsvField_ExitsOneNamingTheFieldAndTheColumns()
    {
        string file = _dir.WriteLines("t.csv", ["a,b", "1,2"]);

        CliResult result = await Cli.RunAsync("profile", file, "--field", "nope");

        result.AssertSingleError(1, "'nope'", "a, b");
    }

    [Fact]
    public async Task Profile_UnknownJsonField_ExitsOneNamingTheField()
    {
        string file = _dir.WriteLines("events.jsonl", EventLines);

        CliResult result = await Cli.RunAsync("profile", file, "--field", "user.nope");

        result.AssertSingleError(1, "'user.nope'");
    }

    [Fact]
    public async Task Profile_RaggedCsvRow_ExitsOneNamingLine3()
    {
        string file = _dir.WriteLines("ragged.csv", ["a,b", "1,2", "3", "4,5"]);

        CliResult result = await Cli.RunAsync("profile", file);

        result.AssertSingleError(1, "line 3", "expected 2 fields, found 1");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Profile_InvalidJsonLine_ExitsOneNamingTheLine(bool withField)
    {
        string file = _dir.WriteLines("bad.jsonl", ["""{"a":1}""", """{"a":""", """{"a":3}"""]);

        CliResult result = withField
            ? await Cli.RunAsync("profile", file, "--field", "a")
            : await Cli.RunAsync("profile", file);

        result.AssertSingleError(1, file + ":2:");
    }

    [Fact]
    public async Task Profile_NonNumericValueInBinnedField_CountsItInvalidAndWarnsWithLineFieldAndValue()
    {
        string file = _dir.WriteLines("amounts.csv", ["id,amount", "1,10", "2,abc", "3,30", "4,xyz"]);

        CliResult result = await Cli.RunAsync("profile", file, "--bin-width", "amount=10", "--format", "json");

        Assert.Equal(0, result.ExitCode);
        string warning = Assert.Single(result.StderrLines);
        Assert.Equal($"warning: {file}:3: field 'amount' has bin width 10 but its value 'abc' is not a finite number whose bin fits in 64 bits; counted as invalid (2 in all).", warning);
        using JsonDocument json = JsonDocument.Parse(result.Stdout);
        JsonElement amount = json.Field("amount");
        Assert.Equal(2, amount.GetProperty("invalid").GetInt64());
        Assert.Equal(2, amount.GetProperty("count").GetInt64());
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("\"NaN\"")] // JSON has no NaN literal: the text of a string, binned as in the worker
    [InlineData("\"abc\"")]
    [InlineData("1e300")] // finite, but its bin (1e300 / 0.5) is beyond 64 bits
    public async Task Profile_OutOfRangeNumberInBinnedField_CountsInvalidExactlyAsTheWorker(string value)
    {
        string[] lines = ["{\"amount\": 3}", $"{{\"amount\": {value}}}", "{\"amount\": 4.5}", "{\"other\": 1}"];
        string file = _dir.WriteLines("amounts.jsonl", lines);

        CliResult result = await Cli.RunAsync("profile", file, "--field", "amount", "--bin-width", "amount=0.5", "--format", "json");

        // The worker's engine on the same events, as they would arrive from Kafka.
        var schema = new EventSchema([new FieldDefinition("amount", "amount", 0.5)], []);
        var engine = new EntropyEngine(schema, [new WindowDefinition("all", WindowKind.Cumulative)], EntropyEstimator.MaximumLikelihood);
        foreach (string line in lines)
        {
            engine.Process(System.Text.Encoding.UTF8.GetBytes(line), 0);
        }

        FieldResult worker = Assert.Single(Assert.Single(engine.Snapshot()).Fields);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains($"{file}:2: field 'amount'", Assert.Single(result.StderrLines), StringComparison.Ordinal);
        using JsonDocument json = JsonDocument.Parse(result.Stdout);
        JsonElement amount = json.Field("amount");
        Assert.Equal(1, worker.Invalid);
        Assert.Equal(worker.Invalid, amount.GetProperty("invalid").GetInt64());
        Assert.Equal(worker.Missing, amount.GetProperty("missing").GetInt64());
        Assert.Equal(worker.Count, amount.GetProperty("count").GetInt64());
        Assert.Equal(LogBase.Bits.FromNats(worker.Entropy), amount.GetProperty("entropy").GetDouble(), 1e-12);
    }

    [Fact]
    public async Task Profile_OutOfRangeNumberWithMaxDistinct_CountsInvalidToo()
    {
        string file = _dir.WriteLines("amounts.csv", ["id,amount", "1,10", "2,1e400", "3,30"]);

        CliResult result = await Cli.RunAsync("profile", file, "--bin-width", "amount=10", "--max-distinct", "16", "--format", "json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains($"{file}:3: field 'amount' has bin width 10 but its value '1e400'", Assert.Single(result.StderrLines), StringComparison.Ordinal);
        using JsonDocument json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(1, json.Field("amount").GetProperty("invalid").GetInt64());
    }

    [Theory]
    [InlineData("amount=0")]
    [InlineData("amount=-5")]
    [InlineData("amount=abc")]
    [InlineData("amount=")]
    [InlineData("amount=NaN")]
    [InlineData("amount=Infinity")]
    [InlineData("=10")]
    [InlineData("amount")]
    public async Task Profile_BadBinWidth_ExitsTwoNamingTheOption(string spec)
    {
        string file = _dir.WriteLines("amounts.csv", ["id,amount", "1,10"]);

        CliResult result = await Cli.RunAsync("profile", file, "--bin-width", spec);

        result.AssertSingleError(2, "--bin-width");
    }

    [Fact]
    public async Task Profile_UnknownEstimator_ExitsTwoListingTheEstimators()
    {
        string file = WriteCoverThomas();

        CliResult result = await Cli.RunAsync("profile", file, "--estimator", "bogus");

        result.AssertSingleError(2, "--estimator", "'bogus'", "ml, miller-madow, chao-shen, grassberger, shrink");
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("1")]
    [InlineData("0.5")]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public async Task Profile_BadBase_ExitsTwoNamingTheOption(string logBase)
    {
        string file = WriteCoverThomas();

        CliResult result = await Cli.RunAsync("profile", file, "--base", logBase);

        result.AssertSingleError(2, "--base", $"'{logBase}'");
    }

    [Theory]
    [InlineData("x")]
    [InlineData("x,")]
    [InlineData(",y")]
    [InlineData("x,y,z")]
    [InlineData("")]
    public async Task Profile_BadPairSyntax_ExitsTwoNamingTheOption(string spec)
    {
        string file = WriteCoverThomas();

        CliResult result = await Cli.RunAsync("profile", file, "--pair", spec);

        result.AssertSingleError(2, "--pair", $"'{spec}'");
    }

    [Fact]
    public async Task Profile_PairOfAFieldWithItself_ExitsTwo()
    {
        string file = WriteCoverThomas();

        CliResult result = await Cli.RunAsync("profile", file, "--pair", "x,x");

        result.AssertSingleError(2, "'x'");
    }

    [Fact]
    public async Task Profile_UnknownFormat_ExitsTwoNamingTheOption()
    {
        string file = WriteCoverThomas();

        CliResult result = await Cli.RunAsync("profile", file, "--format", "xml");

        result.AssertSingleError(2, "--format", "'xml'");
    }

    [Fact]
    public async Task Profile_200kRows_MatchesDictionaryCount()
    {
        const int Rows = 200_000;
        var random = new Random(20240607);
        var a = new int[Rows];
        var b = new int[Rows];
        var lines = new List<string>(Rows + 1) { "a,b" };
        for (int i = 0; i < Rows; i++)
        {
            // a: 300 categories, skewed; b depends on a plus noise, so I(a;b) is clearly positive.
            a[i] = (int)(300 * Math.Pow(random.NextDouble(), 3));
            b[i] = random.NextDouble() < 0.7 ? a[i] % 11 : random.Next(11);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"k{a[i]},{b[i]}"));
        }

        string file = _dir.WriteLines("big.csv", lines);

        CliResult result = await Cli.RunAsync("profile", file, "--pair", "a,b", "--format", "json");

        using JsonDocument json = result.Json();
        Assert.Equal(Rows, json.RootElement.GetProperty("rows").GetInt64());
        double ha = Naive.Bits(a);
        double hb = Naive.Bits(b);
        double hab = Naive.Bits(Enumerable.Range(0, Rows).Select(i => (a[i], b[i])));
        Assert.Equal(a.Distinct().Count(), json.Field("a").GetProperty("distinct").GetInt32());
        Assert.Equal(ha, json.Field("a").Number("entropy"), 1e-9);
        Assert.Equal(hb, json.Field("b").Number("entropy"), 1e-9);
        JsonElement pair = Assert.Single(json.RootElement.GetProperty("pairs").EnumerateArray());
        Assert.Equal(hab, pair.Number("joint"), 1e-9);
        Assert.Equal(ha + hb - hab, pair.Number("mutualInformation"), 1e-9);
        Assert.Equal(hab - ha, pair.Number("conditionalYGivenX"), 1e-9);
        Assert.Equal(hab - hb, pair.Number("conditionalXGivenY"), 1e-9);
    }

    [Fact]
    public async Task Profile_RandomColumns_EntropyIsNaiveBoundedAndIndependentOfRowOrder()
    {
        int run = 0;
        await Gen.Int[0, 6].Array[1, 40].SampleAsync(
            async values =>
            {
                int n = Interlocked.Increment(ref run);
                string forward = _dir.WriteLines($"f{n}.csv", ["v", .. values.Select(v => $"c{v}")]);
                string backward = _dir.WriteLines($"b{n}.csv", ["v", .. values.Reverse().Select(v => $"c{v}")]);

                CliResult r1 = await Cli.RunAsync("profile", forward, "--format", "json");
                CliResult r2 = await Cli.RunAsync("profile", backward, "--format", "json");

                using JsonDocument j1 = r1.Json();
                using JsonDocument j2 = r2.Json();
                double h = j1.Field("v").Number("entropy");
                int distinct = values.Distinct().Count();
                Assert.Equal(Naive.Bits(values), h, 1e-12);
                Assert.InRange(h, 0, Math.Log2(distinct) + 1e-12);
                Assert.Equal(distinct, j1.Field("v").GetProperty("distinct").GetInt32());
                Assert.Equal(h, j2.Field("v").Number("entropy"), 1e-12);
            },
            iter: 40,
            threads: 1);
    }

    private string WriteCoverThomas()
    {
        var lines = new List<string> { "x,y" };
        for (int y = 0; y < 4; y++)
        {
            for (int x = 0; x < 4; x++)
            {
                for (int k = 0; k < CoverThomasCounts[y][x]; k++)
                {
                    lines.Add(string.Create(CultureInfo.InvariantCulture, $"{x + 1},{y + 1}"));
                }
            }
        }

        return _dir.WriteLines("ct.csv", lines);
    }
}
