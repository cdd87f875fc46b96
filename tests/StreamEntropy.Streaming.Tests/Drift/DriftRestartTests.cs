using System.Globalization;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;
using static StreamEntropy.Streaming.Tests.Engine.EngineTestKit;

namespace StreamEntropy.Streaming.Tests.Drift;

/// <summary>Drift through restarts of one engine: references come from complete windows only, and captured references
/// and alert states travel in the saved state, so a restart in the middle of a drift changes nothing.</summary>
public class DriftRestartTests
{
    private const long Origin = 1_700_000_000_000; // a multiple of every window size below
    private const int PerSecond = 2_000;

    private static readonly WindowDefinition[] Tumbling = [new("all", WindowKind.Cumulative), new("second", WindowKind.Tumbling, TimeSpan.FromSeconds(1))];

    private static EntropyEngine Create(IReadOnlyList<WindowDefinition>? windows = null, DriftSettings? drift = null) =>
        new(Schema, windows ?? Tumbling, EntropyEstimator.MaximumLikelihood, drift: drift ?? new DriftSettings(AlertRule.Defaults));

    /// <summary>One second of events from <paramref name="fromMs"/> (relative to <see cref="Origin"/>): country C0 has
    /// a 10 % share, or 40 % when <paramref name="shifted"/>; the other fields do not change.</summary>
    private static IEnumerable<(byte[] Json, long T)> Second(Random random, long fromMs, bool shifted, int count = PerSecond)
    {
        for (int i = 0; i < count; i++)
        {
            int country = random.NextDouble() < (shifted ? 0.4 : 0.1) ? 0 : 1 + random.Next(9);
            byte[] json = Event($"C{country}", $"D{random.Next(4)}", random.Next(50).ToString(CultureInfo.InvariantCulture), $"S{random.Next(3)}");
            yield return (json, Origin + fromMs + ((long)i * 1000 / count));
        }
    }

    private static void Feed(EntropyEngine engine, IEnumerable<(byte[] Json, long T)> events, List<AlertEvent> alerts)
    {
        foreach ((byte[] json, long t) in events)
        {
            engine.Process(json, t);
        }

        _ = engine.TakeClosed();
        alerts.AddRange(engine.TakeAlerts());
    }

    private static EntropyEngine Restart(EntropyEngine engine, DriftSettings? drift = null, IReadOnlyList<WindowDefinition>? windows = null)
    {
        using var state = new MemoryStream();
        engine.Save(state);
        EntropyEngine restored = Create(windows, drift);
        state.Position = 0;
        restored.Restore(state);
        return restored;
    }

    private static string Describe(IEnumerable<AlertEvent> alerts) =>
        string.Join("; ", alerts.Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.State} {a.Key} at {a.TimestampMs - Origin} ({a.Value:R})")));

    // Seconds 0–2 stationary, 3–7 shifted, 8–11 back to normal; a restart (save, new engine, restore) after each
    // second listed in restartAfter. Returns every alert event and the active alerts after each second.
    private static (List<AlertEvent> Alerts, List<int> ActiveAfter) Run(int[] restartAfter, int seed = 5)
    {
        var random = new Random(seed);
        EntropyEngine engine = Create();
        var alerts = new List<AlertEvent>();
        var active = new List<int>();
        for (int second = 0; second < 12; second++)
        {
            Feed(engine, Second(random, second * 1000L, shifted: second is >= 3 and <= 7), alerts);
            active.Add(engine.ActiveAlerts.Count);
            if (restartAfter.Contains(second))
            {
                engine = Restart(engine);
            }
        }

        engine.AdvanceTo(Origin + 13_000);
        _ = engine.TakeClosed();
        alerts.AddRange(engine.TakeAlerts());
        return (alerts, active);
    }

    [Fact]
    public void RestartInTheMiddleOfADrift_KeepsTheAlertRaised_AndChangesNoEvent()
    {
        (List<AlertEvent> expected, List<int> expectedActive) = Run([]);
        // The scenario: field-psi on country raises while shifted and clears after the return.
        AlertEvent raised = Assert.Single(expected, a => a.State == AlertState.Raised && a.Key == "second/country/field-psi");
        Assert.Contains(expected, a => a.State == AlertState.Cleared && a.Key == "second/country/field-psi" && a.TimestampMs > raised.TimestampMs);

        // Restarted while raised (the raise comes with the close of second 4, seen when second 5 begins), once more
        // while it stays raised, and in the middle of the return.
        (List<AlertEvent> actual, List<int> actualActive) = Run([5, 6, 9]);
        Assert.Equal(Describe(expected), Describe(actual));
        Assert.Equal(expectedActive, actualActive);
    }

