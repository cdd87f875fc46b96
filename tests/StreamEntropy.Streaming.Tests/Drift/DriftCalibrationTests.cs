using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;

namespace StreamEntropy.Streaming.Tests.Drift;

/// <summary>The measurements behind <see cref="AlertRule.Defaults"/>, kept as assertions so a change to the scoring that
/// invalidates the documented reasoning fails here.</summary>
public class DriftCalibrationTests
{
    [Fact]
    public void SparseField_SmallWindows_PsiIsNoiseButGTestIsNot()
    {
        var encoder = new EventEncoder(DriftStream.Schema);
        FrequencySet reference = new DriftStream(encoder, 1).Window(1_000_000);
        var live = new DriftStream(encoder, 2);
        var window = new FrequencySet(encoder);
        double minUserPsi = double.MaxValue;
        double maxUserSignificance = 0;
        double maxCategoryPsi = 0;
        for (int w = 0; w < 300; w++)
        {
            window.Clear();
            live.Fill(window, 1_000);
            DriftReport report = DriftCalculator.Compute("w", w, window, reference);
            minUserPsi = Math.Min(minUserPsi, report.Fields[2].Divergences.PopulationStability);
            maxUserSignificance = Math.Max(maxUserSignificance, report.Fields[2].GTestSignificance);
            maxCategoryPsi = Math.Max(maxCategoryPsi, report.Fields[0].Divergences.PopulationStability);
        }

        Assert.True(minUserPsi > 0.1, $"the 500-value field's PSI without change fell to {minUserPsi}: the gate's rationale changed");
        Assert.True(maxUserSignificance < 6, $"the 500-value field's G-test reached −log10 p = {maxUserSignificance} without change");
        Assert.True(maxCategoryPsi < 0.05, $"the 12-value field's PSI without change reached {maxCategoryPsi}");
    }

    [Fact]
    public void UngatedPsiRule_SparseFieldSmallWindows_FlapsWhereTheDefaultDoesNot()
    {
        var encoder = new EventEncoder(DriftStream.Schema);
        var baseline = Baseline.FromFrequencySet(new DriftStream(encoder, 1).Window(200_000));
        var ungated = new DriftMonitor(encoder, [new AlertRule("psi", DriftMetrics.PopulationStability, 0.1) { ClearThreshold = 0.05 }], baseline: baseline);
        var gated = new DriftMonitor(encoder, AlertRule.Defaults, baseline: baseline);
        var live = new DriftStream(encoder, 2);
        var window = new FrequencySet(encoder);
        int ungatedAlerts = 0;
        int gatedAlerts = 0;
        for (int w = 0; w < 50; w++)
        {
            window.Clear();
            live.Fill(window, 1_000);
            ungatedAlerts += ungated.OnWindowClosed("w", window, w).Alerts.Count;
            gatedAlerts += gated.OnWindowClosed("w", window, w).Alerts.Count;
        }

        Assert.True(ungatedAlerts > 0, "without the significance gate the sparse field should raise on noise");
        Assert.Equal(0, gatedAlerts);
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(10_000)]
    [InlineData(100_000)]
    public void InjectedChange_PsiAndSignificanceClearTheDefaultBarAtEveryWindowSize(int windowSize)
    {
        var encoder = new EventEncoder(DriftStream.Schema);
        FrequencySet reference = new DriftStream(encoder, 1).Window(1_000_000);
        var live = new DriftStream(encoder, 2) { Shifted = true };
        for (int w = 0; w < 5; w++)
        {
            FieldDrift category = DriftCalculator.Compute("w", w, live.Window(windowSize), reference).Fields[0];
            Assert.InRange(category.Divergences.PopulationStability, 0.15, 0.4);
            Assert.True(category.GTestSignificance > 20, $"−log10 p = {category.GTestSignificance}");
        }
    }
}
