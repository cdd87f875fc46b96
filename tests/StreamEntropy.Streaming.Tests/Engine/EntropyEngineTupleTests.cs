using System.Text;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Merging;
using StreamEntropy.Streaming.Partials;
using StreamEntropy.Streaming.Windows;
using static StreamEntropy.Streaming.Tests.Engine.TupleKit;
using static StreamEntropy.TestSupport.NumericAssertions;

namespace StreamEntropy.Streaming.Tests.Engine;

/// <summary>Conditioning on several fields: a tuple field's pairs give H(Y | X₁, X₂) and I(X₁, X₂; Y) equal to a recount,
/// through every path counts take (windows, checkpoints, partial merges, budgets).</summary>
public sealed class EntropyEngineTupleTests
{
    private static readonly WindowDefinition[] Cumulative = [new("all", WindowKind.Cumulative)];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Process_TuplePairs_EqualARecountOfTriplesAndPairs(int seed)
    {
        Row[] rows = Rows(3_000, seed);
        var engine = new EntropyEngine(Schema(), Cumulative, EntropyEstimator.MaximumLikelihood);
        foreach (Row r in rows)
        {
            Assert.Equal(Streaming.Decoding.DecodeError.None, engine.Process(r.Json(), 1));
        }

        WindowSnapshot all = Assert.Single(engine.Snapshot());
        AssertPair(Recount(rows, CountryDevice), all.Pairs[0]);
        AssertPair(Recount(rows, CountryAmount), all.Pairs[1]);
        Assert.Equal("country+device", all.Pairs[0].X);

        // The tuple field itself: H(X₁, X₂), with the events missing or invalid for it.
        FieldResult countryDevice = all.Fields[4];
        Assert.Equal(rows.Count(r => CountryDevice(r) is not null), countryDevice.Count);
        Assert.Equal(rows.Count(r => CountryDevice(r) is null), countryDevice.Missing);
        Assert.Equal(0, countryDevice.Invalid);
        Assert.Equal(rows.Select(CountryDevice).Where(k => k is not null).Distinct().Count(), countryDevice.Distinct);
        AssertClose(TestSupport.Naive.PlugIn(TestSupport.Naive.Count(rows.Select(CountryDevice).Where(k => k is not null).Select(k => k!.Value)).Values), countryDevice.Entropy);
        FieldResult countryAmount = all.Fields[5];
        Assert.Equal(rows.Count(r => r.Country is null || r.Amount is null), countryAmount.Missing);
        Assert.Equal(rows.Count(r => r.Country is not null && r.Amount is double a && double.IsNaN(a)), countryAmount.Invalid);
        Assert.Equal(rows.Count(r => r.Country is null || r.Device is null), engine.MissingTotal(4));
    }

    [Fact]
    public void Process_LabelIsXorOfTwoFields_EachAloneTellsNothing_TogetherTheyTellAll()
    {
        var schema = new EventSchema(
            [new FieldDefinition("x1", "x1"), new FieldDefinition("x2", "x2"), new FieldDefinition("y", "y"), FieldDefinition.Tuple(["x1", "x2"])],
            [new PairDefinition("x1", "y"), new PairDefinition("x2", "y"), new PairDefinition("x1+x2", "y")]);
        var engine = new EntropyEngine(schema, Cumulative, EntropyEstimator.MaximumLikelihood);
        for (int i = 0; i < 400; i++)
        {
            int x1 = i & 1;
            int x2 = (i >> 1) & 1; // the four (x1, x2) equally often: uniform independent bits
            engine.Process(Encoding.UTF8.GetBytes($"{{\"x1\":{x1},\"x2\":{x2},\"y\":{x1 ^ x2}}}"), 1);
        }

        IReadOnlyList<PairResult> pairs = Assert.Single(engine.Snapshot()).Pairs;
        AssertClose(0, pairs[0].Entropies.MutualInformation, 1e-12);
        AssertClose(0, pairs[1].Entropies.MutualInformation, 1e-12);
        AssertClose(Math.Log(2), pairs[2].Entropies.MutualInformation, 1e-12);
        AssertClose(0, pairs[2].Entropies.ConditionalYGivenX, 1e-12);
        AssertClose(Math.Log(4), pairs[2].Entropies.X, 1e-12);
    }