    [Fact]
    public void RaisedAlert_ClearsOnlyWhenTheStreamReturnsToTheReference()
    {
        var random = new Random(9);
        EntropyEngine engine = Create();
        var alerts = new List<AlertEvent>();
        for (int second = 0; second < 3; second++)
        {
            Feed(engine, Second(random, second * 1000L, shifted: false), alerts);
        }

        for (int second = 3; second < 12; second++)
        {
            Feed(engine, Second(random, second * 1000L, shifted: true), alerts);
            engine = Restart(engine); // after every second: each restart could have taken the drift as normal
        }

        Assert.Contains(engine.ActiveAlerts, a => a.Key == "second/country/field-psi");
        Assert.DoesNotContain(alerts, a => a.State == AlertState.Cleared);
        DriftReference reference = Assert.Single(engine.DriftReferences());
        Assert.Equal((ReferenceOrigin.CapturedWindow, Origin, Origin + 1000), (reference.Origin, reference.CapturedStartMs, reference.CapturedEndMs));

        for (int second = 12; second < 16; second++)
        {
            Feed(engine, Second(random, second * 1000L, shifted: false), alerts);
        }

        AlertEvent cleared = Assert.Single(alerts, a => a.State == AlertState.Cleared && a.Key == "second/country/field-psi");
        Assert.Equal(Origin + 14_000, cleared.TimestampMs); // the second and third normal seconds (12 and 13) clear it
        Assert.Empty(engine.ActiveAlerts);
    }

    [Fact]
    public void StationaryStreamWithRestarts_RaisesNothing()
    {
        var random = new Random(3);
        EntropyEngine engine = Create();
        var alerts = new List<AlertEvent>();
        for (int second = 0; second < 12; second++)
        {
            Feed(engine, Second(random, second * 1000L, shifted: false), alerts);
            if (second % 3 == 1)
            {
                engine = Restart(engine);
            }
        }

        Assert.Empty(alerts);
        Assert.Empty(engine.ActiveAlerts);
        Assert.Equal(ReferenceOrigin.CapturedWindow, Assert.Single(engine.DriftReferences()).Origin);
    }

    [Fact]
    public void PartialFirstTumblingWindow_IsNeverTheReference()
    {
        // The stream starts 300 ms into a second, and that partial first window is shifted: taken as the reference
        // it would make the normal stream look drifted. Plenty of events, so only completeness keeps it out.
        var random = new Random(1);
        EntropyEngine engine = Create();
        var alerts = new List<AlertEvent>();
        Feed(engine, Second(random, 300, shifted: true).Where(e => e.T < Origin + 1000), alerts);
        Assert.Equal(ReferenceOrigin.Pending, Assert.Single(engine.DriftReferences()).Origin);
        for (int second = 1; second < 8; second++)
        {
            Feed(engine, Second(random, second * 1000L, shifted: false), alerts);
        }

        DriftReference reference = Assert.Single(engine.DriftReferences());
        Assert.Equal(ReferenceOrigin.CapturedWindow, reference.Origin);
        Assert.Equal(Origin + 1000, reference.CapturedStartMs);
        Assert.Equal(PerSecond, reference.Events);
        Assert.Empty(alerts);
    }

    [Fact]
    public void SlidingWindow_FirstStepWithAllPanesCovered_IsTheReference()
    {
        WindowDefinition[] sliding = [new("slide", WindowKind.Sliding, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(500))];
        var random = new Random(2);
        EntropyEngine engine = Create(sliding);
        var alerts = new List<AlertEvent>();
        for (int second = 0; second < 4; second++)
        {
            Feed(engine, Second(random, 250 + (second * 1000L), shifted: false), alerts);
        }

        // The steps ending at 0.5, 1.0, 1.5 and 2.0 s began before the first event (at 0.25 s), with panes the stream
        // did not cover; the one ending at 2.5 s began at 0.5 s and is the first with every pane covered.
        DriftReference reference = Assert.Single(engine.DriftReferences());
        Assert.Equal(ReferenceOrigin.CapturedWindow, reference.Origin);
        Assert.Equal((Origin + 500, Origin + 2500), (reference.CapturedStartMs, reference.CapturedEndMs));
    }

    [Fact]
    public void WindowWithTooFewEvents_IsNotTheReference()
    {
        var random = new Random(4);
        EntropyEngine engine = Create(drift: new DriftSettings(AlertRule.Defaults, new DriftScoring { MinimumReferenceEvents = 1500 }));
        var alerts = new List<AlertEvent>();
        Feed(engine, Second(random, 0, shifted: false, count: 1000), alerts);
        Feed(engine, Second(random, 1000, shifted: false, count: 1499), alerts);
        Feed(engine, Second(random, 2000, shifted: false, count: 1500), alerts);
        Feed(engine, Second(random, 3000, shifted: false, count: 10), alerts);

        DriftReference reference = Assert.Single(engine.DriftReferences());
        Assert.Equal((Origin + 2000, 1500L), (reference.CapturedStartMs, reference.Events));
    }

