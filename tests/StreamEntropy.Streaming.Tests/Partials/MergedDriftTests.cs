using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Partials;
using StreamEntropy.Streaming.Windows;
using static StreamEntropy.Streaming.Tests.Engine.EngineTestKit;

namespace StreamEntropy.Streaming.Tests.Partials;

/// <summary>Drift in Group mode: scoring the merged closed windows subject by subject raises the same alerts, with the
/// same scores, as one engine with the same drift settings that read every event.</summary>
public class MergedDriftTests
{
    private static readonly WindowDefinition[] Windows = [new("all", WindowKind.Cumulative), new("second", WindowKind.Tumbling, TimeSpan.FromSeconds(1))];

    [Theory]
    [InlineData(2, 1)]
    [InlineData(4, 2)]
    public void MergedScores_EqualOneEngineOverAllEvents(int partitions, int seed)
    {
        var drift = new DriftSettings(AlertRule.Defaults, new DriftOptions { TopDrivers = 2 });
        var whole = new EntropyEngine(Schema, Windows, EntropyEstimator.MaximumLikelihood, drift: drift);
        var parts = new EntropyEngine[partitions];
        for (int p = 0; p < partitions; p++)
        {
            parts[p] = new EntropyEngine(Schema, Windows, EntropyEstimator.MaximumLikelihood);
            parts[p].CapturePartials("in", p);
        }

        // Eight seconds of 3000 events each, from the middle of a second (so the first window is partial: neither
        // side takes it as the reference); from the fourth on, country C2 goes from about 10 % to 40 % and device
        // follows country more closely (mutual information changes too).
        var random = new Random(seed);
        var wholeReports = new List<DriftReport>();
        for (int i = 0; i < 8 * 3000; i++)
        {
            long t = 1_700_000_000_500 + (i / 3000 * 1000) + (i % 3000 / 3);
            bool shifted = i / 3000 >= 3;
            int country = shifted && random.NextDouble() < 0.4 ? 2 : random.Next(10);
            int device = shifted && random.NextDouble() < 0.7 ? country % 3 : random.Next(3);
            byte[] json = Event($"C{country}", $"D{device}", $"{random.Next(60)}", $"S{random.Next(2)}");
            whole.Process(json, t);
            parts[random.Next(partitions)].Process(json, t);
        }

        wholeReports.AddRange(whole.TakeClosed().Select(s => s.Drift).OfType<DriftReport>());
        List<AlertEvent> expected = [.. whole.TakeAlerts()];
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
        List<AlertEvent> actual = [.. merger.Drift!.TakeAlerts()];
        Assert.Contains(expected, a => a.Rule == "field-psi" && a.Subject == "country" && a.State == AlertState.Raised); // the scenario works
        Assert.Equal(Describe(expected), Describe(actual));
        for (int i = 0; i < expected.Count; i++)
        {
            AlertEvent e = expected.OrderBy(a => a.TimestampMs).ThenBy(a => a.Key, StringComparer.Ordinal).ElementAt(i);
            AlertEvent a = actual.OrderBy(a => a.TimestampMs).ThenBy(a => a.Key, StringComparer.Ordinal).ElementAt(i);
            Assert.Equal(e.Value, a.Value, 1e-9);
        }

        DriftReport last = wholeReports[^1];
        DriftReport merged = Assert.Single(merger.Drift.Reports(), r => r.Window == "second");
        Assert.Equal(last.TimestampMs, merged.TimestampMs);
        Assert.Equal(last.Events, merged.Events);
        Assert.Equal(last.Fields.Select(f => f.Name), merged.Fields.Select(f => f.Name));
        for (int f = 0; f < last.Fields.Count; f++)
        {
            Assert.Equal(last.Fields[f].Divergences.PopulationStability, merged.Fields[f].Divergences.PopulationStability, 1e-9);
            Assert.Equal(last.Fields[f].EntropyChange, merged.Fields[f].EntropyChange, 1e-9);
        }

        for (int p = 0; p < last.Pairs.Count; p++)
        {
            Assert.Equal(last.Pairs[p].Key, merged.Pairs[p].Key);
            Assert.Equal(last.Pairs[p].CurrentMutualInformation, merged.Pairs[p].CurrentMutualInformation, 1e-9);
            Assert.Equal(last.Pairs[p].Drivers.Select(d => d.X), merged.Pairs[p].Drivers.Select(d => d.X));
        }
    }

    private static List<string> Describe(IEnumerable<AlertEvent> alerts) =>
        [.. alerts.Select(a => $"{a.TimestampMs} {a.Key} {a.State} {a.Consecutive}").Order(StringComparer.Ordinal)];
}
