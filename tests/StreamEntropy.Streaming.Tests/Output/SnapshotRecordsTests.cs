using System.Text.Json;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Output;
using StreamEntropy.Streaming.Windows;
using static StreamEntropy.Streaming.Tests.Engine.BudgetTestKit;

namespace StreamEntropy.Streaming.Tests.Output;

public class SnapshotRecordsTests
{
    private static readonly WindowDefinition[] All = [new("all", WindowKind.Cumulative)];

    [Fact]
    public void Build_FieldAndPairOverTheBudget_WriteExactFalseAndBracketsBesideThePointValues()
    {
        EntropyEngine engine = CreateEngine(64, All);
        foreach ((byte[] json, long t) in TwoPhases(1.0, values: 5_000, heavy: 5_000, light: 0, seed: 9))
        {
            engine.Process(json, t);
        }

        Dictionary<string, JsonElement> records = Records(engine);
        JsonElement country = records["all/country"];
        Assert.True(country.GetProperty("exact").GetBoolean());
        Assert.False(country.TryGetProperty("entropyLower", out _));
        Assert.True(country.GetProperty("standardError").GetDouble() > 0);

        JsonElement id = records["all/id"];
        Assert.False(id.GetProperty("exact").GetBoolean());
        AssertBracket(id, "entropy");
        Assert.Equal(JsonValueKind.Null, id.GetProperty("standardError").ValueKind);
        Assert.Equal(JsonValueKind.Null, id.GetProperty("coverage").ValueKind);
        Assert.True(id.GetProperty("distinct").GetInt32() > 64);
        Assert.Equal(5_000, id.GetProperty("count").GetInt64());

        JsonElement pair = records["all/country,id"];
        Assert.False(pair.GetProperty("exact").GetBoolean());
        foreach (string name in new[] { "joint", "entropyX", "entropyY", "conditionalYGivenX", "conditionalXGivenY", "mutualInformation" })
        {
            AssertBracket(pair, name);
        }
    }

    [Fact]
    public void Build_PartitionsWrittenOnlyForMergedWindows()
    {
        EntropyEngine engine = CreateEngine(0, All);
        engine.Process(Event("DE", "u1"), 1);
        WindowSnapshot single = Assert.Single(engine.Snapshot());
        foreach (OutputRecord record in SnapshotRecords.Build(single, LogBase.Bits, DateTimeOffset.UnixEpoch))
        {
            Assert.False(JsonDocument.Parse(record.Json).RootElement.TryGetProperty("partitions", out _));
        }

        foreach (OutputRecord record in SnapshotRecords.Build(single with { Shards = 3 }, LogBase.Bits, DateTimeOffset.UnixEpoch))
        {
            Assert.Equal(3, JsonDocument.Parse(record.Json).RootElement.GetProperty("partitions").GetInt32());
        }
    }

    [Fact]
    public void Build_WithoutBudget_WritesExactTrueAndNoBrackets()
    {
        EntropyEngine engine = CreateEngine(0, All);
        foreach ((byte[] json, long t) in TwoPhases(1.0, values: 5_000, heavy: 2_000, light: 0, seed: 9))
        {
            engine.Process(json, t);
        }

        foreach (JsonElement record in Records(engine).Values)
        {
            Assert.True(record.GetProperty("exact").GetBoolean());
            Assert.DoesNotContain(record.EnumerateObject(), p => p.Name.EndsWith("Lower", StringComparison.Ordinal) || p.Name.EndsWith("Upper", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Build_Pair_WritesTheStandardErrorOfIInTheBaseAndTheUnitlessRatios()
    {
        EntropyEngine engine = CreateEngine(0, All);
        string[] countries = ["DE", "FR", "IT"];
        var events = new List<(string Country, string Id)>();
        var random = new Random(5);
        for (int i = 0; i < 600; i++)
        {
            string country = countries[random.Next(3)];
            string id = random.Next(4) == 0 ? "u" + random.Next(6) : "u" + country; // id mostly follows country
            events.Add((country, id));
            engine.Process(Event(country, id), i);
        }

        JsonElement pair = Records(engine)["all/country,id"];
        double mi = pair.GetProperty("mutualInformation").GetDouble();
        double hx = pair.GetProperty("entropyX").GetDouble();
        double hy = pair.GetProperty("entropyY").GetDouble();
        AssertClose(Naive.MutualInformationStandardError(events) / Math.Log(2), pair.GetProperty("mutualInformationStandardError").GetDouble(), 1e-9);
        AssertClose(2 * mi / (hx + hy), pair.GetProperty("symmetricUncertainty").GetDouble(), 1e-12);
        AssertClose(mi / hx, pair.GetProperty("gainRatio").GetDouble(), 1e-12);
        string[] names = [.. pair.EnumerateObject().Select(p => p.Name)];
        int exact = Array.IndexOf(names, "exact");
        Assert.Equal(["mutualInformation", "mutualInformationStandardError", "symmetricUncertainty", "gainRatio"], names[(exact - 4)..exact]);
    }

    [Fact]
    public void Build_PairOverTheBudget_WritesNullStandardErrorOfIAndRatiosOfThePointValues()
    {
        EntropyEngine engine = CreateEngine(64, All);
        foreach ((byte[] json, long t) in TwoPhases(1.0, values: 5_000, heavy: 5_000, light: 0, seed: 9))
        {
            engine.Process(json, t);
        }

        JsonElement pair = Records(engine)["all/country,id"];
        Assert.False(pair.GetProperty("exact").GetBoolean());
        Assert.Equal(JsonValueKind.Null, pair.GetProperty("mutualInformationStandardError").ValueKind);
        double mi = pair.GetProperty("mutualInformation").GetDouble();
        double hx = pair.GetProperty("entropyX").GetDouble();
        AssertClose(2 * mi / (hx + pair.GetProperty("entropyY").GetDouble()), pair.GetProperty("symmetricUncertainty").GetDouble(), 1e-12);
        AssertClose(mi / hx, pair.GetProperty("gainRatio").GetDouble(), 1e-12);
    }

    private static Dictionary<string, JsonElement> Records(EntropyEngine engine)
    {
        WindowSnapshot snapshot = Assert.Single(engine.Snapshot());
        var records = new Dictionary<string, JsonElement>();
        foreach (OutputRecord r in SnapshotRecords.Build(snapshot, LogBase.Bits, DateTimeOffset.UnixEpoch))
        {
            records[r.Key] = JsonDocument.Parse(r.Json).RootElement.Clone();
        }

        return records;
    }

    private static void AssertBracket(JsonElement record, string name)
    {
        double lower = record.GetProperty(name + "Lower").GetDouble();
        double value = record.GetProperty(name).GetDouble();
        double upper = record.GetProperty(name + "Upper").GetDouble();
        Assert.True(lower <= value && value <= upper, $"{name}: {value} outside [{lower}, {upper}]");
    }
}