    [Fact]
    public void Recapture_TakesTheNextCompleteWindow_AndClearsRaisedAlerts()
    {
        var random = new Random(6);
        EntropyEngine engine = Create();
        var alerts = new List<AlertEvent>();
        for (int second = 0; second < 7; second++)
        {
            Feed(engine, Second(random, second * 1000L, shifted: second >= 3), alerts);
        }

        Assert.NotEmpty(engine.ActiveAlerts);
        Assert.Equal(RecaptureOutcome.UnknownWindow, engine.RecaptureReference("nope"));
        Assert.Equal(RecaptureOutcome.NotScored, engine.RecaptureReference("all"));
        Assert.Equal(RecaptureOutcome.Done, engine.RecaptureReference("second"));
        Assert.Empty(engine.ActiveAlerts);
        AlertEvent cleared = Assert.Single(engine.TakeAlerts(), a => a.Key == "second/country/field-psi");
        Assert.Equal(AlertState.Cleared, cleared.State);
        Assert.True(double.IsNaN(cleared.Value));
        Assert.Equal(ReferenceOrigin.Pending, Assert.Single(engine.DriftReferences()).Origin);

        engine = Restart(engine); // the dropped reference stays dropped
        alerts.Clear();
        for (int second = 7; second < 12; second++)
        {
            Feed(engine, Second(random, second * 1000L, shifted: true), alerts);
        }

        DriftReference reference = Assert.Single(engine.DriftReferences());
        // The window open at the re-capture ([6 s, 7 s), shifted) closes next and is complete: the new normal.
        Assert.Equal(Origin + 6000, reference.CapturedStartMs);
        Assert.Empty(alerts);
    }

    [Fact]
    public void Recapture_WithABaselineFile_ChangesNothing()
    {
        EntropyEngine profiled = Create(drift: new DriftSettings(AlertRule.Defaults));
        Feed(profiled, Second(new Random(7), 0, shifted: false), []);
        EntropyEngine engine = Create(drift: new DriftSettings(AlertRule.Defaults, Baseline: BaselineOf(profiled)));

        Assert.Equal(RecaptureOutcome.UsesBaselineFile, engine.RecaptureReference("second"));
        DriftReference reference = Assert.Single(engine.DriftReferences());
        Assert.Equal((ReferenceOrigin.BaselineFile, (long)PerSecond), (reference.Origin, reference.Events));
    }

    [Fact]
    public void RecaptureOnStart_DiscardsSavedReferencesAndAlerts_KeepsCounts()
    {
        var random = new Random(8);
        EntropyEngine engine = Create();
        var alerts = new List<AlertEvent>();
        for (int second = 0; second < 7; second++)
        {
            Feed(engine, Second(random, second * 1000L, shifted: second >= 3), alerts);
        }

        Assert.NotEmpty(engine.ActiveAlerts);
        EntropyEngine restored = Restart(engine, new DriftSettings(AlertRule.Defaults) { RecaptureOnStart = true });

        Assert.Empty(restored.ActiveAlerts);
        Assert.Equal(ReferenceOrigin.Pending, Assert.Single(restored.DriftReferences()).Origin);
        Assert.Equal(engine.Processed, restored.Processed);
        Assert.Equal(engine.Snapshot()[0].Fields, restored.Snapshot()[0].Fields);
    }

    [Fact]
    public void DriftStateOfARuleNoLongerConfigured_IsDropped_OthersKept()
    {
        var random = new Random(10);
        EntropyEngine engine = Create();
        for (int second = 0; second < 7; second++)
        {
            Feed(engine, Second(random, second * 1000L, shifted: second >= 3), []);
        }

        Assert.Contains(engine.ActiveAlerts, a => a.Rule == "field-psi");
        EntropyEngine restored = Restart(engine, new DriftSettings([AlertRule.Defaults[1]]));

        Assert.DoesNotContain(restored.ActiveAlerts, a => a.Rule == "field-psi");
        Assert.Equal(ReferenceOrigin.CapturedWindow, Assert.Single(restored.DriftReferences()).Origin);
    }

    [Fact]
    public void StateWithDrift_RestoresIntoAnEngineWithoutDrift_AndBack()
    {
        var random = new Random(11);
        EntropyEngine engine = Create();
        for (int second = 0; second < 3; second++)
        {
            Feed(engine, Second(random, second * 1000L, shifted: false), []);
        }

        using var state = new MemoryStream();
        engine.Save(state);
        var plain = new EntropyEngine(Schema, Tumbling, EntropyEstimator.MaximumLikelihood);
        state.Position = 0;
        plain.Restore(state);
        Assert.Equal(engine.Processed, plain.Processed);
        Assert.Empty(plain.DriftReferences());

        EntropyEngine again = Restart(plain);
        Assert.Equal(ReferenceOrigin.Pending, Assert.Single(again.DriftReferences()).Origin);
    }

    private static Baseline BaselineOf(EntropyEngine engine)
    {
        // The cumulative window's counts, by value text, as `profile --save-baseline` would write them.
        var counts = new Streaming.Counting.FrequencySet(engine.Encoder);
        counts.Add(((CumulativeWindow)engine.WindowStates[0]).Counts);
        return Baseline.FromFrequencySet(counts, "profiled.jsonl");
    }
}
