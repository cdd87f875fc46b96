using CsCheck;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Drift;

namespace StreamEntropy.Streaming.Tests.Drift;

public class AlertEvaluatorTests
{
    private static readonly AlertRule Psi = new("psi-rule", DriftMetrics.PopulationStability, 0.1) { ClearThreshold = 0.05 };

    [Fact]
    public void Evaluate_TwoConsecutiveWindowsOverThreshold_Raises()
    {
        var evaluator = new AlertEvaluator([Psi]);
        Assert.Empty(evaluator.Evaluate(Report(0.2), 1));
        AlertEvent raised = Assert.Single(evaluator.Evaluate(Report(0.3), 2));
        Assert.Equal(new AlertEvent(AlertState.Raised, "psi-rule", "w", "f", null, "psi", 0.3, 0.1, 2, 2), raised);
        Assert.Equal([raised], evaluator.Active);
    }

    [Fact]
    public void Evaluate_StreakBroken_StartsOver()
    {
        var evaluator = new AlertEvaluator([Psi]);
        Assert.Empty(evaluator.Evaluate(Report(0.2), 1));
        Assert.Empty(evaluator.Evaluate(Report(0.09), 2));
        Assert.Empty(evaluator.Evaluate(Report(0.2), 3));
        Assert.Single(evaluator.Evaluate(Report(0.2), 4));
    }

    [Fact]
    public void Evaluate_BetweenClearAndRaiseThresholds_StaysRaised()
    {
        var evaluator = new AlertEvaluator([Psi]);
        Feed(evaluator, 0.2, 0.2);
        for (int i = 0; i < 10; i++)
        {
            Assert.Empty(evaluator.Evaluate(Report(i % 2 == 0 ? 0.06 : 0.2), 10 + i)); // hovering: no flapping
        }

        Assert.Single(evaluator.Active);
        Assert.Empty(evaluator.Evaluate(Report(0.04), 30));
        Assert.Empty(evaluator.Evaluate(Report(0.07), 31)); // breaks the clear streak
        Assert.Empty(evaluator.Evaluate(Report(0.04), 32));
        AlertEvent cleared = Assert.Single(evaluator.Evaluate(Report(0.01), 33));
        Assert.Equal((AlertState.Cleared, 0.05, 2, 33L), (cleared.State, cleared.Threshold, cleared.Consecutive, cleared.TimestampMs));
        Assert.Empty(evaluator.Active);
    }

    [Fact]
    public void Evaluate_UndefinedMetric_ResetsStreakAndKeepsState()
    {
        var evaluator = new AlertEvaluator([Psi]);
        Assert.Empty(evaluator.Evaluate(Report(0.2), 1));
        Assert.Empty(evaluator.Evaluate(Report(double.NaN), 2));
        Assert.Empty(evaluator.Evaluate(Report(0.2), 3));
        Assert.Single(evaluator.Evaluate(Report(0.2), 4));
        Assert.Empty(evaluator.Evaluate(Report(double.NaN), 5));
        Assert.Single(evaluator.Active);
    }

    [Fact]
    public void Evaluate_SignificanceGate_BlocksRaisingOnly()
    {
        var gated = Psi with { MinimumSignificance = 6 };
        var evaluator = new AlertEvaluator([gated]);
        Assert.Empty(evaluator.Evaluate(Report(0.5, significance: 5.9), 1));
        Assert.Empty(evaluator.Evaluate(Report(0.5, significance: 5.9), 2));
        Assert.Empty(evaluator.Evaluate(Report(0.5, significance: 7), 3));
        Assert.Single(evaluator.Evaluate(Report(0.5, significance: 7), 4));
        Assert.Empty(evaluator.Evaluate(Report(0.01, significance: 100), 5));
        Assert.Single(evaluator.Evaluate(Report(0.01, significance: 100), 6)); // clearing ignores the gate
    }

