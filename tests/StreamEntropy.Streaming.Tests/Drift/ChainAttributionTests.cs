using System.Globalization;
using System.Text;
using CsCheck;
using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Merging;
using StreamEntropy.Streaming.Partials;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Tests.Drift;

/// <summary>The chain-rule split of a pair's drift, ΔH(X,Y) = ΔH(X) + ΔH(Y|X), and its verdict: on random tables, on
/// hand-made parts, and through the engine's closed windows (single instance and Group mode) for a pair whose inputs
/// shift, one whose relation changes and one that stays put.</summary>
public class ChainAttributionTests
{
    // From the middle of a second: the first window is partial, so a single engine and the Group-mode merge (which
    // never takes a subject's first closed window) both take the next one as the reference.
    private const long Origin = 1_700_000_000_500;
    private const int PerSecond = 4_000;

    // (a, b): a's distribution shifts from second 4 on, b given a stays the same. (c, d): c stays uniform, d stops
    // following c. (e, f): nothing changes.
    private static readonly EventSchema Schema = new(
        [new("a", "a"), new("b", "b"), new("c", "c"), new("d", "d"), new("e", "e"), new("f", "f")],
        [new("a", "b"), new("c", "d"), new("e", "f")]);

    private static readonly WindowDefinition[] Windows = [new("second", WindowKind.Tumbling, TimeSpan.FromSeconds(1))];

    [Fact]
    public void Pair_RandomTables_PartsAddUpToTheJointChange()
    {
        Gen.Select(RandomPairTables.Cells, RandomPairTables.Cells, Gen.Int[0, 1]).Sample((cur, refe, mm) =>
        {
            EntropyEstimator estimator = mm == 1 ? EntropyEstimator.MillerMadow : EntropyEstimator.MaximumLikelihood;
            (PairCountTable c, PairCountTable r, ValueInterner values) = RandomPairTables.Build(cur, refe);
            PairDrift d = DriftCalculator.Pair("x", "y", c, r, values, estimator);
            ChainAttribution chain = d.Chain!;

            Assert.Equal(chain.JointChange, chain.InputChange + chain.RelationChange, 1e-12);
            Assert.Equal(d.Joint.EntropyChange, chain.JointChange); // the joint drift's own number
            Assert.Equal(d.ConditionalEntropyChange, chain.RelationChange); // the existing ΔH(Y|X), bit for bit
            double input = EntropyEstimators.Entropy(c.X, estimator) - EntropyEstimators.Entropy(r.X, estimator);
            Assert.Equal(input, chain.InputChange); // over the pair's own X marginal, by the same estimator

            double share = chain.InputsShare;
            if (chain.InputChange == 0 && chain.RelationChange == 0)
            {
                Assert.True(double.IsNaN(share));
            }
            else
            {
                Assert.InRange(share, 0, 1);
                Assert.Equal(Math.Abs(chain.InputChange) / (Math.Abs(chain.InputChange) + Math.Abs(chain.RelationChange)), share, 12);
            }

            Assert.True(chain.NoiseFloor >= ChainAttribution.MinimumChange);
            bool moved = Math.Abs(chain.InputChange) > chain.NoiseFloor || Math.Abs(chain.RelationChange) > chain.NoiseFloor;
            Assert.Equal(moved, chain.Verdict != ChainAttribution.None);
        });
    }

    [Theory]
    [InlineData(0.5, 0.5, 0.0, 0.01, "inputs")] // the inputs alone
    [InlineData(0.5, 0.4, 0.1, 0.01, "inputs")] // 80 % of the movement
    [InlineData(0.5, 0.3, 0.2, 0.01, "both")] // 60 %
    [InlineData(-0.5, -0.1, -0.4, 0.01, "relation")] // 20 %
    [InlineData(0.0, 0.3, -0.3, 0.01, "both")] // the parts cancel: the joint entropy stays, the pair changed
    [InlineData(0.1, 0.02, 0.08, 0.03, "relation")] // the inputs' 0.02 is under the floor, whatever its share
    [InlineData(0.04, 0.035, 0.005, 0.01, "inputs")]
    [InlineData(0.008, 0.005, 0.003, 0.01, "none")] // both under the floor
    [InlineData(0.0, 0.0, 0.0, 0.01, "none")]
    [InlineData(double.NaN, double.NaN, double.NaN, double.NaN, null)] // an empty side
    public void Verdict_FollowsTheDocumentedRule(double joint, double input, double relation, double floor, string? expected)
    {
        Assert.Equal(expected, new ChainAttribution(joint, input, relation, floor).Verdict);
    }

    [Fact]
    public void NoiseFloor_IsThreeStandardErrorsOfBothParts_AtLeastTheMinimum()
    {
        Assert.Equal(3 * (Math.Sqrt((0.03 * 0.03) + (0.04 * 0.04)) + Math.Sqrt((0.06 * 0.06) + (0.08 * 0.08))), ChainAttribution.NoiseFloorOf(0.03, 0.04, 0.06, 0.08), 12);
        Assert.Equal(ChainAttribution.MinimumChange, ChainAttribution.NoiseFloorOf(0, 0, 0, 0)); // uniform distributions
        Assert.True(double.IsNaN(ChainAttribution.NoiseFloorOf(double.NaN, 0.01, 0.01, 0.01)));
    }

