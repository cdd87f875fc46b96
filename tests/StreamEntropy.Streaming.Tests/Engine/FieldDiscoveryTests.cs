using System.Text;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Profiling;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Tests.Engine;

public sealed class FieldDiscoveryTests
{
    private static readonly WindowDefinition[] Cumulative = [new("all", WindowKind.Cumulative)];

    private static EventSchema Wide(int maxFields = DiscoveryRule.DefaultMaxFields, int maxDistinct = 0, string[]? exclude = null, PairRule[]? pairRules = null, FieldDefinition[]? fields = null) =>
        new(
            fields ?? [],
            [],
            [new DiscoveryRule(FieldPattern.Parse("*"), [.. (exclude ?? []).Select(FieldPattern.Parse)], maxFields, maxDistinct)],
            pairRules ?? []);

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void Process_WideEvents_CountsEveryLeafAsFileProfilerDoes()
    {
        var rnd = new Random(11);
        var lines = new List<string>();
        var engine = new EntropyEngine(Wide(), Cumulative, EntropyEstimator.MillerMadow);
        for (int i = 0; i < 3000; i++)
        {
            string line = $"{{\"f{rnd.Next(3)}\":\"a{rnd.Next(5)}\",\"user\":{{\"country\":\"C{rnd.Next(7)}\",\"tags\":[{rnd.Next(3)},1]}},\"n\":{rnd.Next(40)},\"label\":{(rnd.Next(2) == 0 ? "true" : "false")}}}";
            lines.Add(line);
            Assert.Equal(DecodeError.None, engine.Process(Json(line), 1000 + i));
        }

        string path = Path.Combine(Path.GetTempPath(), $"discover-{Guid.NewGuid():N}.jsonl");
        try
        {
            File.WriteAllLines(path, lines);
            IReadOnlyList<string> paths = FileProfiler.DiscoverFields(path, InputFormat.JsonLines);
            var fixedSchema = new EventSchema([.. paths.Select(p => new FieldDefinition(p, p))], []);
            var profile = new FrequencySet(new EventEncoder(fixedSchema));
            FileProfiler.Count(path, InputFormat.JsonLines, profile);

            WindowSnapshot s = Assert.Single(engine.Snapshot());
            Assert.Equal(paths.Order(StringComparer.Ordinal), s.Fields.Select(f => f.Name).Order(StringComparer.Ordinal));
            foreach (FieldResult expected in ResultCalculator.Fields(profile, EntropyEstimator.MillerMadow))
            {
                FieldResult actual = Assert.Single(s.Fields, f => f.Name == expected.Name);
                Assert.Equal(expected.Count, actual.Count);
                Assert.Equal(expected.Distinct, actual.Distinct);
                Assert.Equal(expected.Entropy, actual.Entropy, 12);
                Assert.True(actual.Missing <= expected.Missing); // counted from the field's discovery on
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Process_FieldAppearingMidStream_CountsFromItsFirstEventAndMissingFromThenOn()
    {
        var engine = new EntropyEngine(Wide(), Cumulative, EntropyEstimator.MaximumLikelihood);
        engine.Process(Json("{\"a\":\"x\"}"), 1);
        engine.Process(Json("{\"a\":\"y\"}"), 2);
        engine.Process(Json("{\"a\":\"x\",\"late\":\"p\"}"), 3);
        engine.Process(Json("{\"a\":\"x\"}"), 4);
        engine.Process(Json("{\"late\":null,\"a\":\"z\"}"), 5);
        engine.Process(Json("{\"late\":\"q\"}"), 6);

        WindowSnapshot s = Assert.Single(engine.Snapshot());
        Assert.Equal(["a", "late"], s.Fields.Select(f => f.Name));
        Assert.Equal((5L, 1L), (s.Fields[0].Count, s.Fields[0].Missing));
        Assert.Equal((2L, 2L), (s.Fields[1].Count, s.Fields[1].Missing));
        Assert.Equal(6, s.Events);
        Assert.Equal(1, engine.MissingTotal(0));
        Assert.Equal(2, engine.MissingTotal(1));
        Assert.Equal(["a", "late"], engine.TakeDiscoveryNotices().Select(n => n.Path));
        Assert.Empty(engine.TakeDiscoveryNotices());
    }

    [Fact]
    public void Process_RepeatedKey_LastOccurrenceCounts()
    {
        var engine = new EntropyEngine(Wide(), Cumulative, EntropyEstimator.MaximumLikelihood);
        engine.Process(Json("{\"a\":\"first\",\"a\":\"last\"}"), 1);
        engine.Process(Json("{\"a\":\"last\"}"), 2);

        FieldResult a = Assert.Single(Assert.Single(engine.Snapshot()).Fields);
        Assert.Equal((2L, 1), (a.Count, a.Distinct));
    }

    [Fact]
    public void Process_ConfiguredAndExcludedPaths_AreNotDiscovered()
    {
        EventSchema schema = Wide(exclude: ["id", "debug.*"], fields: [new FieldDefinition("country", "user.country")]);
        var engine = new EntropyEngine(schema, Cumulative, EntropyEstimator.MaximumLikelihood);
        engine.Process(Json("{\"id\":1,\"user\":{\"country\":\"DE\",\"age\":3},\"debug\":{\"t\":1,\"u\":{\"v\":2}},\"country\":\"x\"}"), 1);

        WindowSnapshot s = Assert.Single(engine.Snapshot());
        // "country" (a leaf) has the name of the configured field that reads user.country: refused, not merged into it.
        Assert.Equal(["country", "user.age"], s.Fields.Select(f => f.Name));
        Assert.Equal(1, s.Fields[0].Count);
        Assert.Equal(1, engine.DiscoveryDropped);
        Assert.Contains(engine.TakeDiscoveryNotices(), n => n is { Path: "country", Outcome: DiscoveryOutcome.NameTaken });
    }
}
