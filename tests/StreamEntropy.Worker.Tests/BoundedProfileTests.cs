using System.Globalization;
using System.Text.Json;
using StreamEntropy.Worker.Tests.Support;

namespace StreamEntropy.Worker.Tests;

/// <summary><c>stream-entropy profile --max-distinct N</c>: exact below the budget, a certified bracket above it.</summary>
public sealed class BoundedProfileTests : IDisposable
{
    private const double Tolerance = 1e-9;
    private const int Rows = 100_000;

    private static readonly string[] BracketedPairMembers = ["joint", "conditionalYGivenX", "conditionalXGivenY", "mutualInformation", "entropyX", "entropyY"];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task MaxDistinct_HighAndLowCardinalityCsv_LowStaysExactHighIsBracketed()
    {
        string file = WriteMixedCsv();

        CliResult plain = await Cli.RunAsync("profile", file, "--pair", "country,user", "--pair", "user,country", "--bin-width", "amount=1", "--format", "json");
        CliResult bounded = await Cli.RunAsync("profile", file, "--pair", "country,user", "--pair", "user,country", "--bin-width", "amount=1", "--max-distinct", "1000", "--format", "json");

        using JsonDocument exact = plain.Json();
        using JsonDocument json = bounded.Json();
        Assert.Equal(1000, json.RootElement.GetProperty("maxDistinct").GetInt32());
        Assert.Equal("ml", json.RootElement.GetProperty("estimator").GetString());
        Assert.Equal(Rows, json.RootElement.GetProperty("rows").GetInt64());
        Assert.Equal(exact.FieldNames(), json.FieldNames());

        // The low-cardinality field never leaves the budget: every value is the exact path's.
        JsonElement country = json.Field("country");
        JsonElement exactCountry = exact.Field("country");
        Assert.True(country.GetProperty("exact").GetBoolean());
        Assert.Equal(exactCountry.GetProperty("distinct").GetInt32(), country.GetProperty("distinct").GetInt32());
        foreach (string member in new[] { "count", "missing", "invalid" })
        {
            Assert.Equal(exactCountry.GetProperty(member).GetInt64(), country.GetProperty(member).GetInt64());
        }

        foreach (string member in new[] { "entropy", "entropyLower", "entropyUpper" })
        {
            Assert.Equal(exactCountry.Number("entropy"), country.Number(member), Tolerance);
        }

        foreach (string member in new[] { "standardError", "normalizedEntropy", "coverage" })
        {
            Assert.Equal(exactCountry.Number(member), country.Number(member), Tolerance);
        }

        // The high-cardinality fields are bracketed around the exact plug-in value.
        foreach (string name in new[] { "user", "amount" })
        {
            JsonElement f = json.Field(name);
            JsonElement e = exact.Field(name);
            Assert.False(f.GetProperty("exact").GetBoolean(), name);
            Assert.Equal(e.GetProperty("count").GetInt64(), f.GetProperty("count").GetInt64());
            AssertBracketContains(f, "entropy", e.Number("entropy"));
            Assert.Equal(JsonValueKind.Null, f.GetProperty("standardError").ValueKind);
            Assert.Equal(JsonValueKind.Null, f.GetProperty("coverage").ValueKind);
            double distinct = e.GetProperty("distinct").GetInt32();
            Assert.InRange(f.GetProperty("distinct").GetInt64(), 0.8 * distinct, 1.2 * distinct); // an estimate
        }

        Assert.True(exact.Field("user").GetProperty("distinct").GetInt32() > 40_000);
        AssertBracketContains(json.Field("amount"), "differentialEntropy", exact.Field("amount").Number("differentialEntropy"));
        Assert.Equal(JsonValueKind.Null, json.Field("country").GetProperty("differentialEntropy").ValueKind);

        // Pairs: every measure's bracket contains the exact value, in both orders.
        JsonElement[] pairs = [.. json.RootElement.GetProperty("pairs").EnumerateArray()];
        JsonElement[] exactPairs = [.. exact.RootElement.GetProperty("pairs").EnumerateArray()];
        Assert.Equal(2, pairs.Length);
        for (int i = 0; i < pairs.Length; i++)
        {
            Assert.False(pairs[i].GetProperty("exact").GetBoolean());
            Assert.Equal(exactPairs[i].GetProperty("count").GetInt64(), pairs[i].GetProperty("count").GetInt64());
            foreach (string member in BracketedPairMembers)
            {
                AssertBracketContains(pairs[i], member, exactPairs[i].Number(member));
            }

            Assert.Equal(JsonValueKind.Null, pairs[i].GetProperty("jointStandardError").ValueKind);
        }

        // H(country) within the pair stays exact.
        Assert.Equal(exactPairs[0].Number("entropyX"), pairs[0].Number("entropyX"), Tolerance);
        Assert.Equal(exactPairs[0].Number("entropyX"), pairs[0].Number("entropyXUpper"), Tolerance);
    }