    [Fact]
    public void Evaluate_FiltersAndPairMetrics_ApplyToTheirSubjectsOnly()
    {
        var onlyG = new AlertRule("g", DriftMetrics.PopulationStability, 0.1) { RaiseAfter = 1, Subject = "g", Window = "w" };
        var mi = new AlertRule("mi", DriftMetrics.MutualInformationChange, 0.1) { RaiseAfter = 1 };
        var evaluator = new AlertEvaluator([onlyG, mi]);
        DriftReport report = Report(0.5) with
        {
            Fields = [Field("f", 0.5, 10), Field("g", 0.5, 10)],
            Pairs = [new PairDrift("f", "g", 0.1, 0.3, 1, 1, Field("f,g", 0, 0), [])],
        };

        IReadOnlyList<AlertEvent> events = evaluator.Evaluate(report, 1);
        Assert.Equal(["w/g/g", "w/f,g/mi"], events.Select(e => e.Key));
        Assert.Equal(new Streaming.Counting.PairDefinition("f", "g"), events[1].Pair);
        Assert.Equal(0.2, events[1].Value, 12); // |0.1 − 0.3|
        Assert.DoesNotContain(evaluator.Evaluate(report with { Window = "other" }, 2), e => e.Rule == "g");
    }

    [Fact]
    public void Evaluate_RandomSequences_MatchNaiveModel()
    {
        Gen.Select(Gen.Double[0, 0.2].Array[1, 60], Gen.Int[1, 3], Gen.Int[1, 3]).Sample((values, raiseAfter, clearAfter) =>
        {
            var evaluator = new AlertEvaluator([Psi with { RaiseAfter = raiseAfter, ClearAfter = clearAfter }]);
            // Model: scan the history; raised after the last `raiseAfter` values (since the last transition) are all
            // ≥ 0.1, cleared after the last `clearAfter` values (since the raise) are all < 0.05.
            bool raised = false;
            int since = 0; // index of the first window after the last transition
            for (int i = 0; i < values.Length; i++)
            {
                string? expected = null;
                int need = raised ? clearAfter : raiseAfter;
                if (i - since + 1 >= need && values.Skip(i - need + 1).Take(need).All(v => raised ? v < 0.05 : v >= 0.1))
                {
                    expected = raised ? "Cleared" : "Raised";
                    raised = !raised;
                    since = i + 1;
                }

                IReadOnlyList<AlertEvent> events = evaluator.Evaluate(Report(values[i]), i);
                Assert.Equal(expected, events.SingleOrDefault()?.State.ToString());
                Assert.Equal(raised, evaluator.Active.Count == 1);
            }
        });
    }

    [Theory]
    [InlineData("", "psi", 0.1, null)]
    [InlineData("r", "nope", 0.1, null)]
    [InlineData("r", "psi", 0, null)]
    [InlineData("r", "psi", 0.1, 0.2)]
    public void Constructor_InvalidRule_Throws(string name, string metric, double threshold, double? clear)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => new AlertEvaluator([new AlertRule(name, metric, threshold) { ClearThreshold = clear }]));
        Assert.NotEmpty(e.Message);
    }

    [Fact]
    public void Constructor_DuplicateNamesOrBadCounts_Throw()
    {
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => new AlertEvaluator([Psi, Psi])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new AlertEvaluator([Psi with { RaiseAfter = 0 }]));
        Assert.Throws<ArgumentException>(() => new AlertEvaluator([Psi with { ClearAfter = 0 }]));
        Assert.Throws<ArgumentException>(() => new AlertEvaluator([Psi with { MinimumSignificance = -1 }]));
        _ = new AlertEvaluator(AlertRule.Defaults);
    }

    internal static FieldDrift Field(string name, double psi, double significance) =>
        new(name, 100, 100, 1, 1, 0.1, 0.1, new Divergences(psi, psi, psi), new GTest(1, 3, Math.Pow(10, -significance), -significance));

    private static DriftReport Report(double psi, double significance = 10) =>
        new("w", 0, 100, [Field("f", psi, significance)], []);

    private static void Feed(AlertEvaluator evaluator, params double[] values)
    {
        foreach (double v in values)
        {
            evaluator.Evaluate(Report(v), 0);
        }
    }
}
