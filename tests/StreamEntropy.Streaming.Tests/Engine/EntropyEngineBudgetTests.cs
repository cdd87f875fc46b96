using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.State;
using StreamEntropy.Streaming.Windows;
using static StreamEntropy.Streaming.Tests.Engine.BudgetTestKit;

namespace StreamEntropy.Streaming.Tests.Engine;

/// <summary>The engine with a MaxDistinct budget: exact within it, certified brackets beyond, in every counted window kind.</summary>
public class EntropyEngineBudgetTests
{
    private const int Budget = 256;

    [Fact]
    public void Process_WithinTheBudget_EqualsTheUnboundedEngineAndInternsNothing()
    {
        (byte[] Json, long T)[] events = TwoPhases(1.0, values: 30, heavy: 3_000, light: 2_000, seed: 1); // ≤ 7 × 30 pairs
        EntropyEngine bounded = CreateEngine(Budget);
        (List<WindowSnapshot> exact, List<WindowSnapshot> actual) = Run(CreateEngine(0), bounded, events, 31_000);

        Assert.Equal(exact.Count, actual.Count);
        Assert.True(actual.Count > 10);
        for (int i = 0; i < exact.Count; i++)
        {
            Assert.Equal(0, AssertAgrees(exact[i], actual[i]));
            Assert.All(actual[i].Fields, f => Assert.True(f.IsExact));
        }

        Assert.Equal(0, bounded.Encoder.Values[1].Count); // the bounded field is keyed by hash, never interned
        Assert.Equal(0, bounded.Encoder.Pairs[0].Count);
        Assert.Equal(7, bounded.Encoder.Values[0].Count);
    }

    [Theory]
    [InlineData(0.8)]
    [InlineData(1.0)]
    [InlineData(1.2)]
    [InlineData(1.5)]
    public void Process_OverTheBudget_BracketsContainTheExactPlugInInEveryWindowKind(double exponent)
    {
        (byte[] Json, long T)[] events = TwoPhases(exponent, values: 20_000, heavy: 20_000, light: 4_000, seed: (int)(exponent * 10));
        (List<WindowSnapshot> exact, List<WindowSnapshot> actual) = Run(CreateEngine(0), CreateEngine(Budget), events, 31_000);

        Assert.Equal(exact.Count, actual.Count);
        var inexactByWindow = new Dictionary<string, int>();
        for (int i = 0; i < exact.Count; i++)
        {
            inexactByWindow[actual[i].Window] = inexactByWindow.GetValueOrDefault(actual[i].Window) + AssertAgrees(exact[i], actual[i]);
        }

        // Every window kind went over the budget somewhere, so the brackets were really exercised.
        Assert.All(CountedWindows, w => Assert.True(inexactByWindow.GetValueOrDefault(w.Name) > 0, w.Name));
    }

    [Fact]
    public void Tumbling_AfterAWindowOverTheBudget_NextWindowIsExactAgain()
    {
        (byte[] Json, long T)[] events = TwoPhases(1.0, values: 20_000, heavy: 10_000, light: 2_000, seed: 3);
        WindowDefinition[] tumbling = [new("10s", WindowKind.Tumbling, TimeSpan.FromSeconds(10))];
        (List<WindowSnapshot> exact, List<WindowSnapshot> actual) = Run(CreateEngine(0, tumbling), CreateEngine(Budget, tumbling), events, 30_000);

        Assert.Equal(4, actual.Count); // [0, 10 s), [10 s, 20 s), [20 s, 30 s) closed; [30 s, 40 s) current and empty
        Assert.False(actual[0].Fields[1].IsExact);
        Assert.False(actual[0].Pairs[0].IsExact);
        Assert.All(actual.Skip(1), s => Assert.True(s.Fields[1].IsExact && s.Pairs[0].IsExact));
        Assert.True(actual[1].Fields[1].Count > 0);
        for (int i = 0; i < exact.Count; i++)
        {
            AssertAgrees(exact[i], actual[i]);
        }
    }