    [Fact]
    public async Task MaxDistinct_EveryFieldAndPairWithinTheBudget_EqualsThePlainProfile()
    {
        var lines = new List<string> { "a,b,w" };
        var random = new Random(5);
        for (int i = 0; i < 3000; i++)
        {
            int a = random.Next(40);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"k{a},{(a + random.Next(3)) % 7},{random.NextDouble() * 50:0.00}"));
        }

        string file = _dir.WriteLines("small.csv", lines);
        string[] options = ["--pair", "a,b", "--pair", "b,w", "--bin-width", "w=2.5", "--format", "json"];

        CliResult plain = await Cli.RunAsync(["profile", file, .. options]);
        CliResult bounded = await Cli.RunAsync(["profile", file, "--max-distinct", "300", .. options]);

        using JsonDocument exact = plain.Json();
        using JsonDocument json = bounded.Json();
        foreach (string name in exact.FieldNames())
        {
            JsonElement f = json.Field(name);
            JsonElement e = exact.Field(name);
            Assert.True(f.GetProperty("exact").GetBoolean(), name);
            Assert.True(e.GetProperty("exact").GetBoolean(), name);
            Assert.Equal(e.GetProperty("distinct").GetInt32(), f.GetProperty("distinct").GetInt32());
            foreach (string member in new[] { "entropy", "standardError", "normalizedEntropy", "coverage" })
            {
                Assert.Equal(e.Number(member), f.Number(member), Tolerance);
            }

            Assert.Equal(e.Number("entropy"), f.Number("entropyLower"), Tolerance);
            Assert.Equal(e.Number("entropy"), f.Number("entropyUpper"), Tolerance);
        }

        Assert.Equal(exact.Field("w").Number("differentialEntropy"), json.Field("w").Number("differentialEntropy"), Tolerance);
        Assert.Equal(exact.Field("w").Number("differentialEntropy"), json.Field("w").Number("differentialEntropyUpper"), Tolerance);
        JsonElement[] pairs = [.. json.RootElement.GetProperty("pairs").EnumerateArray()];
        JsonElement[] exactPairs = [.. exact.RootElement.GetProperty("pairs").EnumerateArray()];
        for (int i = 0; i < pairs.Length; i++)
        {
            Assert.True(pairs[i].GetProperty("exact").GetBoolean());
            Assert.True(exactPairs[i].GetProperty("exact").GetBoolean());
            Assert.Equal(exactPairs[i].GetProperty("distinctPairs").GetInt32(), pairs[i].GetProperty("distinctPairs").GetInt32());
            Assert.Equal(exactPairs[i].Number("jointStandardError"), pairs[i].Number("jointStandardError"), Tolerance);
            foreach (string member in BracketedPairMembers)
            {
                Assert.Equal(exactPairs[i].Number(member), pairs[i].Number(member), Tolerance);
                Assert.Equal(exactPairs[i].Number(member), pairs[i].Number(member + "Lower"), Tolerance);
                Assert.Equal(exactPairs[i].Number(member), pairs[i].Number(member + "Upper"), Tolerance);
            }
        }
    }

    [Fact]
    public async Task MaxDistinct_JsonLines_BracketsTheHighCardinalityPathAndCountsMissing()
    {
        var lines = new List<string>();
        var random = new Random(11);
        for (int i = 0; i < 4000; i++)
        {
            string countryJson = random.Next(10) == 0 ? "null" : $"\"{(char)('A' + random.Next(6))}\"";
            lines.Add(string.Create(CultureInfo.InvariantCulture, $$"""{"user":{"id":"u{{random.Next(3000)}}","country":{{countryJson}}},"v":{{random.Next(4)}}}"""));
        }

        lines.Add("""{"user":{"id":"u-last"},"v":1}"""); // country absent
        string file = _dir.WriteLines("events.jsonl", lines);
        string[] options = ["--field", "user.country", "--field", "user.id", "--pair", "user.country,user.id", "--format", "json"];

        CliResult plain = await Cli.RunAsync(["profile", file, .. options]);
        CliResult bounded = await Cli.RunAsync(["profile", file, "--max-distinct", "64", .. options]);

        using JsonDocument exact = plain.Json();
        using JsonDocument json = bounded.Json();
        JsonElement country = json.Field("user.country");
        Assert.True(country.GetProperty("exact").GetBoolean());
        Assert.Equal(exact.Field("user.country").GetProperty("missing").GetInt64(), country.GetProperty("missing").GetInt64());
        Assert.True(country.GetProperty("missing").GetInt64() > 300);
        Assert.Equal(exact.Field("user.country").Number("entropy"), country.Number("entropy"), Tolerance);

        JsonElement id = json.Field("user.id");
        Assert.False(id.GetProperty("exact").GetBoolean());
        AssertBracketContains(id, "entropy", exact.Field("user.id").Number("entropy"));

        JsonElement pair = Assert.Single(json.RootElement.GetProperty("pairs").EnumerateArray());
        JsonElement exactPair = Assert.Single(exact.RootElement.GetProperty("pairs").EnumerateArray());
        Assert.Equal(exactPair.GetProperty("count").GetInt64(), pair.GetProperty("count").GetInt64());
        foreach (string member in BracketedPairMembers)
        {
            AssertBracketContains(pair, member, exactPair.Number(member));
        }
    }

    [Fact]
    public async Task MaxDistinct_TableFormat_ShowsApproximateValuesWithTheirBracket()
    {
        string file = _dir.WriteLines("t.csv", ["v,c", .. Enumerable.Range(0, 200).Select(i => $"v{i % 150},c{i % 3}")]);

        CliResult result = await Cli.RunAsync("profile", file, "--pair", "c,v", "--max-distinct", "16");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        Assert.Matches(@"≈\d+\.\d{4} \[\d+\.\d{4}, \d+\.\d{4}\]", result.Stdout);
        Assert.Contains("≈", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("│ 1.5849 ", result.Stdout, StringComparison.Ordinal); // H(c) for 67, 67, 66: exact, printed plain
        Assert.Contains("guaranteed to contain the exact plug-in value", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlainProfile_MarksEveryFieldAndPairExact()
    {
        string file = _dir.WriteLines("t.csv", ["a,b", "1,x", "2,y", "2,x"]);

        CliResult result = await Cli.RunAsync("profile", file, "--pair", "a,b", "--format", "json");

        using JsonDocument json = result.Json();
        Assert.False(json.RootElement.TryGetProperty("maxDistinct", out _));
        Assert.All(json.RootElement.GetProperty("fields").EnumerateArray(), f => Assert.True(f.GetProperty("exact").GetBoolean()));
        Assert.True(Assert.Single(json.RootElement.GetProperty("pairs").EnumerateArray()).GetProperty("exact").GetBoolean());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("15")]
    [InlineData("-5")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("16777217")]
    [InlineData("99999999999")]
    [InlineData("")]
    public async Task MaxDistinct_BadValue_ExitsTwoNamingTheOption(string value)
    {
        string file = _dir.WriteLines("t.csv", ["a", "1"]);

        CliResult result = await Cli.RunAsync("profile", file, "--max-distinct", value);

        result.AssertSingleError(2, "--max-distinct", $"'{value}'", "16");
    }

    [Theory]
    [InlineData("miller-madow")]
    [InlineData("chao-shen")]
    [InlineData("grassberger")]
    [InlineData("shrink")]
    public async Task MaxDistinct_EstimatorOtherThanMl_ExitsTwo(string estimator)
    {
        string file = _dir.WriteLines("t.csv", ["a", "1"]);

        CliResult result = await Cli.RunAsync("profile", file, "--max-distinct", "100", "--estimator", estimator);

        result.AssertSingleError(2, "--estimator", $"'{estimator}'", "--max-distinct", "ml");
    }

    [Fact]
    public async Task MaxDistinct_ExplicitMlEstimator_IsAccepted()
    {
        string file = _dir.WriteLines("t.csv", ["a", "1", "2"]);

        CliResult result = await Cli.RunAsync("profile", file, "--max-distinct", "16", "--estimator", "ML", "--format", "json");

        using JsonDocument json = result.Json();
        Assert.Equal(1.0, json.Field("a").Number("entropy"), Tolerance);
    }

    [Fact]
    public async Task MaxDistinct_WithSaveBaseline_ExitsTwo()
    {
        string file = _dir.WriteLines("t.csv", ["a", "1"]);

        CliResult result = await Cli.RunAsync("profile", file, "--max-distinct", "100", "--save-baseline", _dir.File("b.json"));

        result.AssertSingleError(2, "--save-baseline", "--max-distinct");
        Assert.False(File.Exists(_dir.File("b.json")));
    }

    [Fact]
    public async Task MaxDistinct_NonNumericValueInBinnedField_CountedInvalidLikeThePlainProfile()
    {
        string file = _dir.WriteLines("amounts.csv", ["id,amount", "1,10", "2,abc", "3,30"]);

        CliResult bounded = await Cli.RunAsync("profile", file, "--bin-width", "amount=10", "--max-distinct", "16", "--format", "json");
        CliResult plain = await Cli.RunAsync("profile", file, "--bin-width", "amount=10", "--format", "json");

        Assert.True(bounded.ExitCode == 0, bounded.Stderr);
        Assert.Equal(plain.StderrLines, bounded.StderrLines); // the same warning, naming line 3, the field and the value
        Assert.Contains($"{file}:3: field 'amount' has bin width 10 but its value 'abc'", Assert.Single(bounded.StderrLines), StringComparison.Ordinal);
        using JsonDocument b = JsonDocument.Parse(bounded.Stdout);
        using JsonDocument p = JsonDocument.Parse(plain.Stdout);
        Assert.Equal(1, b.Field("amount").GetProperty("invalid").GetInt64());
        Assert.Equal(p.Field("amount").GetProperty("invalid").GetInt64(), b.Field("amount").GetProperty("invalid").GetInt64());
    }

    /// <summary>An inexact bracket contains the exact value; an exact (zero-width) one equals it up to rounding.</summary>
    private static void AssertBracketContains(JsonElement element, string member, double exact)
    {
        double lower = element.Number(member + "Lower");
        double estimate = element.Number(member);
        double upper = element.Number(member + "Upper");
        if (lower == upper)
        {
            Assert.Equal(exact, estimate, Tolerance);
            return;
        }

        Assert.True(lower <= exact && exact <= upper, $"{member}: exact {exact} outside [{lower}, {upper}]");
        Assert.InRange(estimate, lower, upper);
    }

    private string WriteMixedCsv()
    {
        // country: 12 values, skewed; user: ~50k distinct ids, Zipf-like; amount: uniform on [0, 5000) (5000 bins of 1).
        var random = new Random(20240611);
        var lines = new List<string>(Rows + 1) { "country,user,amount" };
        for (int i = 0; i < Rows; i++)
        {
            int country = (int)(12 * Math.Pow(random.NextDouble(), 2));
            int user = random.Next(2) == 0 ? random.Next(60_000) : (int)(60_000 * Math.Pow(random.NextDouble(), 4));
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"c{country},user-{user},{random.NextDouble() * 5000:0.000}"));
        }

        return _dir.WriteLines("mixed.csv", lines);
    }
}