    [Fact]
    public void SaveRestore_TupleConfiguration_RestoresExactCountsAndContinuesBitIdentically()
    {
        Row[] rows = Rows(2_000, seed: 7);
        EntropyEngine original = new(Schema(), EngineTestKit.AllKinds, EntropyEstimator.ChaoShen);
        for (int i = 0; i < 1_000; i++)
        {
            original.Process(rows[i].Json(), i);
        }

        _ = original.TakeClosed();
        using var state = new MemoryStream();
        original.Save(state);
        EntropyEngine restored = new(Schema(), EngineTestKit.AllKinds, EntropyEstimator.ChaoShen);
        state.Position = 0;
        restored.Restore(state);

        Assert.Equal(original.Encoder.Values[4].Count, restored.Encoder.Values[4].Count);
        for (int i = 1_000; i < rows.Length; i++)
        {
            original.Process(rows[i].Json(), i);
            restored.Process(rows[i].Json(), i);
        }

        WindowSnapshot[] expected = [.. original.TakeClosed(), .. original.Snapshot()];
        WindowSnapshot[] actual = [.. restored.TakeClosed(), .. restored.Snapshot()];
        Assert.Equal(expected.Length, actual.Length);
        for (int w = 0; w < expected.Length; w++)
        {
            Assert.Equal(expected[w].Fields, actual[w].Fields); // records: every count and entropy bit-identical
            Assert.Equal(expected[w].Pairs.Select(p => p.Entropies), actual[w].Pairs.Select(p => p.Entropies));
        }

        // The restored cumulative window still equals a recount of every event.
        AssertPair(Recount(rows, CountryDevice), actual.Single(s => s.Window == "all").Pairs[0], EntropyEstimator.ChaoShen);
    }

