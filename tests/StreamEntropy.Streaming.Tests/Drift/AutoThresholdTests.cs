using System.Globalization;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Merging;
using StreamEntropy.Streaming.Windows;
using Xunit.Abstractions;
using static StreamEntropy.Streaming.Tests.Engine.EngineTestKit;

namespace StreamEntropy.Streaming.Tests.Drift;

/// <summary>Thresholds calibrated from the reference (<c>Threshold: "auto"</c>): the reference period's chunks scored
/// leave-one-out give each subject its own threshold, which survives restarts bit for bit.</summary>
public sealed class AutoThresholdTests(ITestOutputHelper output)
{
    private const int Fields = 200;
    private const int Values = 5;
    private const int Windows = 200;
    private const int WindowEvents = 500;
    private const int Chunks = DriftScoring.DefaultAutoReferenceWindows;
    private const long Origin = 1_700_000_000_000;

    private static readonly string Psi = DriftMetrics.PopulationStability;

    // The calibrated threshold alone (no significance gate), and the same with the G-test gate and false-discovery control.
    private static AlertRule Auto(bool gated) => new("auto-psi", Psi, AutoThreshold.DefaultFallback(Psi))
    {
        Auto = new AutoThreshold(),
        MinimumSignificance = gated ? 6 : null,
        FalseDiscoveryRate = gated ? AlertRule.DefaultFalseDiscoveryRate : 0,
    };

    [Fact]
    public void StationaryStream_200Fields_AutoThresholdsRaiseNearlyNothing()
    {
        int gated = Run(Auto(gated: true), shifted: 0, out _, out _);
        int alone = Run(Auto(gated: false), shifted: 0, out _, out IReadOnlyList<ThresholdInForce> thresholds);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Fields} fields x {Windows} windows of {WindowEvents} events, stationary, auto PSI thresholds (median {Median(thresholds):G3}): {alone} raises without a gate, {gated} with the G-test gate at q = 0.05"));

