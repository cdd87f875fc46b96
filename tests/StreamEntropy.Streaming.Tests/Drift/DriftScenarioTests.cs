using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Output;

namespace StreamEntropy.Streaming.Tests.Drift;

/// <summary>The bar, end to end through a baseline file and <see cref="DriftMonitor"/> with the default rules:
/// a stationary stream of 1M events raises nothing; moving one category's share from 10 % to 30 % raises within two
/// windows; reverting clears it once, without oscillation. Time is virtual: window i ends at (i + 1) minutes.</summary>
public class DriftScenarioTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const long Minute = 60_000;

    [Theory]
    [InlineData(10_000, 100)]
    [InlineData(1_000, 1_000)]
    public void StationaryStream_OneMillionEvents_RaisesNoAlert(int windowSize, int windows)
    {
        Run run = Simulate(windowSize, windows, shiftFrom: int.MaxValue, shiftTo: int.MaxValue);

        Assert.Empty(run.Alerts);
        Assert.Equal(windows, run.Reports.Count);
        Assert.Equal(1_000_000, run.Reports.Sum(r => r.Events));
        // The scores were computed (not NaN) and stayed far from the threshold on the 12-value field.
        Assert.All(run.Reports, r => Assert.InRange(r.Fields[0].Divergences.PopulationStability, 0, 0.05));
    }

    [Fact]
    public void InjectedChange_TenThousandEventWindows_RaisesWithinTwoWindowsAndClearsOnceAfterRevert()
    {
        // Windows 0–39 stationary, 40–59 with c2 at 30 %, 60–99 stationary again.
        Run run = Simulate(10_000, 100, shiftFrom: 40, shiftTo: 60);

        AlertEvent raised = Assert.Single(run.Alerts, a => a.State == AlertState.Raised);
        Assert.Equal(("field-psi", "category", "psi"), (raised.Rule, raised.Field, raised.Metric));
        Assert.Equal(End(41), raised.TimestampMs); // the second changed window: two consecutive windows over 0.1
        Assert.Equal(2, raised.Consecutive);
        Assert.InRange(raised.Value, 0.2, 0.35);
        Assert.Equal(0.1, raised.Threshold);

        AlertEvent cleared = Assert.Single(run.Alerts, a => a.State == AlertState.Cleared);
        Assert.Equal(("field-psi", "category"), (cleared.Rule, cleared.Field));
        Assert.Equal(End(61), cleared.TimestampMs); // two reverted windows below 0.05
        Assert.Equal(0.05, cleared.Threshold);
        Assert.Equal(2, run.Alerts.Count);
        Assert.Empty(run.Active);
    }

    [Fact]
    public void InjectedChange_ThousandEventWindows_RaisesWithinTwoWindowsAndDoesNotOscillate()
    {
        // 1,000 windows of 1k events; c2 at 30 % in windows 400–599.
        Run run = Simulate(1_000, 1_000, shiftFrom: 400, shiftTo: 600);
        foreach (AlertEvent a in run.Alerts)
        {
            output.WriteLine($"window {(a.TimestampMs / Minute) - 1}: {System.Text.Encoding.UTF8.GetString(AlertJson.ToUtf8Bytes(a))}");
        }

        Assert.DoesNotContain(run.Alerts, a => a.TimestampMs <= End(399)); // nothing before the change
        AlertEvent raised = run.Alerts.First(a => a.Field == "category");
        Assert.Equal(AlertState.Raised, raised.State);
        Assert.InRange(raised.TimestampMs, End(400), End(401));

        // Every subject alternates raise, clear; none is raised more than once; all are clear by the end.
        foreach (IGrouping<string, AlertEvent> subject in run.Alerts.GroupBy(a => a.Key))
        {
            AlertState[] states = [.. subject.Select(a => a.State)];
            Assert.Equal([AlertState.Raised, AlertState.Cleared], states);
            Assert.True(subject.Last().TimestampMs <= End(605), $"{subject.Key} cleared late: {subject.Last().TimestampMs / Minute - 1}");
        }

        Assert.Empty(run.Active);
    }

    private static long End(int window) => (window + 1) * Minute;

    /// <summary>Profiles an independent 1M-event sample into a baseline file (with its own encoder, whose ids differ from
    /// the live ones), loads it, and feeds <paramref name="windows"/> tumbling windows through a monitor.</summary>
    private static Run Simulate(int windowSize, int windows, int shiftFrom, int shiftTo)
    {
        var profileEncoder = new EventEncoder(DriftStream.Schema);
        profileEncoder.Values[0].GetOrAdd("zz-seen-only-by-an-older-profile"); // shifts the profile's ids
        var profiled = new DriftStream(profileEncoder, seed: 20240601).Window(1_000_000);
        using var file = new MemoryStream();
        Baseline.FromFrequencySet(profiled, "sample.jsonl").Save(file);
        file.Position = 0;
        Baseline baseline = Baseline.Load(file, "sample.baseline.json");

        var liveEncoder = new EventEncoder(DriftStream.Schema);
        var monitor = new DriftMonitor(liveEncoder, AlertRule.Defaults, baseline: baseline);
        var live = new DriftStream(liveEncoder, seed: 7);
        var window = new FrequencySet(liveEncoder);
        var alerts = new List<AlertEvent>();
        var reports = new List<DriftReport>();
        for (int w = 0; w < windows; w++)
        {
            live.Shifted = w >= shiftFrom && w < shiftTo;
            window.Clear();
            live.Fill(window, windowSize);
            DriftEvaluation evaluation = monitor.OnWindowClosed("tumbling", window, End(w));
            Assert.False(evaluation.ReferenceCaptured);
            reports.Add(evaluation.Report!);
            alerts.AddRange(evaluation.Alerts);
        }

        return new Run(alerts, reports, monitor.Alerts.Active);
    }

    private sealed record Run(List<AlertEvent> Alerts, List<DriftReport> Reports, IReadOnlyList<AlertEvent> Active);
}
