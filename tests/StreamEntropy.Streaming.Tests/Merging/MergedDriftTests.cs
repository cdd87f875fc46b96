using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Merging;
using StreamEntropy.Streaming.Partials;
using StreamEntropy.Streaming.Windows;
using static StreamEntropy.Streaming.Tests.Engine.EngineTestKit;

namespace StreamEntropy.Streaming.Tests.Merging;

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
        var drift = new DriftSettings(AlertRule.Defaults, new DriftScoring { TopDrivers = 2 });
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

    [Fact]
    public void ExportImport_InTheMiddleOfADrift_NewOwnerKeepsTheAlert_AndScoresNoWindowTwice()
    {
        var drift = new DriftSettings(AlertRule.Defaults);
        var parts = new EntropyEngine[3];
        for (int p = 0; p < parts.Length; p++)
        {
            parts[p] = new EntropyEngine(Schema, Windows, EntropyEstimator.MaximumLikelihood);
            parts[p].CapturePartials("in", p);
        }

        // Twelve seconds of 3000 events; seconds 3–8 shifted. The partials up to second 6 (alert raised by then),
        // and those after.
        var random = new Random(4);
        List<SubjectPartial> Phase(int fromSecond, int toSecond)
        {
            for (int i = fromSecond * 3000; i < toSecond * 3000; i++)
            {
                long t = 1_700_000_000_500 + (i / 3000 * 1000) + (i % 3000 / 3);
                bool shifted = i / 3000 is >= 3 and <= 8;
                int country = shifted && random.NextDouble() < 0.4 ? 2 : random.Next(10);
                parts[random.Next(parts.Length)].Process(Event($"C{country}", $"D{random.Next(3)}", $"{random.Next(60)}", $"S{random.Next(2)}"), t);
            }

            var partials = new List<SubjectPartial>();
            foreach (EntropyEngine part in parts)
            {
                _ = part.Snapshot();
                partials.AddRange(part.TakePartials());
            }

            return partials;
        }

        List<SubjectPartial> first = Phase(0, 7);
        List<SubjectPartial> second = Phase(7, 12);

        // One owner throughout.
        var whole = new PartialMerger(Schema, EntropyEstimator.MaximumLikelihood, Windows, instancesKept: 100, drift: drift);
        first.ForEach(p => whole.Accept(p, 0));
        _ = whole.TakeChanged();
        second.ForEach(p => whole.Accept(p, 0));
        _ = whole.TakeChanged();
        List<AlertEvent> expected = [.. whole.Drift!.TakeAlerts()];
        Assert.Contains(expected, a => a.Key == "second/country/field-psi" && a.State == AlertState.Raised);
        Assert.Contains(expected, a => a.Key == "second/country/field-psi" && a.State == AlertState.Cleared);

        // The old owner sees the first part, saves, and is gone; the new owner restores and re-reads the partials
        // topic from its beginning.
        var old = new PartialMerger(Schema, EntropyEstimator.MaximumLikelihood, Windows, instancesKept: 100, drift: drift);
        first.ForEach(p => old.Accept(p, 0));
        _ = old.TakeChanged();
        List<AlertEvent> actual = [.. old.Drift!.TakeAlerts()];
        Assert.Contains(old.Drift.Alerts.Active, a => a.Key == "second/country/field-psi");
        byte[] saved = old.Drift.Export((_, _) => true);

        var next = new PartialMerger(Schema, EntropyEstimator.MaximumLikelihood, Windows, instancesKept: 100, drift: drift);
        next.Drift!.Import(saved);
        Assert.Equal(old.Drift.Alerts.Active, next.Drift.Alerts.Active);
        Assert.Equal(old.Drift.DescribeReferences(), next.Drift.DescribeReferences());
        first.ForEach(p => next.Accept(p, 0));
        _ = next.TakeChanged();
        Assert.Empty(next.Drift.TakeAlerts()); // windows scored before are not scored again
        second.ForEach(p => next.Accept(p, 0));
        _ = next.TakeChanged();
        actual.AddRange(next.Drift.TakeAlerts());

        Assert.Equal(Describe(expected), Describe(actual));
    }

    [Fact]
    public void FirstMergedWindow_IsNeverTheReference_Forget_DropsSubjects()
    {
        var drift = new DriftSettings(AlertRule.Defaults);
        var part = new EntropyEngine(Schema, Windows, EntropyEstimator.MaximumLikelihood);
        part.CapturePartials("in", 0);
        var random = new Random(5);
        for (int i = 0; i < 4 * 2000; i++)
        {
            part.Process(Event($"C{random.Next(10)}", $"D{random.Next(3)}", "1", "S0"), 1_700_000_000_000 + (i / 2));
        }

        var merger = new PartialMerger(Schema, EntropyEstimator.MaximumLikelihood, Windows, instancesKept: 100, drift: drift);
        foreach (SubjectPartial partial in part.TakePartials())
        {
            merger.Accept(partial, 0);
        }

        _ = merger.TakeChanged();
        DriftReference country = Assert.Single(merger.Drift!.DescribeReferences(), r => r.Subject == "country");
        Assert.Equal(ReferenceOrigin.CapturedWindow, country.Origin);
        Assert.Equal((1_700_000_001_000L, 1_700_000_002_000L, 2000L), (country.CapturedStartMs!.Value, country.CapturedEndMs!.Value, country.Events));

        merger.Drift.Forget((_, subject) => subject == "country");
        Assert.DoesNotContain(merger.Drift.DescribeReferences(), r => r.Subject == "country");
        Assert.Contains(merger.Drift.DescribeReferences(), r => r.Subject == "device");
    }

    [Fact]
    public void Import_CorruptState_ThrowsInvalidData()
    {
        var merger = new PartialMerger(Schema, EntropyEstimator.MaximumLikelihood, Windows, drift: new DriftSettings(AlertRule.Defaults));
        byte[] state = merger.Drift!.Export((_, _) => true);
        state[^1] ^= 1;
        Assert.Throws<InvalidDataException>(() => merger.Drift.Import(state));
        Assert.Throws<InvalidDataException>(() => merger.Drift.Import("SEMX"u8));
    }

    private static List<string> Describe(IEnumerable<AlertEvent> alerts) =>
        [.. alerts.Select(a => $"{a.TimestampMs} {a.Key} {a.State} {a.Consecutive}").Order(StringComparer.Ordinal)];
}
