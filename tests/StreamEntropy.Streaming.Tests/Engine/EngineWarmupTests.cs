using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Tests.Engine;

/// <summary><see cref="EngineWarmup"/>: its made-up events reach every configured path (nested, binned, with keys that
/// need escaping), through both batch modes and the one-event path, and it never throws on an awkward schema.</summary>
public sealed class EngineWarmupTests
{
    private const long Now = 1_700_000_000_000;

    private static readonly WindowDefinition[] Windows =
    [
        new("all", WindowKind.Cumulative),
        new("minute", WindowKind.Tumbling, TimeSpan.FromMinutes(1)),
        new("decay", WindowKind.Decay, HalfLife: TimeSpan.FromMinutes(5)),
    ];

    [Fact]
    public void Run_NestedBinnedTupleAndEscapedPaths_EveryEventReachesEveryField()
    {
        var schema = new EventSchema(
            [
                new FieldDefinition("country", "user.country"),
                new FieldDefinition("device", "user.device"),
                new FieldDefinition("amount", "amount", BinWidth: 10),
                new FieldDefinition("odd", "we\"ird.k\\ey <b>"),
                FieldDefinition.Tuple(["country", "device"]),
            ],
            [new PairDefinition("country", "device"), new PairDefinition("country+device", "amount")]);
        var engine = new EntropyEngine(schema, Windows, EntropyEstimator.MaximumLikelihood);

        int accepted = EngineWarmup.Run(engine, Now);

        Assert.Equal(2056, accepted); // 2048 through ProcessMany, 8 through Process
        Assert.Equal(2056, engine.Processed);
        Assert.Equal(0, engine.Rejected);
        WindowSnapshot all = engine.Snapshot().Single(w => w.Window == "all");
        Assert.Equal(2056, all.Events);
        foreach (FieldResult field in all.Fields)
        {
            Assert.Equal(0, field.Missing);
            Assert.Equal(0, field.Invalid);
            Assert.True(field.Distinct > 1, $"{field.Name} has {field.Distinct} distinct values");
        }

        Assert.Equal(7, all.Fields.Single(f => f.Name == "amount").Distinct); // 0-63 in bins of 10
        Assert.Equal(2, all.Pairs.Count);
    }

    [Fact]
    public void Run_PathThatIsAPrefixOfAnother_DoesNotThrowAndCountsTheLongerPath()
    {
        var schema = new EventSchema(
            [new FieldDefinition("a", "a"), new FieldDefinition("ab", "a.b"), new FieldDefinition("c", "c")],
            [new PairDefinition("a", "c")]);
        var engine = new EntropyEngine(schema, Windows, EntropyEstimator.MillerMadow);

        int accepted = EngineWarmup.Run(engine, Now);

        Assert.Equal(2056, engine.Processed + engine.Rejected);
        Assert.Equal(engine.Processed, accepted);
        FieldResult ab = engine.Snapshot().Single(w => w.Window == "all").Fields.Single(f => f.Name == "ab");
        Assert.Equal(accepted, ab.Count);
    }
}
