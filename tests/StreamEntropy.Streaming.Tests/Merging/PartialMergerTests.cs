using CsCheck;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Merging;
using StreamEntropy.Streaming.Partials;
using StreamEntropy.Streaming.Windows;
using static StreamEntropy.Streaming.Tests.Engine.EngineTestKit;

namespace StreamEntropy.Streaming.Tests.Merging;

public class PartialMergerTests
{
    private static readonly WindowDefinition[] Counted = [.. AllKinds.Where(w => w.Kind != WindowKind.Decay)];

    [Fact]
    public void Merge_EventsSpreadOverPartitions_EqualsOneEngineOverAllEvents()
    {
        // In time order (each partition then sees no event late), every window instance merged from the partitions'
        // partials has exactly the counts of one engine that read every event: each tumbling window, closed or open,
        // and the open sliding window (merged from the partitions' panes).
        Gen.Select(Events(300), Gen.Int[1, 5].Array[300], Gen.Int[1, 4]).Sample((events, spread, partitions) =>
        {
            (byte[] Json, long T)[] ordered = [.. events.OrderBy(e => e.T)];
            EntropyEngine whole = Create(Counted);
            var parts = new EntropyEngine[partitions];
            for (int p = 0; p < partitions; p++)
            {
                parts[p] = Create(Counted);
                parts[p].CapturePartials("in", p);
            }

            var expected = new List<WindowSnapshot>();
            for (int i = 0; i < ordered.Length; i++)
            {
                whole.Process(ordered[i].Json, ordered[i].T);
                EntropyEngine part = parts[spread[i] % partitions];
                part.Process(ordered[i].Json, ordered[i].T);
                if (spread[i] == 5)
                {
                    _ = part.Snapshot(); // partials sent mid-stream are superseded by later ones of the same window or pane
                }
            }

            // Time moves on for every partition (as processing time or a later event would): each closes its windows
            // up to the last one, which stays open.
            long end = ordered[^1].T;
            whole.AdvanceTo(end);
            foreach (EntropyEngine part in parts)
            {
                part.AdvanceTo(end);
            }

            expected.AddRange(whole.TakeClosed());
            expected.AddRange(whole.Snapshot());
            var merger = new PartialMerger(Schema, EntropyEstimator.ChaoShen, Counted, instancesKept: 100_000);
            foreach (EntropyEngine part in parts)
            {
                _ = part.Snapshot();
                foreach (SubjectPartial partial in part.TakePartials())
                {
                    bool kept = merger.Accept(partial, 0);
                    Assert.True(kept || partial.Kind == WindowKind.Sliding); // a pane older than the live window is dropped
                }
            }

            Dictionary<(string, DateTimeOffset?, string), WindowSnapshot> merged = ByKey(merger.TakeChanged());
            foreach (WindowSnapshot w in expected.Where(w => w.Events > 0 && !(w.Kind == WindowKind.Sliding && w.Closed)))
            {
                foreach (FieldResult f in w.Fields)
                {
                    FieldResult actual = Assert.Single(merged[(w.Window, w.Start, f.Name)].Fields);
                    Assert.Equal((f.Count, f.Distinct, f.Missing, f.Invalid), (actual.Count, actual.Distinct, actual.Missing, actual.Invalid));
                    AssertClose(f.Entropy, actual.Entropy);
                    AssertClose(f.StandardError, actual.StandardError);
                }

                foreach (PairResult p in w.Pairs)
                {
                    PairResult actual = Assert.Single(merged[(w.Window, w.Start, p.Key)].Pairs);
                    Assert.Equal(p.DistinctPairs, actual.DistinctPairs);
                    AssertClose(p.Entropies.Joint, actual.Entropies.Joint);
                    AssertClose(p.Entropies.MutualInformation, actual.Entropies.MutualInformation);
                }

                Assert.Equal(w.Events, merged[(w.Window, w.Start, w.Fields[0].Name)].Events);
                Assert.Equal(w.Closed, merged[(w.Window, w.Start, w.Fields[0].Name)].Closed);
            }
        }, iter: 150);
    }

    [Fact]
    public void Merge_SamePartialsInAnyOrderOrTwice_BitIdentical()
    {
        List<SubjectPartial> partials = PartialsOf(4, seed: 3);
        WindowSnapshot[] first = MergeAll(partials);
        WindowSnapshot[] again = MergeAll([.. partials.AsEnumerable().Reverse(), .. partials]); // re-reading a partial counts nothing twice
        Assert.Equal(first.Length, again.Length);
        Assert.All(first, s => Assert.Equal(4, s.Shards)); // four shards merged, each counted once
        for (int i = 0; i < first.Length; i++)
        {
            Assert.Equal(first[i].Events, again[i].Events);
            Assert.Equal(first[i].Fields.Select(f => f.Entropy), again[i].Fields.Select(f => f.Entropy)); // exact equality
            Assert.Equal(first[i].Pairs.Select(p => p.Entropies.Joint), again[i].Pairs.Select(p => p.Entropies.Joint));
        }
    }

