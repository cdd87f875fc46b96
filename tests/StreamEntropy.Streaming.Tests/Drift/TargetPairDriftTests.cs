using System.Globalization;
using System.Text;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Tests.Drift;

/// <summary>The default pair rule (|ΔI| ≥ 0.1 nats, <c>pair-mi</c>) on target pairs, through the engine: a feature whose
/// I(feature; label) collapses (a broken join) and one whose I jumps (label leakage) both raise, while every field's
/// distribution stays the same, so nothing else does.</summary>
public class TargetPairDriftTests
{
    private const long Origin = 1_700_000_000_000;
    private const int PerSecond = 4_000;

    private static readonly EventSchema Schema = new(
        [new("label", "label"), new("joined", "joined"), new("leaky", "leaky")],
        [new("joined", "label"), new("leaky", "label")]);

    private static readonly WindowDefinition[] Windows = [new("second", WindowKind.Tumbling, TimeSpan.FromSeconds(1))];

    [Fact]
    public void PairMiRule_IOfTargetPairCollapsesOrJumps_RaisesForBothAndNothingElse()
    {
        var engine = new EntropyEngine(Schema, Windows, EntropyEstimator.MaximumLikelihood, drift: new DriftSettings(AlertRule.Defaults));
        var random = new Random(17);
        var alerts = new List<AlertEvent>();
        var reports = new List<DriftReport>();

        // Seconds 0–3: joined is the label 90 % of the time, leaky is independent of it. From second 4 on the join is
        // broken (joined is drawn at random) and leaky is the label. All three fields stay uniform over four values.
        for (int second = 0; second < 8; second++)
        {
            bool changed = second >= 4;
            for (int i = 0; i < PerSecond; i++)
            {
                int label = random.Next(4);
                int joined = !changed && random.NextDouble() < 0.9 ? label : random.Next(4);
                int leaky = changed ? label : random.Next(4);
                string json = string.Create(CultureInfo.InvariantCulture, $"{{\"label\":\"L{label}\",\"joined\":\"J{joined}\",\"leaky\":\"K{leaky}\"}}");
                engine.Process(Encoding.UTF8.GetBytes(json), Origin + (second * 1000L) + ((long)i * 1000 / PerSecond));
            }

            reports.AddRange(engine.TakeClosed().Select(s => s.Drift).OfType<DriftReport>());
            alerts.AddRange(engine.TakeAlerts());
        }

        // The references: the first complete window, second 1 (second 0 is the first, partial one).
        PairDrift brokenJoin = reports[^1].Pairs.Single(p => p.X == "joined");
        PairDrift leakage = reports[^1].Pairs.Single(p => p.X == "leaky");
        Assert.True(brokenJoin.MutualInformationChange < -0.5, $"ΔI(joined; label) = {brokenJoin.MutualInformationChange}");
        Assert.True(leakage.MutualInformationChange > 0.5, $"ΔI(leaky; label) = {leakage.MutualInformationChange}");

        Assert.Equal(["second/joined,label/pair-mi", "second/leaky,label/pair-mi"], alerts.Select(a => a.Key).Order(StringComparer.Ordinal));
        Assert.All(alerts, a =>
        {
            Assert.Equal(AlertState.Raised, a.State);
            Assert.Equal(DriftMetrics.MutualInformationChange, a.Metric);
            Assert.Equal(Origin + 6_000, a.TimestampMs); // seconds 4 and 5 over the threshold: raised when second 5 closes
            Assert.True(Math.Abs(a.Value) >= 0.1);
        });
        Assert.Equal(2, engine.ActiveAlerts.Count);
    }
}
