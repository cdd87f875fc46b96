using System.Text.Json;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;
using StreamEntropy.TestSupport;
using StreamEntropy.Worker.Tests.Support;

namespace StreamEntropy.Worker.Tests;

/// <summary><c>profile --pair 'country+device,label'</c>: conditioning on several fields in a file.</summary>
public sealed class ProfileTupleTests : IDisposable
{
    private const double Tolerance = 1e-12;
    private static readonly double Ln2 = Math.Log(2);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Profile_TuplePair_EqualsARecountAndTheEngine()
    {
        var random = new Random(3);
        var rows = new List<(string? Country, string Device, string Label)>();
        for (int i = 0; i < 500; i++)
        {
            int c = random.Next(4);
            int d = random.Next(3);
            rows.Add((random.Next(15) == 0 ? null : "c" + c, "d" + d, ((c + d + (random.Next(6) == 0 ? 1 : 0)) % 2).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        string[] lines = [.. rows.Select(r => JsonSerializer.Serialize(new { user = new { country = r.Country }, device = r.Device, label = r.Label }))];
        string file = _dir.WriteLines("events.jsonl", lines);

        CliResult result = await Cli.RunAsync("profile", file, "--pair", "user.country+device,label", "--pair", "user.country,label", "--format", "json");

        using JsonDocument json = result.Json();
        Assert.Equal(["user.country", "device", "label", "user.country+device"], json.FieldNames());
        JsonElement[] pairs = [.. json.RootElement.GetProperty("pairs").EnumerateArray()];
        Assert.Equal("user.country+device", pairs[0].GetProperty("x").GetString());
        var present = rows.Where(r => r.Country is not null).ToList();
        double joint = Naive.Bits(present.Select(r => (r.Country!, r.Device, r.Label)));
        double x = Naive.Bits(present.Select(r => (r.Country!, r.Device)));
        double y = Naive.Bits(present.Select(r => r.Label));
        Assert.Equal(joint, pairs[0].Number("joint"), Tolerance);
        Assert.Equal(joint - x, pairs[0].Number("conditionalYGivenX"), Tolerance);
        Assert.Equal(x + y - joint, pairs[0].Number("mutualInformation"), Tolerance);
        Assert.True(pairs[0].Number("mutualInformation") > pairs[1].Number("mutualInformation") + 0.1); // device adds information
        Assert.Equal(rows.Count - present.Count, json.Field("user.country+device").GetProperty("missing").GetInt64());

        // The worker's engine, given the same events and the same tuple, reports the same pair.
        var schema = new EventSchema(
            [new FieldDefinition("user.country", "user.country"), new FieldDefinition("device", "device"), new FieldDefinition("label", "label"), FieldDefinition.Tuple(["user.country", "device"])],
            [new PairDefinition("user.country+device", "label")]);
        var engine = new EntropyEngine(schema, [new WindowDefinition("all", WindowKind.Cumulative)], EntropyEstimator.MaximumLikelihood);
        foreach (string line in lines)
        {
            engine.Process(System.Text.Encoding.UTF8.GetBytes(line), 1);
        }

        PairResult fromEngine = Assert.Single(Assert.Single(engine.Snapshot()).Pairs);
        Assert.Equal(fromEngine.Entropies.ConditionalYGivenX / Ln2, pairs[0].Number("conditionalYGivenX"), Tolerance);
        Assert.Equal(fromEngine.Entropies.MutualInformation / Ln2, pairs[0].Number("mutualInformation"), Tolerance);

        // Its parts named with --field: the same tuple, without listing the file's fields first.
        CliResult named = await Cli.RunAsync("profile", file, "--field", "user.country", "--field", "device", "--pair", "user.country+device,label", "--format", "json");
        using JsonDocument namedJson = named.Json();
        Assert.Equal(pairs[0].Number("mutualInformation"), Assert.Single(namedJson.RootElement.GetProperty("pairs").EnumerateArray()).Number("mutualInformation"));
    }

    [Fact]
    public async Task Profile_FieldNamesWithPlus_AnExactNameWinsOverASplit()
    {
        // "a+b" is a column: "a+b,label" is that column; "a+b+c,label" is the tuple (a+b, c), not (a, b, c).
        string file = _dir.WriteLines("plus.csv", ["a+b,c,label", "x,p,0", "x,q,1", "y,p,1", "y,q,0", "x,p,0"]);

        CliResult single = await Cli.RunAsync("profile", file, "--pair", "a+b,label", "--format", "json");
        CliResult tuple = await Cli.RunAsync("profile", file, "--pair", "a+b+c,label", "--format", "json");

        using JsonDocument singleJson = single.Json();
        Assert.Equal(["a+b", "label"], singleJson.FieldNames());
        Assert.Equal(Naive.Bits(["x", "x", "y", "y", "x"]), singleJson.Field("a+b").Number("entropy"), Tolerance);
        using JsonDocument tupleJson = tuple.Json();
        Assert.Equal(["a+b", "c", "label", "a+b+c"], tupleJson.FieldNames());
        JsonElement pair = Assert.Single(tupleJson.RootElement.GetProperty("pairs").EnumerateArray());
        Assert.Equal(0, pair.Number("conditionalYGivenX"), Tolerance); // xor-like: (a+b, c) decides the label
        Assert.Equal(1, pair.Number("mutualInformation") / Naive.Bits(["0", "1", "1", "0", "0"]), Tolerance);
    }

    [Fact]
    public async Task Profile_TuplePairWithMaxDistinct_IsExactWithinTheBudget()
    {
        string file = _dir.WriteLines("small.csv", ["a,b,y", "1,1,0", "1,2,1", "2,1,1", "2,2,0"]);

        CliResult result = await Cli.RunAsync("profile", file, "--pair", "a+b,y", "--max-distinct", "16", "--format", "json");

        using JsonDocument json = result.Json();
        JsonElement pair = Assert.Single(json.RootElement.GetProperty("pairs").EnumerateArray());
        Assert.True(pair.GetProperty("exact").GetBoolean());
        Assert.Equal(1, pair.Number("mutualInformation"), Tolerance); // y = a xor b: one bit from both, none from either
    }

    [Fact]
    public void PairTuples_PartsGivenWithField_DoNotListTheInputsFields()
    {
        List<FieldDefinition> tuples = Commands.CommonOptions.PairTuples(
            ["a", "b"], [new PairDefinition("a+b", "y"), new PairDefinition("a", "y")], () => throw new InvalidOperationException("listed the fields"));

        FieldDefinition tuple = Assert.Single(tuples);
        Assert.Equal("a+b", tuple.Name);
        Assert.Equal(["a", "b"], tuple.Components!);
        Assert.Throws<InvalidOperationException>(() => Commands.CommonOptions.PairTuples(["a"], [new PairDefinition("a+b", "y")], () => throw new InvalidOperationException()));
    }

    [Theory]
    [InlineData("a++b,y", 2, "--pair: 'a++b' is not a field, and not fields joined with '+'.")]
    [InlineData("a+zz,y", 1, "unknown field 'zz'")]
    public async Task Profile_BadTuple_IsOneError(string pair, int exitCode, string fact)
    {
        string file = _dir.WriteLines("small.csv", ["a,b,y", "1,1,0"]);

        CliResult result = await Cli.RunAsync("profile", file, "--pair", pair);

        result.AssertSingleError(exitCode, fact);
    }
}