    [Fact]
    public void Accept_NewerPartialOfSameSource_ReplacesTheOlder()
    {
        EntropyEngine engine = Create([new WindowDefinition("all", WindowKind.Cumulative)]);
        engine.CapturePartials("in", 0);
        engine.Process(Event("DE", "ios", "1", "ok"), 1);
        _ = engine.Snapshot();
        engine.Process(Event("FR", "web", "1", "ok"), 2);
        _ = engine.Snapshot();
        var merger = new PartialMerger(Schema, EntropyEstimator.MaximumLikelihood);
        foreach (SubjectPartial p in engine.TakePartials())
        {
            merger.Accept(p, 0);
        }

        WindowSnapshot country = merger.TakeChanged().Single(s => s.Fields.Count == 1 && s.Fields[0].Name == "country");
        Assert.Equal(2, country.Events);
        Assert.Equal(2, country.Fields[0].Count);
        Assert.Equal(Math.Log(2), country.Fields[0].Entropy, 12);
    }

    [Fact]
    public void TakeChanged_EvictsClosedWindowsBeyondTheKept_AndLaterPartialsOfThemAreLate()
    {
        var merger = new PartialMerger(Schema, EntropyEstimator.MaximumLikelihood, instancesKept: 2);
        Assert.True(merger.Accept(Tumbling(start: 0), 0));
        Assert.True(merger.Accept(Tumbling(start: 1000), 0));
        Assert.True(merger.Accept(Tumbling(start: 2000), 0));
        WindowSnapshot[] changed = [.. merger.TakeChanged().OrderBy(s => s.Start)];
        Assert.Equal([true, true, false], changed.Select(s => s.Closed)); // the only partition has moved past 0 and 1000
        Assert.False(merger.Accept(Tumbling(start: 0), 0)); // evicted (closed, published, more than 2 held): late
        Assert.True(merger.Accept(Tumbling(start: 1000), 0)); // still held: a late update is merged
        Assert.True(Assert.Single(merger.TakeChanged()).Closed);
    }

    [Fact]
    public void TakeChanged_WindowClosesWhenEveryPartitionHasPassedIt()
    {
        var merger = new PartialMerger(Schema, EntropyEstimator.MaximumLikelihood);
        merger.Accept(Tumbling(start: 0), 0);
        Assert.False(Assert.Single(merger.TakeChanged()).Closed);
        merger.Accept(Tumbling(start: 1000) with { Shard = 1 }, 0); // shard 1 is one window further
        WindowSnapshot[] changed = [.. merger.TakeChanged()];
        Assert.False(Assert.Single(changed).Closed); // only window 1000 changed; window 0 waits for partition 0
        merger.Accept(Tumbling(start: 0) with { Events = 3, Closed = true, Field = new FieldPartial("country", 0, 0, ["DE"u8.ToArray()], [3]) }, 0);
        WindowSnapshot closed = Assert.Single(merger.TakeChanged());
        Assert.True(closed.Closed);
        Assert.Equal(3, closed.Events);
    }

    [Fact]
    public void TakeChanged_ExpectedPartitionThatSentNothing_HoldsWindowsOpenForAtMostInstancesKept()
    {
        var merger = new PartialMerger(Schema, EntropyEstimator.MaximumLikelihood, instancesKept: 2);
        merger.ExpectSources([("in", 0), ("in", 1)]);
        merger.Accept(Tumbling(start: 0), 0);
        merger.Accept(Tumbling(start: 1000), 0);
        Assert.All(merger.TakeChanged(), s => Assert.False(s.Closed)); // partition 1 (idle) has not passed window 0
        merger.Accept(Tumbling(start: 2000), 0);
        WindowSnapshot[] changed = [.. merger.TakeChanged().OrderBy(s => s.Start)];
        Assert.True(changed[0].Closed); // two later windows exist: closed without partition 1
        Assert.All(changed.Skip(1), s => Assert.False(s.Closed));
    }

