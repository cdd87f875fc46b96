using System.Text;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Profiling;
using StreamEntropy.Streaming.Windows;
using static StreamEntropy.Streaming.Tests.Engine.TupleKit;
using static StreamEntropy.TestSupport.NumericAssertions;

namespace StreamEntropy.Streaming.Tests.Profiling;

/// <summary>Tuples in <c>profile</c>: a file gives the tuple fields and pairs the engine gives for the same events, on
/// one pass, in parallel parts and within a budget; CSV columns compose like JSON paths.</summary>
public sealed class TupleProfileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("stream-entropy-tuple-profile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Count_JsonLinesWithTuples_EqualsTheEngineOnTheSameEvents(int parts)
    {
        Row[] rows = Rows(5_000, seed: 21);
        string path = Path.Combine(_dir, "events.jsonl");
        File.WriteAllLines(path, rows.Select(r => Encoding.UTF8.GetString(r.Json())));
        var engine = new EntropyEngine(Schema(), [new WindowDefinition("all", WindowKind.Cumulative)], EntropyEstimator.ChaoShen);
        foreach (Row r in rows)
        {
            engine.Process(r.Json(), 1);
        }

        var set = new FrequencySet(new EventEncoder(Schema()));
        using ProfileInput input = ProfileInput.Open(path);
        Assert.Equal(rows.Length, FileProfiler.Count(input, InputFormat.JsonLines, set, null, null, parts, minPartBytes: 1));

        WindowSnapshot expected = Assert.Single(engine.Snapshot());
        for (int f = 0; f < expected.Fields.Count; f++)
        {
            FieldResult actual = ResultCalculator.Field(set, f, EntropyEstimator.ChaoShen);
            Assert.Equal((expected.Fields[f].Count, expected.Fields[f].Distinct, expected.Fields[f].Missing, expected.Fields[f].Invalid), (actual.Count, actual.Distinct, actual.Missing, actual.Invalid));
            AssertClose(expected.Fields[f].Entropy, actual.Entropy, 1e-12);
        }

        PairResult[] pairs = ResultCalculator.Pairs(set, EntropyEstimator.ChaoShen);
        for (int p = 0; p < pairs.Length; p++)
        {
            Assert.Equal(expected.Pairs[p].Entropies.Count, pairs[p].Entropies.Count);
            AssertClose(expected.Pairs[p].Entropies.Joint, pairs[p].Entropies.Joint, 1e-12);
            AssertClose(expected.Pairs[p].Entropies.ConditionalYGivenX, pairs[p].Entropies.ConditionalYGivenX, 1e-12);
            AssertClose(expected.Pairs[p].Entropies.MutualInformation, pairs[p].Entropies.MutualInformation, 1e-12);
        }
    }

    [Fact]
    public void Count_CsvWithTuples_ComposesColumns_AndBoundedProfileWithinItsBudgetAgrees()
    {
        // CSV cells are never missing; "a,b" + "c" and "a" + "b,c" must stay two values of the tuple.
        string path = Path.Combine(_dir, "rows.csv");
        File.WriteAllText(path, "country,device,label\n\"a,b\",c,0\na,\"b,c\",1\na,\"b,c\",1\n\"a,b\",c,0\na,z,0\n\"a,b\",y,1\n");
        var schema = new EventSchema(
            [new FieldDefinition("country", "country"), new FieldDefinition("device", "device"), new FieldDefinition("label", "label"), FieldDefinition.Tuple(["country", "device"])],
            [new PairDefinition("country+device", "label"), new PairDefinition("country", "label")]);
        var set = new FrequencySet(new EventEncoder(schema));
        Assert.Equal(6, FileProfiler.Count(path, InputFormat.Csv, set));

        FieldResult tuple = ResultCalculator.Field(set, 3, EntropyEstimator.MaximumLikelihood);
        Assert.Equal(4, tuple.Distinct);
        PairResult[] pairs = ResultCalculator.Pairs(set, EntropyEstimator.MaximumLikelihood);
        AssertClose(0, pairs[0].Entropies.ConditionalYGivenX, 1e-12); // the tuple decides the label
        Assert.True(pairs[1].Entropies.ConditionalYGivenX > 0.1); // country alone does not

        var bounded = new BoundedProfile(schema, FieldDefinition.MinMaxDistinct);
        Assert.Equal(6, FileProfiler.Count(path, InputFormat.Csv, bounded));
        BoundedPairResult boundedPair = bounded.Pairs()[0];
        Assert.True(boundedPair.IsExact);
        AssertClose(pairs[0].Entropies.MutualInformation, boundedPair.Entropies.MutualInformation.Estimate, 1e-12);
        Assert.Equal(4, bounded.Fields()[3].Distinct);
    }

    [Fact]
    public void Count_JsonLinesTupleWithInvalidComponent_IsInvalidInEveryProfile()
    {
        string path = Path.Combine(_dir, "invalid.jsonl");
        File.WriteAllText(path, "{\"c\":\"a\",\"n\":\"x\"}\n{\"c\":\"a\",\"n\":5}\n{\"n\":\"x\"}\n{\"c\":\"b\",\"n\":15}\n");
        var schema = new EventSchema(
            [new FieldDefinition("c", "c"), new FieldDefinition("n", "n", BinWidth: 10), FieldDefinition.Tuple(["c", "n"])], []);
        var set = new FrequencySet(new EventEncoder(schema));
        FileProfiler.Count(path, InputFormat.JsonLines, set);
        var bounded = new BoundedProfile(schema, FieldDefinition.MinMaxDistinct);
        FileProfiler.Count(path, InputFormat.JsonLines, bounded);

        Assert.Equal((2L, 1L, 1L), (set.Field(2).Total, set.Missing(2), set.Invalid(2)));
        Assert.Equal((2L, 1L, 1L), (bounded.Fields()[2].Count, bounded.Missing(2), bounded.Invalid(2)));
    }
}