    [Fact]
    public void EngineClosedWindows_InputsShift_VerdictIsInputs()
    {
        PairDrift pair = Scenario().Single(p => p.X == "a");
        Assert.True(pair.Chain!.InputChange < -0.3, $"ΔH(a) = {pair.Chain.InputChange}");
        Assert.True(Math.Abs(pair.Chain.RelationChange) < pair.Chain.NoiseFloor, $"ΔH(b|a) = {pair.Chain.RelationChange}, floor {pair.Chain.NoiseFloor}");
        Assert.Equal(ChainAttribution.Inputs, pair.Chain.Verdict);
    }

    [Fact]
    public void EngineClosedWindows_RelationChanges_VerdictIsRelation()
    {
        PairDrift pair = Scenario().Single(p => p.X == "c");
        Assert.True(pair.Chain!.RelationChange > 0.5, $"ΔH(d|c) = {pair.Chain.RelationChange}");
        Assert.True(Math.Abs(pair.Chain.InputChange) < pair.Chain.NoiseFloor, $"ΔH(c) = {pair.Chain.InputChange}, floor {pair.Chain.NoiseFloor}");
        Assert.Equal(ChainAttribution.Relation, pair.Chain.Verdict);
    }

    [Fact]
    public void EngineClosedWindows_NothingChanges_VerdictIsNone()
    {
        Assert.Equal(ChainAttribution.None, Scenario().Single(p => p.X == "e").Chain!.Verdict);
    }

    [Fact]
    public void GroupMode_MergedDrift_SplitsLikeOneEngine()
    {
        var drift = new DriftSettings(AlertRule.Defaults);
        var whole = new EntropyEngine(Schema, Windows, EntropyEstimator.MaximumLikelihood, drift: drift);
        var parts = new[] { new EntropyEngine(Schema, Windows, EntropyEstimator.MaximumLikelihood), new EntropyEngine(Schema, Windows, EntropyEstimator.MaximumLikelihood) };
        for (int p = 0; p < parts.Length; p++)
        {
            parts[p].CapturePartials("in", p);
        }

        var random = new Random(5);
        var reports = new List<DriftReport>();
        foreach ((byte[] json, long t) in Events(new Random(23)))
        {
            whole.Process(json, t);
            parts[random.Next(parts.Length)].Process(json, t);
            reports.AddRange(whole.TakeClosed().Select(s => s.Drift).OfType<DriftReport>());
        }

        var merger = new PartialMerger(Schema, EntropyEstimator.MaximumLikelihood, Windows, instancesKept: 100, drift: drift);
        foreach (EntropyEngine part in parts)
        {
            _ = part.Snapshot();
            foreach (SubjectPartial partial in part.TakePartials())
            {
                merger.Accept(partial, 0);
            }
        }

        _ = merger.TakeChanged();
        DriftReport merged = Assert.Single(merger.Drift!.Reports(), r => r.Window == "second");
        DriftReport last = reports[^1];
        Assert.Equal(last.TimestampMs, merged.TimestampMs);
        Assert.Equal(["inputs", "relation", "none"], merged.Pairs.Select(p => p.Chain!.Verdict));
        for (int p = 0; p < last.Pairs.Count; p++)
        {
            ChainAttribution expected = last.Pairs[p].Chain!, actual = merged.Pairs[p].Chain!;
            Assert.Equal(expected.JointChange, actual.JointChange, 1e-9);
            Assert.Equal(expected.InputChange, actual.InputChange, 1e-9);
            Assert.Equal(expected.RelationChange, actual.RelationChange, 1e-9);
            Assert.Equal(expected.NoiseFloor, actual.NoiseFloor, 1e-9);
            Assert.Equal(expected.Verdict, actual.Verdict);
        }
    }

    // The last closed window's pair drift of the scenario, scored by the default drift settings (Miller–Madow).
    private static IReadOnlyList<PairDrift> Scenario()
    {
        var engine = new EntropyEngine(Schema, Windows, EntropyEstimator.MaximumLikelihood, drift: new DriftSettings(AlertRule.Defaults));
        var reports = new List<DriftReport>();
        foreach ((byte[] json, long t) in Events(new Random(11)))
        {
            engine.Process(json, t);
            reports.AddRange(engine.TakeClosed().Select(s => s.Drift).OfType<DriftReport>());
        }

        Assert.True(reports.Count >= 5, $"{reports.Count} scored windows"); // window 1 is the reference; 2–7 are scored
        return reports[^1].Pairs;
    }

    // Eight seconds (the last window closed, the eighth, is all changed). a: uniform over four values, from second 4 on 70 % A0; b is a with probability 0.75, else uniform
    // (so H(b|a=x) is the same for every x and the shift of a moves H(b|a) by noise only). c: uniform; d is c with
    // probability 0.9 until second 4, then uniform and independent of c. e, f: uniform and independent throughout.
    private static IEnumerable<(byte[] Json, long T)> Events(Random random)
    {
        for (int second = 0; second < 8; second++)
        {
            bool changed = second >= 4;
            for (int i = 0; i < PerSecond; i++)
            {
                int a = changed && random.NextDouble() < 0.6 ? 0 : random.Next(4);
                int b = random.NextDouble() < 0.75 ? a : random.Next(4);
                int c = random.Next(4);
                int d = !changed && random.NextDouble() < 0.9 ? c : random.Next(4);
                string json = string.Create(
                    CultureInfo.InvariantCulture,
                    $"{{\"a\":\"A{a}\",\"b\":\"B{b}\",\"c\":\"C{c}\",\"d\":\"D{d}\",\"e\":\"E{random.Next(4)}\",\"f\":\"F{random.Next(4)}\"}}");
                yield return (Encoding.UTF8.GetBytes(json), Origin + (second * 1000L) + ((long)i * 1000 / PerSecond));
            }
        }
    }
}