    [Fact]
    public void Restore_StateOfATupleWithOtherComponents_IsRefusedNamingTheTuple()
    {
        var saved = new EntropyEngine(Schema(), Cumulative, EntropyEstimator.MaximumLikelihood);
        saved.Process(Rows(1, 1)[0].Json(), 1);
        using var state = new MemoryStream();
        saved.Save(state);
        var other = new EventSchema(
            [.. Schema().Fields.Take(4), new FieldDefinition("country+device", "", Components: ["device", "country"]), FieldDefinition.Tuple(["country", "amount"])],
            Schema().Pairs);
        var engine = new EntropyEngine(other, Cumulative, EntropyEstimator.MaximumLikelihood);
        state.Position = 0;

        InvalidDataException e = Assert.Throws<InvalidDataException>(() => engine.Restore(state));
        Assert.Contains("""'field country+device tuple=["country","device"]'""", e.Message, StringComparison.Ordinal);
        Assert.Contains("""'field country+device tuple=["device","country"]'""", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_TwoShards_EqualsOneEngineOverAllEvents()
    {
        Row[] rows = Rows(3_000, seed: 11);
        WindowDefinition[] windows = [new("all", WindowKind.Cumulative), new("1s", WindowKind.Tumbling, TimeSpan.FromSeconds(1))];
        var whole = new EntropyEngine(Schema(), windows, EntropyEstimator.MaximumLikelihood);
        EntropyEngine[] shards = [new(Schema(), windows, EntropyEstimator.MaximumLikelihood), new(Schema(), windows, EntropyEstimator.MaximumLikelihood)];
        shards[0].CapturePartials("in", 0);
        shards[1].CapturePartials("in", 1);
        for (int i = 0; i < rows.Length; i++)
        {
            whole.Process(rows[i].Json(), i);
            shards[(i * 7) % 3 == 0 ? 0 : 1].Process(rows[i].Json(), i); // the shards see different values first
        }

        var merger = new PartialMerger(Schema(), EntropyEstimator.MaximumLikelihood, windows, instancesKept: 100);
        foreach (EntropyEngine shard in shards)
        {
            shard.AdvanceTo(rows.Length);
            _ = shard.Snapshot();
            foreach (SubjectPartial partial in shard.TakePartials())
            {
                merger.Accept(partial, 0);
            }
        }

        whole.AdvanceTo(rows.Length);
        WindowSnapshot[] expected = [.. whole.TakeClosed(), .. whole.Snapshot()];
        IReadOnlyList<WindowSnapshot> merged = merger.TakeChanged();
        int compared = 0;
        foreach (WindowSnapshot w in expected)
        {
            for (int p = 0; p < w.Pairs.Count; p++)
            {
                PairResult actual = Assert.Single(merged.Single(s => s.Window == w.Window && s.Start == w.Start && s.Pairs.Count == 1 && s.Pairs[0].Key == w.Pairs[p].Key).Pairs);
                Assert.Equal(w.Pairs[p].DistinctPairs, actual.DistinctPairs);
                AssertClose(w.Pairs[p].Entropies.Joint, actual.Entropies.Joint);
                AssertClose(w.Pairs[p].Entropies.X, actual.Entropies.X);
                AssertClose(w.Pairs[p].Entropies.MutualInformation, actual.Entropies.MutualInformation);
                compared++;
            }

            FieldResult tuple = Assert.Single(merged.Single(s => s.Window == w.Window && s.Start == w.Start && s.Fields.Count == 1 && s.Fields[0].Name == "country+device").Fields);
            Assert.Equal((w.Fields[4].Count, w.Fields[4].Distinct, w.Fields[4].Missing), (tuple.Count, tuple.Distinct, tuple.Missing));
        }

        Assert.True(compared >= 9, $"{compared} pairs compared");
    }

    [Fact]
    public void Process_TupleWithABoundedComponent_IsBounded_AndItsBracketsContainTheExactValues()
    {
        Row[] rows = Rows(4_000, seed: 5, devices: 400); // far more (country, device) values than the budget
        var exact = new EntropyEngine(Schema(), Cumulative, EntropyEstimator.MaximumLikelihood);
        var bounded = new EntropyEngine(Schema(deviceBudget: 16), Cumulative, EntropyEstimator.MaximumLikelihood);
        foreach (Row r in rows)
        {
            exact.Process(r.Json(), 1);
            bounded.Process(r.Json(), 1);
        }

        Assert.Equal(16, bounded.Schema.Fields[4].MaxDistinct);
        Assert.Equal(0, bounded.Schema.Fields[5].MaxDistinct); // country+amount has no bounded component
        Assert.Equal(0, bounded.Encoder.Values[4].Count); // keyed by hash, never interned
        PairResult expected = Assert.Single(exact.Snapshot()).Pairs[0];
        PairResult actual = Assert.Single(bounded.Snapshot()).Pairs[0];
        Core.Sketches.PairEntropyBrackets brackets = Assert.NotNull(actual.Brackets);
        Assert.True(brackets.Joint.Contains(expected.Entropies.Joint), $"{brackets.Joint} ∌ {expected.Entropies.Joint}");
        Assert.True(brackets.ConditionalYGivenX.Contains(expected.Entropies.ConditionalYGivenX));
        Assert.True(brackets.MutualInformation.Contains(expected.Entropies.MutualInformation));
        Assert.True(brackets.X.Contains(expected.Entropies.X));
        Assert.True(Assert.Single(bounded.Snapshot()).Pairs[1].IsExact);
    }

    [Fact]
    public void Process_KnownValues_ComposesTuplesWithoutAllocatingPerEvent()
    {
        // Cumulative and tumbling windows (a closing window allocates its snapshot, so all events share one time).
        var engine = new EntropyEngine(Schema(), [new("all", WindowKind.Cumulative), new("1m", WindowKind.Tumbling, TimeSpan.FromMinutes(1))], EntropyEstimator.MaximumLikelihood);
        byte[][] events = [.. Rows(200, seed: 9).Select(r => r.Json())];
        foreach (byte[] e in events)
        {
            engine.Process(e, 1); // warm-up: every value, tuple text and pair seen once
        }

        // The runtime's tiered compilation allocates a few tens of KB on this thread now and then, whatever the engine
        // does; one allocation per event (24 bytes at least) would be 2.4 MB here.
        const int Rounds = 500;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int round = 0; round < Rounds; round++)
        {
            foreach (byte[] e in events)
            {
                engine.Process(e, 1);
            }
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < Rounds * events.Length * 4, $"{allocated} bytes allocated for {Rounds * events.Length} events");
        Assert.Equal((Rounds + 1) * events.Length, engine.Processed);
    }

    private static void AssertPair((double X, double Y, double Joint, long Count) expected, PairResult actual, EntropyEstimator estimator = EntropyEstimator.MaximumLikelihood)
    {
        Assert.Equal(expected.Count, actual.Entropies.Count);
        if (estimator != EntropyEstimator.MaximumLikelihood)
        {
            return; // the recount is of the plug-in values; other estimators are checked against the engine itself
        }

        AssertClose(expected.X, actual.Entropies.X, "H(X1,X2)");
        AssertClose(expected.Y, actual.Entropies.Y, "H(Y)");
        AssertClose(expected.Joint, actual.Entropies.Joint, "H(X1,X2,Y)");
        AssertClose(expected.Joint - expected.X, actual.Entropies.ConditionalYGivenX, "H(Y|X1,X2)");
        AssertClose(expected.X + expected.Y - expected.Joint, actual.Entropies.MutualInformation, "I(X1,X2;Y)");
    }
}
