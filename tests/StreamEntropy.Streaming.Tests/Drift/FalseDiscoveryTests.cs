using System.Globalization;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;
using Xunit.Abstractions;

namespace StreamEntropy.Streaming.Tests.Drift;

public class FalseDiscoveryTests(ITestOutputHelper output)
{
    private const int Fields = 200;
    private const int Values = 5;
    private const int Windows = 50;
    private const int WindowEvents = 500;
    private const int ReferenceEvents = 5_000;
    private const double Q = 0.05;

    // Raises on a G-test p ≤ 0.01 in one window, clears once p > 0.1: on a stationary stream of 200 fields each close
    // has about two fields below 0.01 by chance, the storm multiple testing causes. Its gate is the whole FDR control:
    // MinimumSignificance 0 means "adjusted p ≤ q" alone.
    private static AlertRule Storm(double q) =>
        new("storm", DriftMetrics.GTestSignificance, 2) { ClearThreshold = 1, RaiseAfter = 1, ClearAfter = 1, MinimumSignificance = 0, FalseDiscoveryRate = q };

    [Fact]
    public void Adjust_IsBenjaminiHochbergOfThePValues()
    {
        double[] p = [0.01, 0.04, 0.03, 0.005, 0.5, 0.2];
        double[] significances = [.. p.Select(x => -Math.Log10(x))];
        double[] adjusted = new double[p.Length];

        FalseDiscovery.Adjust(significances, adjusted);

        // By the definition: sorted ascending, adjusted p₍ᵢ₎ = min over j ≥ i of (m/j)·p₍ⱼ₎, capped at 1.
        double[] sorted = [.. p.Order()];
        for (int i = 0; i < p.Length; i++)
        {
            int rank = Array.IndexOf(sorted, p[i]) + 1;
            double expected = Math.Min(1, Enumerable.Range(rank, p.Length - rank + 1).Min(j => p.Length * sorted[j - 1] / j));
            Assert.Equal(expected, Math.Pow(10, -adjusted[i]), 1e-12);
        }
    }

    [Fact]
    public void Adjust_FamilyOfOne_IsUnchangedBitForBit_AndUndefinedIsNoTest()
    {
        double[] significances = [double.NaN, 7.123456789, double.NaN];
        double[] adjusted = new double[3];

        FalseDiscovery.Adjust(significances, adjusted);

        Assert.True(double.IsNaN(adjusted[0]) && double.IsNaN(adjusted[2]));
        Assert.Equal(BitConverter.DoubleToInt64Bits(7.123456789), BitConverter.DoubleToInt64Bits(adjusted[1]));
    }

    [Fact]
    public void Adjust_SignificanceFarBelowTheSmallestDouble_StaysFinite()
    {
        double[] adjusted = new double[2];
        FalseDiscovery.Adjust([700, 650], adjusted);
        Assert.Equal(700 - Math.Log10(2), adjusted[0], 1e-9);
        Assert.Equal(650, adjusted[1], 1e-9);
    }

    [Fact]
    public void Evaluate_GatesOnTheAdjustedPValue_OverEveryFieldOfTheClose()
    {
        // Raw −log₁₀ p of 6.2 passes a gate of 6; next to a field with 1 (m = 2) its adjusted value is
        // max(6.2 − log₁₀ 2, 1) ≈ 5.9, which does not. The family is the whole close, also for a rule on one subject.
        var rule = new AlertRule("r", DriftMetrics.PopulationStability, 0.1) { RaiseAfter = 1, MinimumSignificance = 6, Subject = "a" };
        var report = new DriftReport("w", 0, 100, [AlertEvaluatorTests.Field("a", 0.5, 6.2), AlertEvaluatorTests.Field("b", 0.5, 1)], []);

        Assert.Empty(new AlertEvaluator([rule]).Evaluate(report, 1));
        Assert.Single(new AlertEvaluator([rule with { FalseDiscoveryRate = 0 }]).Evaluate(report, 1));
        Assert.Single(new AlertEvaluator([rule with { FalseDiscoveryRate = null }]).Evaluate(report, 1));
        Assert.Single(new AlertEvaluator([rule]).Evaluate(report with { Fields = [report.Fields[0]] }, 1)); // a family of one

        // Without a gate there is nothing to adjust; MinimumSignificance 0 gates on adjusted p ≤ q alone.
        Assert.Single(new AlertEvaluator([rule with { MinimumSignificance = null }]).Evaluate(report, 1));
        var weak = new DriftReport("w", 0, 100, [AlertEvaluatorTests.Field("a", 0.5, 1.5), AlertEvaluatorTests.Field("b", 0.5, 0.1)], []);
        Assert.Empty(new AlertEvaluator([rule with { MinimumSignificance = 0 }]).Evaluate(weak, 1)); // adjusted p = 2 · 0.0316 > q = 0.05
        Assert.Single(new AlertEvaluator([rule with { MinimumSignificance = 0, FalseDiscoveryRate = 0.1 }]).Evaluate(weak, 1));
    }

    [Fact]
    public void Validate_FalseDiscoveryRateOutOfRange_NamesTheRuleAndSetting()
    {
        foreach (double q in new[] { -0.1, 1, 1.5, double.NaN })
        {
            string? problem = (Storm(0) with { FalseDiscoveryRate = q }).Validate(out string setting);
            Assert.Equal(nameof(AlertRule.FalseDiscoveryRate), setting);
            Assert.StartsWith("Alert rule 'storm': FalseDiscoveryRate must be in (0, 1), or 0 for no correction, not ", problem, StringComparison.Ordinal);
        }

        Assert.Null(Storm(0).Validate(out _));
        Assert.Null((Storm(0) with { FalseDiscoveryRate = null }).Validate(out _));
        Assert.Equal(AlertRule.DefaultFalseDiscoveryRate, new AlertRule("r", DriftMetrics.PopulationStability, 0.1).FalseDiscoveryRate);
    }

