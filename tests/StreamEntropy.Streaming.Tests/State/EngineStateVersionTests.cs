using System.Buffers.Binary;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Tests.State;

/// <summary>States written by earlier builds stay readable: <c>Fixtures/engine-state-v1.bin</c> was saved by the engine
/// of format version 1 (see <see cref="V1StateFixture"/> for its configuration and events).</summary>
public class EngineStateVersionTests
{
    private static EntropyEngine Replayed(int events)
    {
        EntropyEngine engine = V1StateFixture.Create();
        for (int i = 0; i < events; i++)
        {
            (byte[] json, long t) = V1StateFixture.Event(i);
            engine.Process(json, t);
        }

        _ = engine.TakeClosed();
        return engine;
    }

    [Fact]
    public void Fixture_IsAFormatVersion1State()
    {
        byte[] bytes = File.ReadAllBytes(V1StateFixture.Path);
        Assert.Equal("SEST"u8.ToArray(), bytes[..4]);
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)));
    }

    [Fact]
    public void Restore_FormatVersion1_CountsIntact_ReferencesCapturedAfresh()
    {
        EntropyEngine restored = V1StateFixture.Create();
        using (FileStream file = File.OpenRead(V1StateFixture.Path))
        {
            restored.Restore(file);
        }

        // The same events counted by this build, saved and restored (the canonical form a restore gives).
        EntropyEngine replayed = Replayed(V1StateFixture.EventCount);
        using var state = new MemoryStream();
        replayed.Save(state);
        EntropyEngine expected = V1StateFixture.Create();
        state.Position = 0;
        expected.Restore(state);

        Assert.Equal(V1StateFixture.EventCount, restored.Processed);
        Assert.Equal(expected.WatermarkMs, restored.WatermarkMs);
        IReadOnlyList<WindowSnapshot> want = expected.Snapshot();
        IReadOnlyList<WindowSnapshot> got = restored.Snapshot();
        for (int w = 0; w < want.Count; w++)
        {
            Assert.Equal(want[w] with { Fields = [], Pairs = [] }, got[w] with { Fields = [], Pairs = [] });
            Assert.Equal(want[w].Fields, got[w].Fields);
            Assert.Equal(want[w].Pairs, got[w].Pairs);
        }

        // Format 1 saved no references: none now, and the window open at the restore (it may be the stream's first)
        // is not taken; the next complete one is.
        Assert.All(restored.DriftReferences(), r => Assert.Equal(ReferenceOrigin.Pending, r.Origin));
        for (int i = V1StateFixture.EventCount; i < V1StateFixture.EventCount + 3000; i++)
        {
            (byte[] json, long t) = V1StateFixture.Event(i);
            restored.Process(json, t);
        }

        DriftReference tumble = Assert.Single(restored.DriftReferences(), r => r.Window == "tumble");
        Assert.Equal(ReferenceOrigin.CapturedWindow, tumble.Origin);
        Assert.Equal(1_700_000_004_000, tumble.CapturedStartMs); // [3 s, 4 s) was open at the restore
        Assert.Equal(1000, tumble.Events);
    }

    [Fact]
    public void Save_WritesFormatVersion2()
    {
        using var state = new MemoryStream();
        Replayed(10).Save(state);
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(state.ToArray().AsSpan(4)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Restore_UnknownFormatVersion_ThrowsInvalidData(int version)
    {
        byte[] bytes = File.ReadAllBytes(V1StateFixture.Path);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), version);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => V1StateFixture.Create().Restore(new MemoryStream(bytes)));
        Assert.Contains($"format version {version}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(DriftScoring.MaxMinimumReferenceEvents + 1)]
    public void DriftScoring_MinimumReferenceEventsOutOfRange_Throws(long value)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DriftScoring { MinimumReferenceEvents = value }.Validate());
    }
}
