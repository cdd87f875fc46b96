using System.Text;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Tests.Engine;

/// <summary>Discovered fields and rule-formed pairs across windows, drift, save and restore.</summary>
public sealed class FieldDiscoveryStateTests
{
    private static readonly WindowDefinition[] Windows =
    [
        new("all", WindowKind.Cumulative),
        new("tumbling", WindowKind.Tumbling, TimeSpan.FromSeconds(10)),
        new("sliding", WindowKind.Sliding, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(5)),
    ];

    private static EventSchema Schema(int maxDistinct = 0) => new(
        [new FieldDefinition("country", "user.country")],
        [],
        [new DiscoveryRule(FieldPattern.Parse("*"), [FieldPattern.Parse("id")], 100, maxDistinct)],
        [new PairRule(FieldPattern.Parse("*"), FieldPattern.Parse("label"))]);

    // Features appear over time: f0..f2 from the start, the label after 50 events, f3 after 200.
    private static byte[] Event(Random rnd, int i)
    {
        var json = new StringBuilder($"{{\"id\":{i},\"user\":{{\"country\":\"C{rnd.Next(4)}\"}}");
        int label = rnd.Next(2);
        for (int f = 0; f < 3; f++)
        {
            json.Append($",\"f{f}\":\"v{(f == 0 ? label * 2 + rnd.Next(2) : rnd.Next(5))}\"");
        }

        if (i >= 50)
        {
            json.Append($",\"label\":{label}");
        }

        if (i >= 200)
        {
            json.Append($",\"f3\":{rnd.Next(3)}");
        }

        return Encoding.UTF8.GetBytes(json.Append('}').ToString());
    }

    private static EntropyEngine Create(int maxDistinct = 0) =>
        new(Schema(maxDistinct), Windows, EntropyEstimator.MaximumLikelihood, drift: new DriftSettings(AlertRule.Defaults, new DriftScoring { MinimumReferenceEvents = 50 }));

    [Fact]
    public void PairRule_TargetFoundAfterItsFeatures_PairsEveryFieldWithIt()
    {
        EntropyEngine engine = Create();
        var rnd = new Random(1);
        for (int i = 0; i < 300; i++)
        {
            engine.Process(Event(rnd, i), 1000 + (i * 100));
        }

        Assert.Equal(["country", "f0", "f1", "f2", "label", "f3"], engine.Schema.Fields.Select(f => f.Name)); // not id, not user.country
        Assert.Equal(["country,label", "f0,label", "f1,label", "f2,label", "f3,label"], engine.Schema.Pairs.Select(p => p.Key));
        WindowSnapshot all = engine.Snapshot()[0];
        PairResult f0 = Assert.Single(all.Pairs, p => p.Key == "f0,label");
        Assert.Equal(250, f0.Entropies.Count); // from the label's first event on
        Assert.Equal(Math.Log(2), f0.Entropies.MutualInformation, 1); // f0 = 2·label + noise: I = H(label) ≈ ln 2
        PairResult f3 = Assert.Single(all.Pairs, p => p.Key == "f3,label");
        Assert.Equal(100, f3.Entropies.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(64)]
    public void SaveAndRestore_MidStream_ContinuesBitForBitLikeAnUninterruptedEngine(int maxDistinct)
    {
        EntropyEngine uninterrupted = Create(maxDistinct);
        EntropyEngine first = Create(maxDistinct);
        var rnd1 = new Random(5);
        var rnd2 = new Random(5);
        var closedUninterrupted = new List<WindowSnapshot>();
        var closedRestored = new List<WindowSnapshot>();
        for (int i = 0; i < 150; i++)
        {
            uninterrupted.Process(Event(rnd1, i), 1000 + (i * 100));
            first.Process(Event(rnd2, i), 1000 + (i * 100));
        }

        closedUninterrupted.AddRange(uninterrupted.TakeClosed());
        closedRestored.AddRange(first.TakeClosed());
        using var state = new MemoryStream();
        uninterrupted.Save(new MemoryStream()); // saving re-bases sums: both engines save at the same point
        first.Save(state);
        state.Position = 0;
        EntropyEngine restored = Create(maxDistinct);
        restored.Restore(state);
        Assert.Equal(first.Schema.Fields.Select(f => f.Name), restored.Schema.Fields.Select(f => f.Name));
        Assert.Equal(first.Schema.Pairs.Select(p => p.Key), restored.Schema.Pairs.Select(p => p.Key));

        for (int i = 150; i < 400; i++)
        {
            uninterrupted.Process(Event(rnd1, i), 1000 + (i * 100));
            restored.Process(Event(rnd2, i), 1000 + (i * 100));
        }

        closedUninterrupted.AddRange(uninterrupted.TakeClosed());
        closedRestored.AddRange(restored.TakeClosed());
        Assert.NotEmpty(closedRestored);
        Assert.Equal(Describe(closedUninterrupted), Describe(closedRestored));
        Assert.Equal(Describe(uninterrupted.Snapshot()), Describe(restored.Snapshot()));
        Assert.Contains(restored.Schema.Fields, f => f.Name == "f3"); // found after the restore, at the same index
        Assert.Equal(uninterrupted.Schema.Fields.Select(f => f.Name), restored.Schema.Fields.Select(f => f.Name));
    }

    [Fact]
    public void Restore_StateOfOtherDiscoveryRules_IsRefusedAndLeavesTheEngineUnchanged()
    {
        EntropyEngine engine = Create();
        var rnd = new Random(3);
        for (int i = 0; i < 60; i++)
        {
            engine.Process(Event(rnd, i), 1000 + i);
        }

        using var state = new MemoryStream();
        engine.Save(state);
        state.Position = 0;
        var other = new EntropyEngine(
            new EventSchema([new FieldDefinition("country", "user.country")], [], [new DiscoveryRule(FieldPattern.Parse("*"), [], 100, 0)], []),
            Windows,
            EntropyEstimator.MaximumLikelihood);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => other.Restore(state));
        Assert.Contains("different configuration", e.Message, StringComparison.Ordinal);
        Assert.Single(other.Schema.Fields);
    }

