using System.Text.Json;
using StreamEntropy.Worker.Tests.Support;

namespace StreamEntropy.Worker.Tests;

/// <summary><c>stream-entropy profile --pair '*,label' --rank label</c>: wildcard pairs and the ranking of a target's
/// features, checked against scikit-learn's <c>mutual_info_score</c> computed offline (Fixtures/Ranking).</summary>
public sealed class ProfileRankingTests : IDisposable
{
    private static readonly string Features = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Ranking", "features.csv");
    private static readonly string Expected = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Ranking", "expected-mutual-information.json");

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Profile_WildcardPairAndRank_EqualSklearnMutualInfoScoreAndItsOrder()
    {
        using JsonDocument expected = JsonDocument.Parse(await File.ReadAllTextAsync(Expected));
        Dictionary<string, double> reference = expected.RootElement.GetProperty("mutualInformation").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        string[] referenceOrder = [.. expected.RootElement.GetProperty("ranking").EnumerateArray().Select(e => e.GetString()!)];

        CliResult result = await Cli.RunAsync("profile", Features, "--pair", "*,label", "--rank", "label", "--base", "e", "--estimator", "ml", "--format", "json");

        using JsonDocument json = result.Json();
        Assert.Equal(expected.RootElement.GetProperty("rows").GetInt64(), json.RootElement.GetProperty("rows").GetInt64());
        JsonElement[] pairs = [.. json.RootElement.GetProperty("pairs").EnumerateArray()];
        Assert.Equal(reference.Keys, pairs.Select(p => p.GetProperty("x").GetString()!)); // every field but the target, in file order
        Assert.All(pairs, p => Assert.Equal("label", p.GetProperty("y").GetString()));
        foreach (JsonElement p in pairs)
        {
            AssertClose(reference[p.GetProperty("x").GetString()!], p.Number("mutualInformation"), 1e-9, p.GetProperty("x").GetString());
        }

        JsonElement ranking = json.RootElement.GetProperty("ranking");
        Assert.Equal("label", ranking.GetProperty("target").GetString());
        JsonElement[] rows = [.. ranking.GetProperty("features").EnumerateArray()];
        Assert.Equal(referenceOrder, rows.Select(r => r.GetProperty("feature").GetString()!));
        foreach (JsonElement r in rows)
        {
            string feature = r.GetProperty("feature").GetString()!;
            JsonElement pair = pairs.Single(p => p.GetProperty("x").GetString() == feature);
            AssertClose(reference[feature], r.Number("mutualInformation"), 1e-9, feature);
            Assert.Equal(pair.Number("mutualInformationStandardError"), r.Number("mutualInformationStandardError"));
            Assert.Equal(pair.Number("conditionalYGivenX"), r.Number("conditionalTargetGivenFeature"));
            Assert.Equal(pair.Number("symmetricUncertainty"), r.Number("symmetricUncertainty"));
            Assert.Equal(pair.Number("gainRatio"), r.Number("gainRatio"));
            Assert.Equal(2_000, r.GetProperty("count").GetInt64());
            Assert.True(r.GetProperty("exact").GetBoolean());
        }
    }

    [Fact]
    public async Task Profile_StandardErrorOfI_EqualsTheTextbookMomentsOverTheRows()
    {
        string[][] rows = [.. (await File.ReadAllLinesAsync(Features)).Skip(1).Select(l => l.Split(','))];
        string[] header = (await File.ReadAllLinesAsync(Features))[0].Split(',');

        CliResult result = await Cli.RunAsync("profile", Features, "--pair", "*,label", "--base", "e", "--format", "json");

        using JsonDocument json = result.Json();
        foreach (JsonElement p in json.RootElement.GetProperty("pairs").EnumerateArray())
        {
            int x = Array.IndexOf(header, p.GetProperty("x").GetString());
            List<(string, string)> events = [.. rows.Select(r => (r[x], r[0]))];
            AssertClose(Naive.MutualInformationStandardError(events), p.Number("mutualInformationStandardError"), 1e-9, header[x]);
        }
    }

    [Theory]
    [InlineData("user.*,label", new[] { "user.age_band", "user.tier", "user.country" }, false)]
    [InlineData("label,user.*", new[] { "user.age_band", "user.tier", "user.country" }, true)]
    public async Task Profile_PrefixPattern_PairsTheMatchingFieldsInFileOrderOnEitherSide(string spec, string[] features, bool mirrored)
    {
        CliResult result = await Cli.RunAsync("profile", Features, "--pair", spec, "--rank", "label", "--format", "json");
        CliResult plain = await Cli.RunAsync("profile", Features, "--pair", "*,label", "--format", "json");

        using JsonDocument json = result.Json();
        using JsonDocument all = plain.Json();
        Assert.Equal(["label", .. features], json.FieldNames());
        JsonElement[] pairs = [.. json.RootElement.GetProperty("pairs").EnumerateArray()];
        Assert.Equal(features, pairs.Select(p => p.GetProperty(mirrored ? "y" : "x").GetString()!));
        Assert.All(pairs, p => Assert.Equal("label", p.GetProperty(mirrored ? "x" : "y").GetString()));
        foreach (JsonElement r in json.RootElement.GetProperty("ranking").GetProperty("features").EnumerateArray())
        {
            string feature = r.GetProperty("feature").GetString()!;
            JsonElement reference = all.RootElement.GetProperty("pairs").EnumerateArray().Single(p => p.GetProperty("x").GetString() == feature);
            AssertClose(reference.Number("mutualInformation"), r.Number("mutualInformation"), 1e-12, feature);
            AssertClose(reference.Number("conditionalYGivenX"), r.Number("conditionalTargetGivenFeature"), 1e-12, feature);
            AssertClose(reference.Number("gainRatio"), r.Number("gainRatio"), 1e-12, feature); // I / H(feature) on either side
        }
    }

