using System.Text;
using System.Text.Json;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Output;
using StreamEntropy.Streaming.Windows;
using static StreamEntropy.Streaming.Tests.Engine.BudgetTestKit;

namespace StreamEntropy.Streaming.Tests.Output;

public class FeatureRankingTests
{
    private static readonly WindowDefinition[] All = [new("all", WindowKind.Cumulative)];

    [Fact]
    public void Rank_TargetOnEitherSide_SortsByIThenNameWithTheMatchingConditional()
    {
        // copy and twin both equal the label (the same I, bit for bit: sorted by name), noisy follows it half the time,
        // coin is independent of it, constant tells nothing; label,noisy puts the target on the X side.
        var schema = new EventSchema(
            [new("label", "label"), new("twin", "twin"), new("copy", "copy"), new("noisy", "noisy"), new("coin", "coin"), new("constant", "constant"), new("other", "other")],
            [new("coin", "label"), new("label", "noisy"), new("twin", "label"), new("copy", "label"), new("constant", "label"), new("copy", "other"), new("noisy", "label")]);
        var engine = new EntropyEngine(schema, All, EntropyEstimator.MaximumLikelihood);
        var random = new Random(3);
        var rows = new List<Dictionary<string, string>>();
        for (int i = 0; i < 3_000; i++)
        {
            string label = "L" + random.Next(3);
            var row = new Dictionary<string, string>
            {
                ["label"] = label,
                ["twin"] = "t" + label,
                ["copy"] = label,
                ["noisy"] = random.Next(2) == 0 ? label : "L" + random.Next(3),
                ["coin"] = "c" + random.Next(2),
                ["constant"] = "k",
                ["other"] = "o" + random.Next(4),
            };
            rows.Add(row);
            engine.Process(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(row)), i);
        }

        WindowSnapshot snapshot = Assert.Single(engine.Snapshot());
        IReadOnlyList<FeatureRank> ranking = FeatureRanking.Rank(snapshot, "label");

        // noisy is paired twice (label,noisy and noisy,label): listed once, from the first pair.
        Assert.Equal(["copy", "twin", "noisy", "coin", "constant"], ranking.Select(r => r.Feature));
        Assert.Equal(("label", "noisy"), (ranking[2].X, ranking[2].Y));
        Assert.Equal(ranking[0].MutualInformation, ranking[1].MutualInformation);
        Assert.Equal(0, ranking[4].MutualInformation, 1e-12);
        foreach (FeatureRank r in ranking)
        {
            List<(string, string)> events = [.. rows.Select(row => (row[r.Feature], row["label"]))];
            double hFeature = Naive.PlugIn(Naive.Count(rows.Select(row => row[r.Feature])).Values);
            double hLabel = Naive.PlugIn(Naive.Count(rows.Select(row => row["label"])).Values);
            double hJoint = Naive.PlugIn(Naive.Count(events).Values);
            double mi = Naive.MutualInformation(events);
            AssertClose(mi, r.MutualInformation, 1e-12, r.Feature);
            AssertClose(Naive.MutualInformationStandardError(events), r.MutualInformationStandardError!.Value, 1e-9, r.Feature);
            AssertClose(hJoint - hFeature, r.ConditionalTargetGivenFeature, 1e-12, r.Feature);
            AssertClose(hFeature + hLabel == 0 ? 0 : 2 * mi / (hFeature + hLabel), r.SymmetricUncertainty, 1e-12, r.Feature);
            AssertClose(hFeature == 0 ? 0 : mi / hFeature, r.GainRatio, 1e-12, r.Feature);
            Assert.Equal(3_000, r.Count);
            Assert.True(r.IsExact);
        }

        Assert.Equal(["copy"], FeatureRanking.Rank(snapshot, "other").Select(r => r.Feature));
        Assert.Empty(FeatureRanking.Rank(snapshot, "nope"));
        Assert.True(FeatureRanking.HasTarget(snapshot, "other"));
        Assert.False(FeatureRanking.HasTarget(snapshot, "nope"));
    }

    [Fact]
    public void WriteRows_PairOverTheBudget_WritesThePointEstimatesWithTheirBracketsAndNoStandardError()
    {
        EntropyEngine engine = CreateEngine(64, All);
        foreach ((byte[] json, long t) in TwoPhases(1.0, values: 5_000, heavy: 5_000, light: 0, seed: 9))
        {
            engine.Process(json, t);
        }

        WindowSnapshot snapshot = Assert.Single(engine.Snapshot());
        FeatureRank row = Assert.Single(FeatureRanking.Rank(snapshot, "country"));
        Assert.Equal("id", row.Feature);
        Assert.False(row.IsExact);
        Assert.Null(row.MutualInformationStandardError);
        Assert.True(row.MutualInformationBracket!.Value.Contains(row.MutualInformation));
        Assert.Equal(snapshot.Pairs[0].Brackets!.Value.ConditionalXGivenY, row.ConditionalBracket); // the target, country, is X

        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            FeatureRanking.WriteRows(w, "features", [row], LogBase.Bits);
            w.WriteEndObject();
        }

        JsonElement written = Assert.Single(JsonDocument.Parse(buffer.ToArray()).RootElement.GetProperty("features").EnumerateArray());
        Assert.Equal("id", written.GetProperty("feature").GetString());
        Assert.False(written.GetProperty("exact").GetBoolean());
        Assert.Equal(JsonValueKind.Null, written.GetProperty("mutualInformationStandardError").ValueKind);
        AssertClose(row.MutualInformation / Math.Log(2), written.GetProperty("mutualInformation").GetDouble(), 1e-12);
        AssertClose(row.MutualInformationBracket.Value.Lower / Math.Log(2), written.GetProperty("mutualInformationLower").GetDouble(), 1e-12);
        AssertClose(row.ConditionalBracket!.Value.Upper / Math.Log(2), written.GetProperty("conditionalTargetGivenFeatureUpper").GetDouble(), 1e-12);
    }
}