    [Fact]
    public void Drift_FieldDiscoveredAfterTheReference_IsNotScoredAgainstAnEmptyReference()
    {
        EntropyEngine engine = Create();
        var rnd = new Random(9);
        var reports = new List<DriftReport>();
        for (int i = 0; i < 400; i++)
        {
            engine.Process(Event(rnd, i), 1000 + (i * 100));
            reports.AddRange(engine.TakeClosed().Select(s => s.Drift).OfType<DriftReport>());
        }

        Assert.NotEmpty(reports);
        // f3 appears at event 200 (t = 21 s), after the first complete tumbling window became the reference.
        Assert.All(reports.Where(r => r.Window == "tumbling"), r => Assert.DoesNotContain(r.Fields, f => f.Name == "f3"));
        Assert.Contains(reports, r => r.Fields.Any(f => f.Name == "f1"));
        Assert.DoesNotContain(engine.TakeAlerts(), a => a.Subject == "f3");
    }

    [Fact]
    public void Process_HostileNames_AreBoundedAndNeverCrash()
    {
        var engine = new EntropyEngine(
            new EventSchema([], [], [new DiscoveryRule(FieldPattern.Parse("*"), [], 10, 0)], []),
            [new WindowDefinition("all", WindowKind.Cumulative)],
            EntropyEstimator.MaximumLikelihood);
        string longName = new('k', 10 * 1024);
        engine.Process(Encoding.UTF8.GetBytes($"{{\"{longName}\":1,\"<script>alert(1)</script>\":\"x\",\"a\\u0000\\u001b[31m\\n\":\"y\",\"\\u00e9\\u4e2d\":\"z\",\"{{\\\"}}\":1}}"), 1);

        WindowSnapshot s = Assert.Single(engine.Snapshot());
        Assert.Equal(["<script>alert(1)</script>", "a\0\u001b[31m\n", "é中", "{\"}"], s.Fields.Select(f => f.Name));
        Assert.Equal(1, engine.DiscoveryDropped); // the 10 KB name
        Assert.Contains(engine.TakeDiscoveryNotices(), n => n.Outcome == DiscoveryOutcome.TooLong);
    }

    private static string[] Describe(IEnumerable<WindowSnapshot> snapshots) =>
        [.. snapshots.Select(s => $"{s.Window} {s.Start} {s.End} {s.Events} " +
            string.Join(' ', s.Fields.Select(f => $"{f.Name}:{f.Count}/{f.Missing}/{f.Entropy:R}")) + " " +
            string.Join(' ', s.Pairs.Select(p => $"{p.Key}:{p.Entropies.Count}/{p.Entropies.Joint:R}/{p.Entropies.MutualInformation:R}")) + " " +
            (s.Drift is null ? "" : string.Join(' ', s.Drift.Fields.Select(f => $"{f.Name}:{f.Divergences.PopulationStability:R}"))))];
}