    [Fact]
    public void TakeChanged_InstancesKeptOne_ClosesAsSoonAsAnyPartitionBeginsALaterWindow()
    {
        var merger = new PartialMerger(Schema, EntropyEstimator.MaximumLikelihood, instancesKept: 1);
        merger.ExpectSources([("in", 0), ("in", 1)]);
        merger.Accept(Tumbling(start: 0), 0);
        merger.Accept(Tumbling(start: 1000) with { Shard = 1 }, 0);
        WindowSnapshot[] changed = [.. merger.TakeChanged().OrderBy(s => s.Start)];
        Assert.Equal([true, false], changed.Select(s => s.Closed)); // as a single instance's largest-time watermark would
        Assert.False(merger.Accept(Tumbling(start: 0) with { Events = 5 }, 0)); // published and evicted: late
    }

    [Fact]
    public void Drop_ForgetsSubjectsOfThatSlot()
    {
        var merger = new PartialMerger(Schema, EntropyEstimator.MaximumLikelihood);
        merger.Accept(Tumbling(start: 0), 1);
        merger.Accept(Tumbling(start: 0) with { Field = new FieldPartial("device", 0, 0, ["ios"u8.ToArray()], [3]) }, 2);
        Assert.Equal(2, merger.SubjectCount);
        merger.Drop(1);
        Assert.Equal(1, merger.SubjectCount);
        Assert.Equal("device", Assert.Single(Assert.Single(merger.TakeChanged()).Fields).Name);
    }

    [Fact]
    public void Accept_UnknownFieldOrPair_Throws()
    {
        var merger = new PartialMerger(Schema, EntropyEstimator.MaximumLikelihood);
        Assert.Throws<InvalidDataException>(() => merger.Accept(Tumbling(0) with { Field = new FieldPartial("nope", 0, 0, [], []) }, 0));
        Assert.Throws<InvalidDataException>(() => merger.Accept(Tumbling(0) with { Field = null, Pair = new PairPartial("country", "status", [], [], []) }, 0));
    }

    [Fact]
    public void Current_OneSnapshotPerWindow_SubjectsInSchemaOrder()
    {
        var merger = new PartialMerger(Schema, EntropyEstimator.MaximumLikelihood);
        foreach (SubjectPartial p in PartialsOf(2, seed: 5).AsEnumerable().Reverse())
        {
            merger.Accept(p, 0);
        }

        _ = merger.TakeChanged();
        WindowSnapshot all = merger.Current().Single(w => w.Window == "all");
        Assert.Equal(Schema.Fields.Select(f => f.Name), all.Fields.Select(f => f.Name));
        Assert.Equal(Schema.Pairs.Select(p => p.Key), all.Pairs.Select(p => p.Key));
    }

    [Fact]
    public void CapturePartials_DecayWindow_Throws()
    {
        EntropyEngine engine = Create();
        Assert.Contains("'decay'", Assert.Throws<InvalidOperationException>(() => engine.CapturePartials("in", 0)).Message);
    }

    private static SubjectPartial Tumbling(long start) =>
        new("in", 0, "minute", WindowKind.Tumbling, DateTimeOffset.FromUnixTimeMilliseconds(start), DateTimeOffset.FromUnixTimeMilliseconds(start + 1000), false, 2, 0,
            new FieldPartial("country", 0, 0, ["DE"u8.ToArray(), "FR"u8.ToArray()], [1, 1]), null);

    private static List<SubjectPartial> PartialsOf(int partitions, int seed)
    {
        var rnd = new Random(seed);
        var partials = new List<SubjectPartial>();
        for (int p = 0; p < partitions; p++)
        {
            EntropyEngine engine = Create([new WindowDefinition("all", WindowKind.Cumulative)]);
            engine.CapturePartials("in", p);
            for (int i = 0; i < 200; i++)
            {
                engine.Process(Event($"C{rnd.Next(9)}", $"D{rnd.Next(3)}", $"{rnd.Next(50)}", $"S{rnd.Next(2)}"), i);
            }

            _ = engine.Snapshot();
            partials.AddRange(engine.TakePartials());
        }

        return partials;
    }

    private static WindowSnapshot[] MergeAll(IEnumerable<SubjectPartial> partials)
    {
        var merger = new PartialMerger(Schema, EntropyEstimator.Grassberger);
        foreach (SubjectPartial p in partials)
        {
            merger.Accept(p, 0);
        }

        return [.. merger.TakeChanged().OrderBy(s => s.Fields.Count > 0 ? s.Fields[0].Name : s.Pairs[0].Key, StringComparer.Ordinal)];
    }

    private static Dictionary<(string, DateTimeOffset?, string), WindowSnapshot> ByKey(IEnumerable<WindowSnapshot> snapshots) =>
        snapshots.ToDictionary(s => (s.Window, s.Start, s.Fields.Count > 0 ? s.Fields[0].Name : s.Pairs[0].Key));
}