    [Fact]
    public void Sliding_WhenTheBusyPanesExpire_RetractsThemAndIsExactAgain()
    {
        (byte[] Json, long T)[] events = TwoPhases(1.0, values: 20_000, heavy: 10_000, light: 3_000, seed: 4);
        WindowDefinition[] sliding = [new("6s", WindowKind.Sliding, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(2))];
        (List<WindowSnapshot> exact, List<WindowSnapshot> actual) = Run(CreateEngine(0, sliding), CreateEngine(Budget, sliding), events, 30_000);

        Assert.Equal(exact.Count, actual.Count);
        for (int i = 0; i < exact.Count; i++)
        {
            AssertAgrees(exact[i], actual[i]);
            bool coversPhaseA = actual[i].Start < DateTimeOffset.FromUnixTimeMilliseconds(10_000);
            Assert.Equal(!coversPhaseA, actual[i].Fields[1].IsExact); // 10 000 Zipf events over 20 000 values exceed 256 in any 2 s
            Assert.Equal(!coversPhaseA, actual[i].Pairs[0].IsExact);
        }

        Assert.Contains(actual, s => s.Closed && s.Fields[1].IsExact && s.Start >= DateTimeOffset.FromUnixTimeMilliseconds(10_000));
    }

    [Fact]
    public void SaveRestore_OverTheBudget_IdenticalSnapshotsAndContinuesIdentically()
    {
        (byte[] Json, long T)[] events = TwoPhases(1.1, values: 20_000, heavy: 12_000, light: 3_000, seed: 5);
        foreach (int cut in new[] { 300, 7_000, 12_500 })
        {
            EntropyEngine original = CreateEngine(Budget);
            for (int i = 0; i < cut; i++)
            {
                original.Process(events[i].Json, events[i].T);
            }

            original.TakeClosed();
            byte[] state = Save(original);
            EntropyEngine restored = CreateEngine(Budget);
            restored.Restore(new MemoryStream(state));

            Assert.Equal(original.Snapshot(), restored.Snapshot(), SnapshotComparer.Instance);
            for (int i = cut; i < events.Length; i++)
            {
                original.Process(events[i].Json, events[i].T);
                restored.Process(events[i].Json, events[i].T);
            }

            original.AdvanceTo(31_000);
            restored.AdvanceTo(31_000);
            IReadOnlyList<WindowSnapshot> closed = original.TakeClosed();
            Assert.Contains(closed, s => s.Fields.Any(f => !f.IsExact));
            Assert.Equal(closed, restored.TakeClosed(), SnapshotComparer.Instance);
            Assert.Equal(original.Snapshot(), restored.Snapshot(), SnapshotComparer.Instance);
            Assert.Equal(Save(original), Save(restored));
        }
    }

    [Fact]
    public void Drift_BoundedFieldIsScoredAsBracketsAndBoundedPairIsLeftOut()
    {
        WindowDefinition[] tumbling = [new("10s", WindowKind.Tumbling, TimeSpan.FromSeconds(10))];
        var engine = new EntropyEngine(Schema(Budget), tumbling, EntropyEstimator.MaximumLikelihood, drift: new DriftSettings(AlertRule.Defaults));
        foreach ((byte[] json, long t) in TwoPhases(1.0, values: 20_000, heavy: 10_000, light: 4_000, seed: 6))
        {
            engine.Process(json, t);
        }

        engine.AdvanceTo(30_000);
        IReadOnlyList<WindowSnapshot> closed = engine.TakeClosed();
        Assert.Equal(3, closed.Count);
        Assert.Null(closed[0].Drift); // the first window is the reference
        foreach (WindowSnapshot s in closed.Skip(1))
        {
            // The reference went over the budget: the bounded field is scored as certified brackets only.
            Assert.Equal(["country", "id"], s.Drift!.Fields.Select(f => f.Name));
            FieldDrift id = s.Drift.Fields[1];
            Assert.True(id.Bounds is { } b && b.JensenShannonLower <= b.JensenShannonUpper && b.TotalVariationLower > 0.3);
            Assert.True(double.IsNaN(id.Divergences.PopulationStability));
            Assert.Empty(s.Drift.Pairs);
        }

        Assert.Equal(0, engine.Encoder.Values[1].Count); // the reference did not intern the bounded field either
    }

