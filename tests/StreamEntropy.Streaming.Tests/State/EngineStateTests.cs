using CsCheck;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;
using static StreamEntropy.Streaming.Tests.Engine.EngineTestKit;

namespace StreamEntropy.Streaming.Tests.State;

public class EngineStateTests
{
    private static byte[] Save(EntropyEngine engine)
    {
        using var stream = new MemoryStream();
        engine.Save(stream);
        return stream.ToArray();
    }

    private static EntropyEngine Restored(byte[] state, IReadOnlyList<WindowDefinition>? windows = null)
    {
        EntropyEngine engine = Create(windows);
        engine.Restore(new MemoryStream(state));
        return engine;
    }

    private static EntropyEngine Run((byte[] Json, long T)[] events, int count)
    {
        EntropyEngine engine = Create();
        for (int i = 0; i < count; i++)
        {
            engine.Process(events[i].Json, events[i].T);
        }

        return engine;
    }

    private static void AssertSameSnapshots(IReadOnlyList<WindowSnapshot> expected, IReadOnlyList<WindowSnapshot> actual)
    {
        // Record equality compares every double bit for bit (NaN equals NaN).
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            WindowSnapshot e = expected[i];
            WindowSnapshot a = actual[i];
            Assert.Equal(e with { Fields = [], Pairs = [] }, a with { Fields = [], Pairs = [] });
            Assert.Equal(e.Fields, a.Fields);
            Assert.Equal(e.Pairs, a.Pairs);
        }
    }

    [Fact]
    public void SaveRestore_RandomEvents_IdenticalSnapshotsAndContinuesIdentically()
    {
        Gen.Select(Events(300), Gen.Int[0, 100]).Sample((events, cutPercent) =>
        {
            int cut = events.Length * cutPercent / 100;
            EntropyEngine original = Run(events, cut);
            original.TakeClosed();
            byte[] state = Save(original);
            EntropyEngine restored = Restored(state);

            Assert.Equal(original.Processed, restored.Processed);
            Assert.Equal(original.Rejected, restored.Rejected);
            Assert.Equal(original.WatermarkMs, restored.WatermarkMs);
            AssertSameSnapshots(original.Snapshot(), restored.Snapshot());

            for (int i = cut; i < events.Length; i++)
            {
                Assert.Equal(original.Process(events[i].Json, events[i].T), restored.Process(events[i].Json, events[i].T));
            }

            original.AdvanceTo(events[^1].T + 700);
            restored.AdvanceTo(events[^1].T + 700);
            AssertSameSnapshots(original.TakeClosed(), restored.TakeClosed());
            AssertSameSnapshots(original.Snapshot(), restored.Snapshot());
            Assert.Equal(Save(original), Save(restored));
        }, iter: 60);
    }

    [Fact]
    public void Save_DoesNotChangeCountsOrReportedMeasuresBeyondRounding()
    {
        (byte[] Json, long T)[] events = Events(300).Single(e => e.Length > 100, seed: "aPnPPfzU2vu2");
        EntropyEngine engine = Run(events, events.Length);
        IReadOnlyList<WindowSnapshot> before = engine.Snapshot();
        Save(engine);
        IReadOnlyList<WindowSnapshot> after = engine.Snapshot();
        for (int w = 0; w < before.Count; w++)
        {
            Assert.Equal(before[w].Events, after[w].Events);
            for (int f = 0; f < before[w].Fields.Count; f++)
            {
                Assert.Equal(before[w].Fields[f].Count, after[w].Fields[f].Count);
                AssertClose(before[w].Fields[f].Entropy, after[w].Fields[f].Entropy, 1e-12);
            }
        }
    }

    [Fact]
    public void Restore_EmptyEngineState_Works()
    {
        EntropyEngine restored = Restored(Save(Create()));
        Assert.Equal(long.MinValue, restored.WatermarkMs);
        Assert.All(restored.Snapshot(), s => Assert.Equal(0, s.Events));
    }

    [Fact]
    public void Restore_ReadsExactlyItsBytes()
    {
        EntropyEngine engine = Create();
        engine.Process(Event("DE", "ios", "1", "ok"), 5);
        using var stream = new MemoryStream();
        engine.Save(stream);
        long end = stream.Position;
        stream.Write([1, 2, 3]);
        stream.Position = 0;
        Create().Restore(stream);
        Assert.Equal(end, stream.Position);
    }

    public static TheoryData<string> OtherConfigurations => ["path", "binWidth", "pair", "windowSize", "windowKind", "extraWindow", "fieldName"];

    [Theory]
    [MemberData(nameof(OtherConfigurations))]
    public void Restore_DifferentConfiguration_ThrowsInvalidData(string change)
    {
        EntropyEngine engine = Create();
        engine.Process(Event("DE", "ios", "1", "ok"), 5);
        byte[] state = Save(engine);

        List<FieldDefinition> fields = [.. Schema.Fields];
        List<PairDefinition> pairs = [.. Schema.Pairs];
        List<WindowDefinition> windows = [.. AllKinds];
        switch (change)
        {
            case "path": fields[1] = fields[1] with { Path = "client.device" }; break;
            case "binWidth": fields[2] = fields[2] with { BinWidth = 5 }; break;
            case "pair": pairs.RemoveAt(1); break;
            case "windowSize": windows[1] = windows[1] with { Size = TimeSpan.FromSeconds(2) }; break;
            case "windowKind": windows[0] = new WindowDefinition("all", WindowKind.Tumbling, TimeSpan.FromSeconds(1)); break;
            case "extraWindow": windows.Add(new WindowDefinition("more", WindowKind.Cumulative)); break;
            case "fieldName": fields[3] = fields[3] with { Name = "state" }; pairs[1] = new PairDefinition("device", "state"); break;
        }

        var other = new EntropyEngine(new EventSchema(fields, pairs), windows, EntropyEstimator.ChaoShen);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => other.Restore(new MemoryStream(state)));
        Assert.Contains("different configuration", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, other.Processed);
    }

    [Fact]
    public void Restore_OtherEstimator_IsAllowed()
    {
        EntropyEngine engine = Create(estimator: EntropyEstimator.ChaoShen);
        engine.Process(Event("DE", "ios", "1", "ok"), 5);
        var other = new EntropyEngine(Schema, AllKinds, EntropyEstimator.MaximumLikelihood);
        other.Restore(new MemoryStream(Save(engine)));
        Assert.Equal(1, other.Processed);
    }

    [Fact]
    public void Restore_Truncated_ThrowsInvalidData()
    {
        EntropyEngine engine = Run(Events(100).Single(e => e.Length > 50, seed: "7Gd06gGsKXz2"), 50);
        byte[] state = Save(engine);
        foreach (int length in new[] { 0, 3, 15, 16, state.Length / 2, state.Length - 1 })
        {
            EntropyEngine target = Create();
            Assert.Throws<InvalidDataException>(() => target.Restore(new MemoryStream(state[..length])));
            Assert.Equal(long.MinValue, target.WatermarkMs);
        }
    }

    [Fact]
    public void Restore_RandomBitFlip_IsDetected()
    {
        EntropyEngine engine = Run(Events(100).Single(e => e.Length > 50, seed: "fMJqaVw8w3d2"), 80);
        byte[] state = Save(engine);
        Gen.Select(Gen.Int[0, state.Length - 1], Gen.Int[0, 7]).Sample((position, bit) =>
        {
            byte[] corrupt = (byte[])state.Clone();
            corrupt[position] ^= (byte)(1 << bit);
            EntropyEngine target = Create();
            Assert.Throws<InvalidDataException>(() => target.Restore(new MemoryStream(corrupt)));
            Assert.Equal(0, target.Processed);
        }, iter: 300);
    }

    [Fact]
    public void Restore_IntoUsedEngine_ThrowsInvalidOperation()
    {
        byte[] state = Save(Create());
        EntropyEngine used = Create();
        used.AdvanceTo(1);
        Assert.Throws<InvalidOperationException>(() => used.Restore(new MemoryStream(state)));
    }
}