        Assert.InRange(gated, 0, 2);
        // Without a gate a field whose σ came out low from its ten chunks crosses mean + 3σ now and then (measured:
        // 112 raises over the 40 000 field-windows, from 49 fields); the gate is what makes it quiet.
        Assert.InRange(alone, 0, Fields * Windows / 200);
        Assert.All(thresholds.Where(t => t.Subject is not null), t => Assert.Equal("auto: mean+3σ of 10 reference chunks", t.Source));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FiveOf200FieldsShifted_RaiseWithinTwoWindows_AndWithTheGateNothingElseDoes(bool gated)
    {
        const int Shifted = 5;
        int raised = Run(Auto(gated), Shifted, out IReadOnlyList<AlertEvent> events, out _);
        string[] expected = [.. Enumerable.Range(0, Shifted).Select(ManyFieldsStream.Name)];
        int others = events.Count(e => e.State == AlertState.Raised && !expected.Contains(e.Field));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"5 of {Fields} fields shifted 10 % -> 30 %, auto thresholds {(gated ? "with" : "without")} the gate: {raised} raises, {others} of unshifted fields"));

        foreach (string field in expected)
        {
            // Window 1 is the first shifted one; RaiseAfter 2 raises at the second.
            AlertEvent raise = Assert.Single(events, e => e.Field == field && e.State == AlertState.Raised);
            Assert.InRange(raise.TimestampMs, 1, 2);
            Assert.True(raise.Threshold < 0.1, $"{field}: the calibrated threshold {raise.Threshold} is not the fallback");
        }

        // Gated: nothing else (Benjamini–Hochberg at q would allow a few); ungated: the rate of the stationary test.
        Assert.InRange(others, 0, gated ? 2 : Fields * Windows / 200);
    }

    [Fact]
    public void SparseAndDenseFields_GetTheirOwnThresholds()
    {
        var schema = new EventSchema([new FieldDefinition("dense", "dense"), new FieldDefinition("sparse", "sparse")], []);
        var encoder = new EventEncoder(schema);
        var monitor = new DriftMonitor(encoder, [Auto(gated: false)]);
        ulong state = 0xD15C0;
        for (int w = 0; w < Chunks; w++)
        {
            var set = new FrequencySet(encoder);
            for (int i = 0; i < 1000; i++)
            {
                int dense = (int)(ManyFieldsStream.NextDouble(ref state) * 4);
                int sparse = (int)(Math.Pow(ManyFieldsStream.NextDouble(ref state), 3) * 500); // most mass on few values, a long tail
                set.Add([encoder.Values[0].GetOrAdd($"d{dense}"), encoder.Values[1].GetOrAdd($"s{sparse}")]);
            }

            Assert.Equal(w == Chunks - 1, monitor.OnWindowClosed("w", set, w).ReferenceCaptured);
        }

        IReadOnlyList<ThresholdInForce> thresholds = monitor.DescribeReference("w")!.Thresholds;
        ThresholdInForce denseThreshold = Assert.Single(thresholds, t => t.Subject == "dense");
        ThresholdInForce sparseThreshold = Assert.Single(thresholds, t => t.Subject == "sparse");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"auto PSI thresholds at 1000 events per window: dense (4 values) {denseThreshold.Threshold:G4}, sparse (500 values) {sparseThreshold.Threshold:G4}"));

        // The sparse field's PSI is inflated by the ε of its empty cells in every window: its threshold must be too.
        Assert.True(sparseThreshold.Threshold > 10 * denseThreshold.Threshold, $"{sparseThreshold.Threshold} vs {denseThreshold.Threshold}");
        Assert.True(denseThreshold.Threshold < 0.1 && sparseThreshold.Threshold > 0.1);
        Assert.Equal(denseThreshold.Threshold / 2, denseThreshold.ClearThreshold); // half unless set
        ThresholdInForce fallback = Assert.Single(thresholds, t => t.Subject is null);
        Assert.Equal((0.1, 0.05), (fallback.Threshold, fallback.ClearThreshold));
    }

    [Fact]
    public void SlidingWindow_ChunksDoNotOverlap()
    {
        var encoder = new EventEncoder(Schema);
        var monitor = new DriftMonitor(encoder, [Auto(gated: false)], new DriftScoring { AutoReferenceWindows = 4, MinimumReferenceEvents = 1 });
        var random = new Random(7);
        var captured = new List<long>();
        for (long start = 0; start <= 4_000; start += 500) // 1 s windows stepping by 0.5 s: each overlaps the next
        {
            var set = new FrequencySet(encoder);
            for (int i = 0; i < 200; i++)
            {
                set.Add([encoder.Values[0].GetOrAdd($"C{random.Next(5)}"), encoder.Values[1].GetOrAdd("D"), encoder.Values[2].GetOrAdd("1"), encoder.Values[3].GetOrAdd("S")]);
            }

            if (monitor.OnWindowClosed("sliding", set, start, start + 1_000, complete: true).ReferenceCaptured)
            {
                captured.Add(start);
            }
        }

        // Chunks at 0, 1000, 2000 and 3000: the reference is complete when the window starting at 3000 closes.
        Assert.Equal([3_000L], captured);
        DriftReference reference = monitor.DescribeReference("sliding")!;
        Assert.Equal((0L, 4_000L, 800L), (reference.CapturedStartMs!.Value, reference.CapturedEndMs!.Value, reference.Events));
    }

    [Fact]
    public void Calibration_FewerThanFourScores_FallsBack_AndClearThresholdBoundsTheRaise()
    {
        var rule = new AlertRule("r", Psi, 0.2) { Auto = new AutoThreshold(2), ClearThreshold = 0.05 };
        (double raise, double clear, string source) = new ThresholdCalibration([0.01, 0.02, 0.03], 10).Apply(rule);
        Assert.Equal((0.2, 0.05), (raise, clear));
        Assert.Equal("auto fallback: scored in 3 of 10 reference chunks (needs 4)", source);

        (raise, clear, source) = new ThresholdCalibration([0.01, 0.02, 0.03, 0.02], 10).Apply(rule);
        Assert.Equal(0.05, clear);
        Assert.Equal(0.05, raise); // mean 0.02 + 2σ (0.0163) is below the clear threshold: raised to it
        Assert.Equal("auto: mean+2σ of 4 reference chunks", source);

        (raise, _, _) = new ThresholdCalibration([0.01, 0.02, 0.03, 0.02], 10).Apply(rule with { ClearThreshold = null });
        double sd = Math.Sqrt(((0.01 - 0.02) * (0.01 - 0.02) + (0.03 - 0.02) * (0.03 - 0.02)) / 3);
        Assert.Equal(0.02 + (2 * sd), raise, 1e-15);
    }

    [Fact]
    public void SaveAndRestore_KeepsThresholdsBitForBit_AlsoInTheMiddleOfTheReferencePeriod()
    {
        var drift = new DriftSettings([Auto(gated: false), new AlertRule("fixed", Psi, 0.1)], new DriftScoring { AutoReferenceWindows = 4 });
        var random = new Random(11);
        (byte[] Json, long T)[] events = [.. Enumerable.Range(0, 7).SelectMany(s => Second(random, s))];
        EntropyEngine straight = CreateEngine(drift);
        EntropyEngine restarted = CreateEngine(drift);
        for (int i = 0; i < events.Length; i++)
        {
            straight.Process(events[i].Json, events[i].T);
            restarted.Process(events[i].Json, events[i].T);
            if (i == 2_500 || i == 4_500) // in the 2nd and 3rd chunk: the chunks collected so far travel in the state
            {
                restarted = Restart(restarted, drift);
                Assert.Equal(ReferenceOrigin.Pending, restarted.DriftReferences()[0].Origin);
            }
        }

        straight.AdvanceTo(Origin + 7_000);
        restarted.AdvanceTo(Origin + 7_000);
        IReadOnlyList<ThresholdInForce> expected = straight.DriftReferences()[0].Thresholds;
        Assert.Equal(ReferenceOrigin.CapturedWindow, straight.DriftReferences()[0].Origin);
        Assert.Equal(4, expected.Count(t => t.Subject is not null)); // country, device, amount, status
        AssertBitForBit(expected, restarted.DriftReferences()[0].Thresholds);

        EntropyEngine again = Restart(straight, drift);
        AssertBitForBit(expected, again.DriftReferences()[0].Thresholds);
        Assert.Equal(Bytes(straight), Bytes(again)); // and the restored state saves to the same bytes
    }

    [Fact]
    public void StateWithoutCalibration_RestoredWithAnAutoRule_CapturesTheReferenceAfresh_AndBack()
    {
        var plain = new DriftSettings(AlertRule.Defaults);
        var auto = new DriftSettings([Auto(gated: false)], new DriftScoring { AutoReferenceWindows = 4 });
        var random = new Random(3);
        EntropyEngine engine = CreateEngine(plain);
        foreach ((byte[] json, long t) in Enumerable.Range(0, 6).SelectMany(s => Second(random, s)))
        {
            engine.Process(json, t);
        }

        Assert.Equal(ReferenceOrigin.CapturedWindow, engine.DriftReferences()[0].Origin);
        EntropyEngine calibrating = Restart(engine, auto);
        Assert.Equal(ReferenceOrigin.Pending, calibrating.DriftReferences()[0].Origin);
        Assert.Equal("auto: calibrating, 0 of 4 reference chunks", Assert.Single(calibrating.DriftReferences()[0].Thresholds).Source);
        Assert.Equal(engine.Processed, calibrating.Processed);

        foreach ((byte[] json, long t) in Enumerable.Range(6, 5).SelectMany(s => Second(random, s)))
        {
            calibrating.Process(json, t);
        }

        Assert.Equal(ReferenceOrigin.CapturedWindow, calibrating.DriftReferences()[0].Origin);
        EntropyEngine back = Restart(calibrating, plain); // the calibration is parsed and dropped; the reference stays
        DriftReference reference = back.DriftReferences()[0];
        Assert.Equal((ReferenceOrigin.CapturedWindow, 8_000L), (reference.Origin, reference.Events));
        Assert.All(reference.Thresholds, t => Assert.Equal("configured", t.Source));
    }

    [Fact]
    public void AutoRule_WithABaselineFile_OrInGroupMode_IsRefusedWithAClearMessage()
    {
        var encoder = new EventEncoder(Schema);
        Baseline baseline = Baseline.FromFrequencySet(new FrequencySet(encoder), "file");

        ArgumentException withBaseline = Assert.Throws<ArgumentException>(() => new DriftMonitor(encoder, [Auto(gated: false)], baseline: baseline));
        Assert.StartsWith("Alert rule 'auto-psi': an auto threshold is calibrated from chunks of a reference captured from the stream; a baseline file is one distribution with no chunks.", withBaseline.Message, StringComparison.Ordinal);

        ArgumentException group = Assert.Throws<ArgumentException>(() => new MergedDrift(Schema, new DriftSettings([Auto(gated: false)])));
        Assert.StartsWith("Alert rule 'auto-psi': auto thresholds are not supported in Group mode", group.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(101.0)]
    [InlineData(double.NaN)]
    public void Validate_KOutOfRange_NamesTheRule(double k)
    {
        var rule = new AlertRule("r", Psi, 0.1) { Auto = new AutoThreshold(k) };

        Assert.StartsWith("Alert rule 'r': the auto threshold's k must be a number from 0 to 100", rule.Validate(out string setting), StringComparison.Ordinal);
        Assert.Equal("K", setting);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DriftScoring { AutoReferenceWindows = 3 }.Validate());
    }

    private static EntropyEngine CreateEngine(DriftSettings drift) =>
        new(Schema, [new WindowDefinition("second", WindowKind.Tumbling, TimeSpan.FromSeconds(1))], EntropyEstimator.MaximumLikelihood, drift: drift);

    private static EntropyEngine Restart(EntropyEngine engine, DriftSettings drift)
    {
        using var state = new MemoryStream(Bytes(engine));
        EntropyEngine restored = CreateEngine(drift);
        restored.Restore(state);
        return restored;
    }

    private static byte[] Bytes(EntropyEngine engine)
    {
        using var state = new MemoryStream();
        engine.Save(state);
        return state.ToArray();
    }

    private static void AssertBitForBit(IReadOnlyList<ThresholdInForce> expected, IReadOnlyList<ThresholdInForce> actual)
    {
        Assert.Equal(expected.Select(t => (t.Rule, t.Subject, t.Source)), actual.Select(t => (t.Rule, t.Subject, t.Source)));
        Assert.Equal(expected.Select(t => BitConverter.DoubleToInt64Bits(t.Threshold)), actual.Select(t => BitConverter.DoubleToInt64Bits(t.Threshold)));
        Assert.Equal(expected.Select(t => BitConverter.DoubleToInt64Bits(t.ClearThreshold)), actual.Select(t => BitConverter.DoubleToInt64Bits(t.ClearThreshold)));
    }

    // 2 000 events in second s after Origin: four fields with a few values each.
    private static IEnumerable<(byte[] Json, long T)> Second(Random random, int s)
    {
        for (int i = 0; i < 2_000; i++)
        {
            byte[] json = Event($"C{random.Next(6)}", $"D{random.Next(3)}", random.Next(40).ToString(CultureInfo.InvariantCulture), $"S{random.Next(2)}");
            yield return (json, Origin + (s * 1000L) + (i / 2));
        }
    }

    private static double Median(IReadOnlyList<ThresholdInForce> thresholds)
    {
        double[] values = [.. thresholds.Where(t => t.Subject is not null).Select(t => t.Threshold).Order()];
        return values.Length == 0 ? double.NaN : values[values.Length / 2];
    }

    // A reference period of 10 chunks, then 200 closed windows (stamped 1..200); from window 1 on, the first `shifted`
    // fields have v0 at 30 % instead of 10 %. Returns the raises and the thresholds calibrated.
    private static int Run(AlertRule rule, int shifted, out IReadOnlyList<AlertEvent> events, out IReadOnlyList<ThresholdInForce> thresholds)
    {
        var stream = new ManyFieldsStream(Fields, Values, 0xA070_7E57);
        var monitor = new DriftMonitor(stream.Encoder, [rule], new DriftScoring { MinimumReferenceEvents = WindowEvents, AutoReferenceWindows = Chunks });
        var all = new List<AlertEvent>();
        for (int c = 0; c < Chunks; c++)
        {
            Assert.Equal(c == Chunks - 1, monitor.OnWindowClosed("w", stream.Window(WindowEvents, 0), -Chunks + c).ReferenceCaptured);
        }

        thresholds = monitor.DescribeReference("w")!.Thresholds;
        for (int w = 1; w <= Windows; w++)
        {
            all.AddRange(monitor.OnWindowClosed("w", stream.Window(WindowEvents, shifted), w).Alerts);
        }

        events = all;
        return all.Count(e => e.State == AlertState.Raised);
    }
}
