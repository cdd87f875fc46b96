using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Partials;
using StreamEntropy.Streaming.Tests.Engine;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Tests.Partials;

/// <summary><c>Fixtures/partials-v1.bin</c> holds the partials of <see cref="FixturePartials"/> as the codec of format
/// version 1 wrote them before its source and shard were renamed from topic and partition (each an int32 length and
/// the bytes): exact and bounded fields and pairs of cumulative and tumbling windows. Partials travel between
/// instances of different builds, so the bytes must not change.</summary>
public class PartialFixtureTests
{
    private static string FixturePath => Path.Combine(AppContext.BaseDirectory, "Partials", "Fixtures", "partials-v1.bin");

    [Fact]
    public void Write_TheFixturesEngineRun_ReproducesItsBytes()
    {
        List<byte[]> fixture = ReadFixture();
        List<SubjectPartial> partials = FixturePartials();

        Assert.Equal(fixture.Count, partials.Count);
        for (int i = 0; i < partials.Count; i++)
        {
            Assert.Equal(fixture[i], PartialCodec.Write(partials[i]));
        }
    }

    [Fact]
    public void Read_Fixture_GivesItsSourceAndShardAndWritesTheSameBytes()
    {
        List<byte[]> fixture = ReadFixture();
        var partials = fixture.Select(b => PartialCodec.Read(b)).ToList();

        Assert.All(partials, p => Assert.Equal(("orders", 7), (p.Source, p.Shard)));
        Assert.Contains(partials, p => p.Field is { Summary: null });
        Assert.Contains(partials, p => p.Field is { Summary: not null });
        Assert.Contains(partials, p => p.Pair is { Summary: null });
        Assert.Contains(partials, p => p.Pair is { Summary: not null });
        Assert.Contains(partials, p => p.Kind == WindowKind.Tumbling && p.Closed);
        for (int i = 0; i < fixture.Count; i++)
        {
            Assert.Equal(fixture[i], PartialCodec.Write(partials[i]));
        }
    }

    /// <summary>Two engines (id unbounded, and bounded by 16 distinct values, which 97 ids overflow) over the same
    /// 400 events, capturing partials of shard 7 of source "orders".</summary>
    private static List<SubjectPartial> FixturePartials()
    {
        var all = new List<SubjectPartial>();
        foreach (int budget in new[] { 0, 16 })
        {
            EntropyEngine engine = BudgetTestKit.CreateEngine(budget, [new WindowDefinition("all", WindowKind.Cumulative), new WindowDefinition("tumble", WindowKind.Tumbling, TimeSpan.FromSeconds(1))]);
            engine.CapturePartials("orders", 7);
            for (int i = 0; i < 400; i++)
            {
                engine.Process(BudgetTestKit.Event($"C{i % 5}", $"id{i * 7 % 97}"), 1_700_000_000_000 + (i * 5));
            }

            _ = engine.Snapshot();
            all.AddRange(engine.TakePartials());
        }

        return all;
    }

    private static List<byte[]> ReadFixture()
    {
        using var reader = new BinaryReader(File.OpenRead(FixturePath));
        var records = new List<byte[]>();
        while (reader.BaseStream.Position < reader.BaseStream.Length)
        {
            records.Add(reader.ReadBytes(reader.ReadInt32()));
        }

        Assert.True(records.Count > 8, $"The fixture holds only {records.Count} partials.");
        return records;
    }
}
