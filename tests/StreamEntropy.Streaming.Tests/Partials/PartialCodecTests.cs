using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Partials;
using StreamEntropy.Streaming.Windows;
using static StreamEntropy.Streaming.Tests.Engine.EngineTestKit;

namespace StreamEntropy.Streaming.Tests.Partials;

public class PartialCodecTests
{
    [Fact]
    public void WriteRead_EveryPartialOfAnEngine_RoundTrips()
    {
        EntropyEngine engine = Create([new WindowDefinition("all", WindowKind.Cumulative), new WindowDefinition("minute", WindowKind.Tumbling, TimeSpan.FromSeconds(1))]);
        engine.CapturePartials("orders", 7);
        var rnd = new Random(11);
        for (int i = 0; i < 3000; i++)
        {
            engine.Process(Event(rnd.Next(10) == 0 ? null : $"C{rnd.Next(20)}", $"D{rnd.Next(4)}", rnd.Next(20) == 0 ? "\"x\"" : $"{rnd.Next(100)}", "ok"), 1_700_000_000_000 + i);
        }

        _ = engine.Snapshot();
        IReadOnlyList<SubjectPartial> partials = engine.TakePartials();
        Assert.Contains(partials, p => p.Closed); // the tumbling windows that closed on the way
        Assert.Contains(partials, p => p.Pair is not null);
        foreach (SubjectPartial p in partials)
        {
            SubjectPartial back = PartialCodec.Read(PartialCodec.Write(p));
            Assert.Equal((p.Source, p.Shard, p.Window, p.Kind, p.Start, p.End, p.Closed, p.Events, p.Late), (back.Source, back.Shard, back.Window, back.Kind, back.Start, back.End, back.Closed, back.Events, back.Late));
            if (p.Field is { } f)
            {
                Assert.Equal((f.Name, f.Missing, f.Invalid), (back.Field!.Name, back.Field.Missing, back.Field.Invalid));
                Assert.Equal(f.Counts, back.Field.Counts);
                Assert.Equal(f.Values, back.Field.Values);
            }
            else
            {
                Assert.Equal(p.Pair!.Key, back.Pair!.Key);
                Assert.Equal(p.Pair.Counts, back.Pair.Counts);
                Assert.Equal(p.Pair.XValues, back.Pair.XValues);
                Assert.Equal(p.Pair.YValues, back.Pair.YValues);
            }
        }
    }

    [Fact]
    public void Read_TruncatedAtAnyLength_ThrowsInvalidData()
    {
        byte[] bytes = PartialCodec.Write(Sample());
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => PartialCodec.Read(bytes.AsSpan(0, length)));
        }
    }

    [Fact]
    public void Read_OtherVersionTrailingBytesOrBadCount_ThrowsWithReason()
    {
        byte[] bytes = PartialCodec.Write(Sample());
        byte[] version = [.. bytes];
        version[4] = 99;
        Assert.Contains("version 99", Assert.Throws<InvalidDataException>(() => PartialCodec.Read(version)).Message);
        Assert.Contains("unexpected bytes", Assert.Throws<InvalidDataException>(() => PartialCodec.Read([.. bytes, 0])).Message);
        byte[] zero = PartialCodec.Write(Sample() with { Field = new FieldPartial("country", 0, 0, ["DE"u8.ToArray()], [0]) });
        Assert.Contains("not positive", Assert.Throws<InvalidDataException>(() => PartialCodec.Read(zero)).Message);
        Assert.Contains("magic", Assert.Throws<InvalidDataException>(() => PartialCodec.Read("{\"json\":1}"u8)).Message);
    }

    private static SubjectPartial Sample() =>
        new("in", 2, "all", WindowKind.Cumulative, null, DateTimeOffset.FromUnixTimeMilliseconds(5000), false, 3, 0,
            new FieldPartial("country", 1, 0, ["DE"u8.ToArray(), "FR"u8.ToArray()], [2, 1]), null);
}
