using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;

namespace StreamEntropy.Streaming.Tests.Drift;

public class DriftMonitorTests
{
    [Fact]
    public void OnWindowClosed_NoBaseline_FirstCompleteWindowBecomesTheReferencePerWindow()
    {
        var encoder = new EventEncoder(DriftStream.Schema);
        var stream = new DriftStream(encoder, 11);
        var monitor = new DriftMonitor(encoder, AlertRule.Defaults, new DriftScoring { MinimumReferenceEvents = 500 });

        DriftEvaluation partial = monitor.OnWindowClosed("1m", stream.Window(100), 60_000);
        Assert.False(partial.ReferenceCaptured);
        Assert.Null(partial.Report);
        Assert.False(monitor.HasReference("1m"));

        FrequencySet first = stream.Window(5_000);
        Assert.True(monitor.OnWindowClosed("1m", first, 120_000).ReferenceCaptured);
        first.Clear(); // the engine reuses the window's tables: the reference must be a copy
        Assert.True(monitor.HasReference("1m"));
        Assert.False(monitor.HasReference("5m"));

        DriftEvaluation scored = monitor.OnWindowClosed("1m", stream.Window(5_000), 180_000);
        Assert.NotNull(scored.Report);
        Assert.Equal(180_000, scored.Report.TimestampMs);
        Assert.Equal(5_000, scored.Report.Fields[0].ReferenceCount);
        Assert.InRange(scored.Report.Fields[0].Divergences.PopulationStability, 0, 0.05);

        Baseline saved = monitor.GetReferenceBaseline("1m")!;
        Assert.Equal(5_000, saved.Events);
        Assert.Equal("window 1m", saved.Source);
        Assert.Null(monitor.GetReferenceBaseline("5m"));
    }

    [Fact]
    public void OnWindowClosed_WithBaseline_ScoresEveryWindowFromTheFirst()
    {
        var profileEncoder = new EventEncoder(DriftStream.Schema);
        Baseline baseline = Baseline.FromFrequencySet(new DriftStream(profileEncoder, 1).Window(10_000));
        var encoder = new EventEncoder(DriftStream.Schema);
        var monitor = new DriftMonitor(encoder, AlertRule.Defaults, baseline: baseline);
        var stream = new DriftStream(encoder, 2) { Shifted = true };

        DriftEvaluation first = monitor.OnWindowClosed("a", stream.Window(10_000), 1);
        DriftEvaluation second = monitor.OnWindowClosed("a", stream.Window(10_000), 2);
        DriftEvaluation other = monitor.OnWindowClosed("b", stream.Window(10_000), 2);

        Assert.False(first.ReferenceCaptured);
        Assert.Empty(first.Alerts);
        AlertEvent raised = Assert.Single(second.Alerts);
        Assert.Equal(("a", "category"), (raised.Window, raised.Field));
        Assert.NotNull(other.Report);
        Assert.Empty(other.Alerts); // its own state machine: one window so far
    }

    [Fact]
    public void Constructor_BaselineOfAnotherConfiguration_Throws()
    {
        var otherSchema = new EventSchema([new FieldDefinition("category", "cat")], []);
        var otherEncoder = new EventEncoder(otherSchema);
        var set = new FrequencySet(otherEncoder);
        set.Add([otherEncoder.Values[0].GetOrAdd("c1")]);
        Baseline baseline = Baseline.FromFrequencySet(set);

        var e = Assert.Throws<BaselineMismatchException>(() => new DriftMonitor(new EventEncoder(DriftStream.Schema), AlertRule.Defaults, baseline: baseline));
        Assert.Contains("field 'category': the configuration reads path 'category', the baseline was counted from 'cat'", e.Message, StringComparison.Ordinal);
        Assert.Contains("field 'region' is configured but the baseline has no such field", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnWindowClosed_CountsFromAnotherEncoder_Throws()
    {
        var monitor = new DriftMonitor(new EventEncoder(DriftStream.Schema), AlertRule.Defaults);
        Assert.Throws<ArgumentException>(() => monitor.OnWindowClosed("w", new FrequencySet(new EventEncoder(DriftStream.Schema)), 0));
    }
}