    [Fact]
    public void Restore_StateSavedWithAnotherBudget_ThrowsInvalidDataExceptionNamingIt()
    {
        EntropyEngine original = CreateEngine(Budget);
        original.Process(Event("C1", "u1"), 5);
        byte[] state = Save(original);

        InvalidDataException e = Assert.Throws<InvalidDataException>(() => CreateEngine(512).Restore(new MemoryStream(state)));
        Assert.Contains("maxDistinct=256", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => CreateEngine(0).Restore(new MemoryStream(state)));
    }

    [Fact]
    public void Restore_CorruptBoundedCountsUnderAValidChecksum_ThrowsInvalidDataException()
    {
        EntropyEngine original = CreateEngine(Budget);
        foreach ((byte[] json, long t) in TwoPhases(1.0, values: 20_000, heavy: 3_000, light: 0, seed: 8))
        {
            original.Process(json, t);
        }

        // The payload ends with the last window's last pane's pair marginal Y: a count in exact mode, a heap slot in a
        // summary. All-ones makes the first negative and the second out of range; the envelope is re-hashed so that only
        // the counts' own validation can catch it.
        byte[] payload = StateEnvelope.Read(new MemoryStream(Save(original))).ToArray();
        payload.AsSpan(payload.Length - 4).Fill(0xFF);
        var corrupt = new MemoryStream();
        StateEnvelope.Write(corrupt, payload);
        corrupt.Position = 0;

        InvalidDataException e = Assert.Throws<InvalidDataException>(() => CreateEngine(Budget).Restore(corrupt));
        Assert.Contains("corrupt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_BudgetWithDecayWindowOrBiasCorrectedEstimator_Throws()
    {
        ArgumentException decay = Assert.Throws<ArgumentException>(() =>
            new EntropyEngine(Schema(Budget), [new WindowDefinition("d", WindowKind.Decay, HalfLife: TimeSpan.FromSeconds(1))], EntropyEstimator.MaximumLikelihood));
        Assert.Contains("decay", decay.Message, StringComparison.OrdinalIgnoreCase);

        ArgumentException estimator = Assert.Throws<ArgumentException>(() => new EntropyEngine(Schema(Budget), CountedWindows, EntropyEstimator.MillerMadow));
        Assert.Contains("ml", estimator.Message, StringComparison.Ordinal);

        _ = new EntropyEngine(Schema(0), CountedWindows, EntropyEstimator.MillerMadow); // without a budget, any estimator
    }

    [Fact]
    public void Schema_BudgetOutOfRange_Throws()
    {
        Assert.Throws<ArgumentException>(() => Schema(15));
        Assert.Throws<ArgumentException>(() => Schema((1 << 24) + 1));
        Assert.Equal(16, Schema(16).PairMaxDistinct(0));
    }

    private static byte[] Save(EntropyEngine engine)
    {
        using var stream = new MemoryStream();
        engine.Save(stream);
        return stream.ToArray();
    }

    /// <summary>Record equality of snapshots, their field and pair lists included (every double bit for bit).</summary>
    private sealed class SnapshotComparer : IEqualityComparer<WindowSnapshot>
    {
        public static readonly SnapshotComparer Instance = new();

        public bool Equals(WindowSnapshot? x, WindowSnapshot? y) =>
            x is not null && y is not null
            && (x with { Fields = [], Pairs = [] }).Equals(y with { Fields = [], Pairs = [] })
            && x.Fields.SequenceEqual(y.Fields)
            && x.Pairs.SequenceEqual(y.Pairs);

        public int GetHashCode(WindowSnapshot obj) => obj.Window.GetHashCode(StringComparison.Ordinal);
    }
}