    [Fact]
    public void StationaryStream_200Fields_FdrOnRaisesWithinQ_FdrOffStorms()
    {
        int on = Run(Storm(Q), shifted: 0, out _, out double[] adjustedBelowRaw);
        int off = Run(Storm(0), shifted: 0, out _, out _);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Fields} fields x {Windows} closed windows of {WindowEvents} events, stationary: {off} alerts raised without FDR control, {on} with q = {Q}"));

        // Without change every raise is false. Under the global null Benjamini–Hochberg raises in a close with
        // probability about q, so about q·50 = 2.5 closes with a false alert are expected; 10 leaves a wide margin.
        Assert.InRange(on, 0, 10);
        Assert.True(off >= 40, $"FDR off raised only {off}: the stream does not show the storm the control prevents");
        Assert.True(off >= 4 * Math.Max(on, 1));
        Assert.All(adjustedBelowRaw, d => Assert.True(d >= 0)); // the adjusted p is never below the raw one
    }

    [Fact]
    public void ShiftedFields_FdrOn_StillRaiseWithinTwoWindows()
    {
        const int Shifted = 5;
        int raised = Run(Storm(Q), Shifted, out IReadOnlyList<AlertEvent> events, out _);
        int defaults = Run(null, Shifted, out IReadOnlyList<AlertEvent> defaultEvents, out _);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"5 of {Fields} fields shifted 10 % -> 30 %: storm rule with q = {Q} raised {raised} alerts, the default rules {defaults}"));

        string[] expected = [.. Enumerable.Range(0, Shifted).Select(ManyFieldsStream.Name)];
        foreach (string field in expected)
        {
            // The shift starts with the first closed window; the storm rule raises in it, field-psi in the second.
            Assert.Contains(events, e => e.Field == field && e.State == AlertState.Raised && e.TimestampMs == 1);
            Assert.Contains(defaultEvents, e => e.Field == field && e.Rule == "field-psi" && e.State == AlertState.Raised && e.TimestampMs <= 2);
        }

        Assert.Equal(expected, defaultEvents.Where(e => e.State == AlertState.Raised).Select(e => e.Field!).Order(StringComparer.Ordinal));

        // With 5 true discoveries per close Benjamini–Hochberg lets unchanged fields through at about q/(1 − q) of
        // them: the share of false ones among all BH discoveries over the run is what q bounds.
        (int discoveries, int falseDiscoveries) = Discoveries(Storm(Q), Shifted);
        int falseRaises = events.Count(e => e.State == AlertState.Raised && !expected.Contains(e.Field));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"BH discoveries at q = {Q} over {Windows} closes: {discoveries}, of them false {falseDiscoveries} ({(double)falseDiscoveries / discoveries:P1}); false raises {falseRaises}"));
        Assert.True(discoveries >= Shifted * Windows);
        Assert.InRange((double)falseDiscoveries / discoveries, 0, 2 * Q);
        Assert.InRange(falseRaises, 0, falseDiscoveries);
    }

    // The subjects whose adjusted p is at most q at each close, summed over the run; false ones are unchanged fields.
    private static (int All, int False) Discoveries(AlertRule rule, int shifted)
    {
        _ = Run(rule, shifted, out _, out _, out List<DriftReport> reports);
        double gate = -Math.Log10(Q);
        FieldDrift[] found = [.. reports.SelectMany(r => r.Fields).Where(f => f.AdjustedGTestSignificance >= gate)];
        return (found.Length, found.Count(f => string.CompareOrdinal(f.Name, ManyFieldsStream.Name(shifted)) >= 0));
    }

    private static int Run(AlertRule? rule, int shifted, out IReadOnlyList<AlertEvent> events, out double[] gaps) =>
        Run(rule, shifted, out events, out gaps, out _);

    // Feeds a reference window and 50 closed windows; the first `shifted` fields have value v0 at 30 % instead of 10 %
    // after the reference. Returns the raises; `gaps` holds raw − adjusted significance of every scored field.
    private static int Run(AlertRule? rule, int shifted, out IReadOnlyList<AlertEvent> events, out double[] gaps, out List<DriftReport> reports)
    {
        var stream = new ManyFieldsStream(Fields, Values, 0x5EED_F0D2);
        var monitor = new DriftMonitor(stream.Encoder, rule is null ? AlertRule.Defaults : [rule]);
        var all = new List<AlertEvent>();
        var gapList = new List<double>();
        var reportList = new List<DriftReport>();

        Assert.True(monitor.OnWindowClosed("w", stream.Window(ReferenceEvents, 0), 0).ReferenceCaptured);
        for (int w = 1; w <= Windows; w++)
        {
            DriftEvaluation evaluation = monitor.OnWindowClosed("w", stream.Window(WindowEvents, shifted), w);
            all.AddRange(evaluation.Alerts);
            reportList.Add(evaluation.Report!);
            gapList.AddRange(evaluation.Report!.Fields.Select(f => f.GTestSignificance - f.AdjustedGTestSignificance));
        }

        events = all;
        gaps = [.. gapList];
        reports = reportList;
        return all.Count(e => e.State == AlertState.Raised);
    }
}
