using System.Text;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Merging;
using StreamEntropy.Streaming.Partials;
using StreamEntropy.Streaming.Windows;
using static StreamEntropy.TestSupport.NumericAssertions;

namespace StreamEntropy.Streaming.Tests.Merging;

/// <summary>Group mode with discovered fields: each partition's engine finds fields in its own order; the owner merges
/// them by name.</summary>
public sealed class DiscoveredPartialsTests
{
    private static readonly WindowDefinition[] Windows =
    [
        new("all", WindowKind.Cumulative),
        new("tumbling", WindowKind.Tumbling, TimeSpan.FromSeconds(10)),
    ];

    private static EventSchema Schema() => new(
        [],
        [],
        [new DiscoveryRule(FieldPattern.Parse("*"), [], 50, 0)],
        [new PairRule(FieldPattern.Parse("*"), FieldPattern.Parse("label"))]);

    [Fact]
    public void Merge_PartitionsDiscoveringInDifferentOrders_EqualsOneEngineOverAllEvents()
    {
        var rnd = new Random(21);
        var events = new List<(byte[] Json, long T, int Partition)>();
        for (int i = 0; i < 3000; i++)
        {
            // Each event carries a random subset of the features, in a random order: partitions find them differently.
            int label = rnd.Next(3);
            var members = new List<string> { $"\"label\":\"L{label}\"" };
            for (int f = 0; f < 6; f++)
            {
                if (rnd.Next(3) > 0)
                {
                    members.Add($"\"g{f}\":{{\"v\":\"{(f < 2 ? label : 0) + rnd.Next(3)}\"}}");
                }
            }

            string json = "{" + string.Join(",", members.OrderBy(_ => rnd.Next())) + "}";
            events.Add((Encoding.UTF8.GetBytes(json), 1000 + (i * 7), rnd.Next(3)));
        }

        var drift = new DriftSettings(AlertRule.Defaults, new DriftScoring { MinimumReferenceEvents = 100 });
        var whole = new EntropyEngine(Schema(), Windows, EntropyEstimator.MaximumLikelihood);
        var parts = new EntropyEngine[3];
        for (int p = 0; p < parts.Length; p++)
        {
            parts[p] = new EntropyEngine(Schema(), Windows, EntropyEstimator.MaximumLikelihood);
            parts[p].CapturePartials("in", p);
        }

        foreach ((byte[] json, long t, int partition) in events)
        {
            whole.Process(json, t);
            parts[partition].Process(json, t);
        }

        var merger = new PartialMerger(Schema(), EntropyEstimator.MaximumLikelihood, Windows, instancesKept: 100, drift: drift);
        foreach (EntropyEngine part in parts)
        {
            _ = part.Snapshot();
            foreach (SubjectPartial partial in part.TakePartials())
            {
                Assert.True(merger.Accept(partial, 0));
            }
        }

        Assert.NotEqual(parts[0].Schema.Fields.Select(f => f.Name), parts[1].Schema.Fields.Select(f => f.Name)); // different orders
        var merged = merger.TakeChanged().Where(s => s.Window == "all").ToList();
        WindowSnapshot expected = whole.Snapshot()[0];
        Assert.Equal(7, expected.Fields.Count);
        Assert.Equal(6, expected.Pairs.Count);
        foreach (FieldResult f in expected.Fields)
        {
            FieldResult actual = Assert.Single(Assert.Single(merged, s => s.Fields.Any(x => x.Name == f.Name)).Fields);
            Assert.Equal((f.Count, f.Distinct), (actual.Count, actual.Distinct));
            AssertClose(f.Entropy, actual.Entropy);
        }

        foreach (PairResult p in expected.Pairs)
        {
            PairResult actual = Assert.Single(Assert.Single(merged, s => s.Pairs.Any(x => x.Key == p.Key)).Pairs);
            Assert.Equal(p.Entropies.Count, actual.Entropies.Count);
            AssertClose(p.Entropies.Joint, actual.Entropies.Joint);
            AssertClose(p.Entropies.MutualInformation, actual.Entropies.MutualInformation);
        }
    }
}