    [Fact]
    public async Task Profile_RankWithMaxDistinct_BracketsThePairsOverTheBudgetAndGivesNoStandardError()
    {
        CliResult bounded = await Cli.RunAsync("profile", Features, "--pair", "*,label", "--rank", "label", "--max-distinct", "16", "--format", "json");
        CliResult exact = await Cli.RunAsync("profile", Features, "--pair", "*,label", "--rank", "label", "--format", "json");

        using JsonDocument json = bounded.Json();
        using JsonDocument reference = exact.Json();
        JsonElement[] rows = [.. json.RootElement.GetProperty("ranking").GetProperty("features").EnumerateArray()];
        JsonElement session = rows.Single(r => r.GetProperty("feature").GetString() == "session"); // 400 values: over the budget
        Assert.False(session.GetProperty("exact").GetBoolean());
        Assert.Equal(JsonValueKind.Null, session.GetProperty("mutualInformationStandardError").ValueKind);
        double exactSession = reference.RootElement.GetProperty("ranking").GetProperty("features").EnumerateArray()
            .Single(r => r.GetProperty("feature").GetString() == "session").Number("mutualInformation");
        Assert.InRange(exactSession, session.Number("mutualInformationLower"), session.Number("mutualInformationUpper"));
        JsonElement device = rows.Single(r => r.GetProperty("feature").GetString() == "device"); // 3 values: exact
        Assert.True(device.GetProperty("exact").GetBoolean());
        Assert.Equal(JsonValueKind.Null, device.GetProperty("mutualInformationStandardError").ValueKind); // hashed cells: no SE
    }

    [Fact]
    public async Task Profile_PatternWithFieldList_ExpandsOverTheListedFieldsOnly()
    {
        CliResult result = await Cli.RunAsync("profile", Features, "--field", "weak", "--field", "device", "--field", "label", "--pair", "*,label", "--format", "json");

        using JsonDocument json = result.Json();
        Assert.Equal(["weak", "device", "label"], json.FieldNames());
        Assert.Equal(["weak", "device"], json.RootElement.GetProperty("pairs").EnumerateArray().Select(p => p.GetProperty("x").GetString()!));
    }

    [Theory]
    [InlineData("*,*", "--rank", "label", "'*,*' has a pattern on both sides")]
    [InlineData("nope.*,label", "--rank", "label", "no field other than 'label' matches 'nope.*'")]
    [InlineData("us*er.*,label", "--rank", "label", "'us*er.*' has a '*' that is not the whole pattern")]
    [InlineData("device,weak", "--rank", "label", "--rank: no --pair has 'label' on one side")]
    [InlineData("label,label", "--rank", "label", "--rank: no --pair has 'label' on one side")]
    public async Task Profile_BadPatternOrRankWithoutItsPair_IsAUsageError(string spec, string option, string value, string fact)
    {
        CliResult result = await Cli.RunAsync("profile", Features, "--pair", spec, option, value);

        result.AssertSingleError(2, fact);
    }

    [Fact]
    public async Task Profile_RankAsText_PrintsTheRowsInOrderWithNamesEscaped()
    {
        string file = _dir.WriteLines("hostile.csv", ["[red]x[/],y,label", .. Enumerable.Range(0, 60).Select(i => $"{i % 3},{i % 2},{i % 3 / 2}")]);

        CliResult result = await Cli.RunAsync("profile", file, "--pair", "*,label", "--rank", "label");

        Assert.Equal(0, result.ExitCode);
        string[] lines = result.Stdout.ReplaceLineEndings("\n").Split('\n');
        int title = Array.FindIndex(lines, l => l.StartsWith("features ranked by I(X; label)", StringComparison.Ordinal));
        Assert.True(title > 0, result.Stdout);
        string[] ranked = [.. lines.Skip(title).Where(l => l.StartsWith("│ 1 ", StringComparison.Ordinal) || l.StartsWith("│ 2 ", StringComparison.Ordinal))];
        Assert.Equal(2, ranked.Length);
        Assert.Contains("[red]x[/]", ranked[0], StringComparison.Ordinal); // x determines label: first, and shown as written
        Assert.Contains("│ y ", ranked[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Profile_ControlCharactersInNames_AreEscapedOnTheTerminal()
    {
        // A header with a terminal escape, a bidirectional override and a backslash: printed as \uXXXX and \\, never raw.
        string file = _dir.WriteLines("controls.csv", ["\"a\u001b[31mb\",\"c\u202ed\\e\",label", .. Enumerable.Range(0, 30).Select(i => $"{i % 3},{i % 2},{i % 2}")]);

        CliResult result = await Cli.RunAsync("profile", file, "--pair", "*,label", "--rank", "label");

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain('\u001b', result.Stdout);
        Assert.DoesNotContain('\u202e', result.Stdout);
        Assert.Contains("a\\u001b[31mb", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("c\\u202ed\\\\e", result.Stdout, StringComparison.Ordinal);
    }
}
