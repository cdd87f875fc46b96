using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Tests.Engine;
using StreamEntropy.Streaming.Windows;
using Xunit.Abstractions;

namespace StreamEntropy.Streaming.Tests.Drift;

/// <summary>Drift of fields with a MaxDistinct budget: the exact JS and TV from full counts lie in the reported brackets,
/// a shift is detected from the lower bound, and the brackets tighten as the budget grows.</summary>
public class BudgetedDriftTests(ITestOutputHelper output)
{
    public enum Shape
    {
        /// <summary>Zipf(1.1) over 50 000 values.</summary>
        Zipf,

        /// <summary>Uniform over 20 000 values: no heavy hitters at all.</summary>
        Uniform,

        /// <summary>The reference is Zipf; the windows are Zipf with the ranks moved by 7 and a tenth of the events on new values.</summary>
        Shifted,
    }

    public static TheoryData<Shape, int, int> Cases()
    {
        var data = new TheoryData<Shape, int, int>();
        foreach (Shape shape in Enum.GetValues<Shape>())
        {
            foreach (int seed in new[] { 1, 2, 3 })
            {
                foreach (int budget in new[] { 64, 512 })
                {
                    data.Add(shape, seed, budget);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Budgeted_EveryWindow_ExactJsAndTvLieInTheBracket(Shape shape, int seed, int budget)
    {
        var random = new Random(seed);
        Func<Random, ulong> referenceDraw = Draw(shape == Shape.Uniform ? Shape.Uniform : Shape.Zipf);
        Func<Random, ulong> windowDraw = Draw(shape);
        (BoundedCounts reference, Dictionary<ulong, long> referenceExact) = Fill(budget, 20_000, referenceDraw, random);
        int bracketed = 0;
        for (int window = 0; window < 8; window++)
        {
            // Odd windows are merged from three panes (as a sliding window reports): merged summaries have Σ counts > N.
            (BoundedCounts current, Dictionary<ulong, long> exact) = window % 2 == 0
                ? Fill(budget, 200 + (window * 1_000), windowDraw, random)
                : Merged(budget, 3, 2_000, windowDraw, random);
            FieldDrift drift = DriftCalculator.Budgeted("id", current, reference, EntropyEstimator.MillerMadow, Divergences.DefaultEpsilon);
            (double js, double tv) = ExactScores(exact, referenceExact);

            Assert.Equal((exact.Values.Sum(), referenceExact.Values.Sum()), (drift.CurrentCount, drift.ReferenceCount));
            if (drift.Bounds is { } b)
            {
                bracketed++;
                Assert.True(b.JensenShannonLower <= js && js <= b.JensenShannonUpper, $"window {window}: JS {js:R} outside [{b.JensenShannonLower:R}, {b.JensenShannonUpper:R}]");
                Assert.True(b.TotalVariationLower <= tv && tv <= b.TotalVariationUpper, $"window {window}: TV {tv:R} outside [{b.TotalVariationLower:R}, {b.TotalVariationUpper:R}]");
                Assert.True(double.IsNaN(drift.Divergences.PopulationStability) && double.IsNaN(drift.GTestSignificance) && double.IsNaN(drift.EntropyChange));
                Assert.Equal(b.JensenShannonLower, DriftMetrics.Read(drift, DriftMetrics.JensenShannon));
                Assert.Equal(b.TotalVariationLower, DriftMetrics.Read(drift, DriftMetrics.TotalVariation));
            }
            else
            {
                Assert.True(current.IsExact && reference.IsExact);
                Assert.Equal(js, drift.Divergences.JensenShannon, 12);
                Assert.Equal(tv, drift.Divergences.TotalVariation, 12);
            }
        }

        Assert.True(bracketed > 0, "no window was scored from a summary");
    }

    [Fact]
    public void Budgeted_BothSidesWithinTheBudget_ScoresEqualTheUnbudgetedField()
    {
        var random = new Random(5);
        Func<Random, ulong> draw = Draw(Shape.Zipf);
        (BoundedCounts reference, Dictionary<ulong, long> referenceExact) = Fill(100_000, 20_000, draw, random);
        (BoundedCounts current, Dictionary<ulong, long> exact) = Fill(100_000, 5_000, draw, random);
        (CountTable c, CountTable r) = Tables(exact, referenceExact);

        FieldDrift budgeted = DriftCalculator.Budgeted("id", current, reference, EntropyEstimator.MillerMadow, Divergences.DefaultEpsilon);
        FieldDrift unbudgeted = DriftCalculator.Distribution("id", c, r);

        Assert.Null(budgeted.Bounds);
        Assert.Equal(unbudgeted.Divergences.PopulationStability, budgeted.Divergences.PopulationStability, 10);
        Assert.Equal(unbudgeted.GTestSignificance, budgeted.GTestSignificance, 8);
        Assert.Equal(unbudgeted.EntropyChangeStandardErrors, budgeted.EntropyChangeStandardErrors, 8);
    }

    [Fact]
    public void Budgeted_LargerBudget_TightensTheBracket()
    {
        double[] widths = [.. new[] { 32, 128, 512, 2048 }.Select(budget =>
        {
            // The same streams for every budget.
            var random = new Random(11);
            Func<Random, ulong> draw = Draw(Shape.Zipf);
            (BoundedCounts reference, _) = Fill(budget, 40_000, draw, random);
            (BoundedCounts current, _) = Fill(budget, 10_000, Draw(Shape.Shifted), random);
            DivergenceBracket b = DriftCalculator.Budgeted("id", current, reference, EntropyEstimator.MillerMadow, Divergences.DefaultEpsilon).Bounds!.Value;
            output.WriteLine($"budget {budget}: JS [{b.JensenShannonLower:F4}, {b.JensenShannonUpper:F4}], TV [{b.TotalVariationLower:F4}, {b.TotalVariationUpper:F4}], rest {b.CurrentRestShare:F3}/{b.ReferenceRestShare:F3}");
            return (b.JensenShannonUpper - b.JensenShannonLower) + (b.TotalVariationUpper - b.TotalVariationLower);
        })];

        for (int i = 1; i < widths.Length; i++)
        {
            Assert.True(widths[i] < widths[i - 1], $"width {widths[i]} at step {i} is not below {widths[i - 1]}");
        }
    }

    [Fact]
    public void Engine_ShiftOnABudgetedFieldOverItsBudget_RaisesOnTheJsLowerBoundOnlyAfterTheShift()
    {
        // Rule on the certified lower bound; reference = the first 10 s window (Zipf over 50k ids, budget 256).
        var rule = new AlertRule("id-js", DriftMetrics.JensenShannon, 0.05) { Subject = "id" };
        WindowDefinition[] tumbling = [new("10s", WindowKind.Tumbling, TimeSpan.FromSeconds(10))];
        var engine = new EntropyEngine(BudgetTestKit.Schema(256), tumbling, EntropyEstimator.MaximumLikelihood, drift: new DriftSettings([rule]));
        var random = new Random(3);
        Func<Random, ulong> zipf = Draw(Shape.Zipf);
        Func<Random, ulong> shifted = Draw(Shape.Shifted);
        const int perWindow = 20_000;
        for (int w = 0; w < 8; w++)
        {
            for (int i = 0; i < perWindow; i++)
            {
                ulong id = (w < 4 ? zipf : shifted)(random);
                engine.Process(BudgetTestKit.Event("de", $"u{id}"), (w * 10_000L) + (i * 10_000L / perWindow));
            }
        }

        engine.AdvanceTo(80_000);
        IReadOnlyList<WindowSnapshot> closed = engine.TakeClosed();
        IReadOnlyList<AlertEvent> alerts = engine.TakeAlerts();
        foreach (WindowSnapshot s in closed.Where(s => s.Drift is not null))
        {
            FieldDrift id = Assert.Single(s.Drift!.Fields, f => f.Name == "id");
            DivergenceBracket b = id.Bounds!.Value;
            output.WriteLine($"{s.End:HH:mm:ss}: JS [{b.JensenShannonLower:F4}, {b.JensenShannonUpper:F4}] TV [{b.TotalVariationLower:F4}, {b.TotalVariationUpper:F4}]");
        }

        AlertEvent raised = Assert.Single(alerts, a => a.State == AlertState.Raised);
        Assert.Equal(("id-js", "id"), (raised.Rule, raised.Field));
        Assert.True(raised.TimestampMs is 60_000, $"raised at {raised.TimestampMs}"); // windows 5 and 6 (ends 50 s, 60 s) after the shift at 40 s
        Assert.True(closed.Where(s => s.End.ToUnixTimeMilliseconds() <= 40_000 && s.Drift is not null)
            .All(s => DriftMetrics.Read(s.Drift!.Fields.Single(f => f.Name == "id"), DriftMetrics.JensenShannon) < rule.Threshold));
    }

    [Fact]
    public void Engine_DiscoveredFieldsWithTheDefaultBudget_AreScoredAndAlertLikeUnbudgetedOnes()
    {
        // Discovered fields get MaxDistinct 4096 by default; with fewer distinct values they are scored exactly, so
        // the default rules treat them as they treat an unbudgeted field. f1 shifts from the 6th window on.
        EntropyEngine budgeted = Discovering(DiscoveryRule.DefaultMaxDistinct);
        EntropyEngine unbudgeted = Discovering(0);
        var random = new Random(21);
        for (int i = 0; i < 12_000; i++)
        {
            bool shifted = i >= 6_000;
            string f1 = shifted && random.NextDouble() < 0.3 ? "v0" : $"v{random.Next(12)}";
            byte[] json = System.Text.Encoding.UTF8.GetBytes($"{{\"f0\":\"a{random.Next(8)}\",\"f1\":\"{f1}\",\"f2\":{random.Next(300)}}}");
            budgeted.Process(json, i);
            unbudgeted.Process(json, i);
        }

        budgeted.AdvanceTo(12_000);
        unbudgeted.AdvanceTo(12_000);
        DriftReport[] withBudget = [.. budgeted.TakeClosed().Select(s => s.Drift).OfType<DriftReport>()];
        DriftReport[] without = [.. unbudgeted.TakeClosed().Select(s => s.Drift).OfType<DriftReport>()];

        Assert.True(budgeted.Schema.Fields.All(f => f.MaxDistinct == DiscoveryRule.DefaultMaxDistinct));
        Assert.Equal(11, withBudget.Length); // 12 closed windows, the first is the reference
        Assert.Equal(without.Length, withBudget.Length);
        for (int r = 0; r < without.Length; r++)
        {
            Assert.Equal(["f0", "f1", "f2"], withBudget[r].Fields.Select(f => f.Name));
            for (int f = 0; f < 3; f++)
            {
                FieldDrift e = without[r].Fields[f];
                FieldDrift b = withBudget[r].Fields[f];
                Assert.Null(b.Bounds);
                Assert.Equal(e.Divergences.PopulationStability, b.Divergences.PopulationStability, 12);
                Assert.Equal(e.Divergences.JensenShannon, b.Divergences.JensenShannon, 12);
                Assert.Equal(e.GTestSignificance, b.GTestSignificance, 9);
                Assert.Equal(e.AdjustedGTestSignificance, b.AdjustedGTestSignificance, 9);
            }
        }

        IReadOnlyList<AlertEvent> alerts = budgeted.TakeAlerts();
        Assert.Equal(Keys(unbudgeted.TakeAlerts()), Keys(alerts));
        Assert.Contains(alerts, a => a is { State: AlertState.Raised, Rule: "field-psi", Field: "f1" });
        Assert.DoesNotContain(alerts, a => a.Field is "f0" or "f2");

        static string[] Keys(IReadOnlyList<AlertEvent> alerts) => [.. alerts.Select(a => $"{a.State} {a.Key} {a.TimestampMs}")];

        static EntropyEngine Discovering(int maxDistinct) => new(
            new EventSchema([], [], [new DiscoveryRule(FieldPattern.Parse("*"), [], DiscoveryRule.DefaultMaxFields, maxDistinct)], []),
            [new WindowDefinition("1s", WindowKind.Tumbling, TimeSpan.FromSeconds(1))],
            EntropyEstimator.MaximumLikelihood, // budgets need the plug-in estimator; drift scoring keeps its own
            drift: new DriftSettings(AlertRule.Defaults));
    }

    [Fact]
    public void Engine_SaveAndRestoreWithABudgetedReferenceOverItsBudget_ReportsTheSameBrackets()
    {
        WindowDefinition[] windows = [new("10s", WindowKind.Tumbling, TimeSpan.FromSeconds(10)), new("6s", WindowKind.Sliding, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(2))];
        EntropyEngine Create() => new(BudgetTestKit.Schema(128), windows, EntropyEstimator.MaximumLikelihood, drift: new DriftSettings(AlertRule.Defaults));
        EntropyEngine uninterrupted = Create();
        EntropyEngine first = Create();
        (byte[] Json, long T)[] events = BudgetTestKit.TwoPhases(1.1, values: 20_000, heavy: 20_000, light: 8_000, seed: 4);
        int half = events.Length * 6 / 7; // at 20 s: after the references (over the budget) were captured
        var expected = new List<WindowSnapshot>();
        var actual = new List<WindowSnapshot>();
        foreach ((byte[] json, long t) in events[..half])
        {
            uninterrupted.Process(json, t);
            first.Process(json, t);
        }

        expected.AddRange(uninterrupted.TakeClosed());
        actual.AddRange(first.TakeClosed());
        int closedBefore = expected.Count;
        using var state = new MemoryStream();
        uninterrupted.Save(new MemoryStream()); // saving re-bases sums: both engines save at the same point
        first.Save(state);
        state.Position = 0;
        EntropyEngine restored = Create();
        restored.Restore(state);
        foreach ((byte[] json, long t) in events[half..])
        {
            uninterrupted.Process(json, t);
            restored.Process(json, t);
        }

        uninterrupted.AdvanceTo(30_000);
        restored.AdvanceTo(30_000);
        expected.AddRange(uninterrupted.TakeClosed());
        actual.AddRange(restored.TakeClosed());

        string[] want = Brackets(expected);
        Assert.Contains(want.Skip(Brackets(expected[..closedBefore]).Length), line => line.Contains("bounds", StringComparison.Ordinal));
        Assert.Equal(want, Brackets(actual));

        static string[] Brackets(List<WindowSnapshot> snapshots) =>
            [.. snapshots.Where(s => s.Drift is not null).Select(s => $"{s.Window} {s.End:O} " + string.Join(' ', s.Drift!.Fields.Select(f => f.Bounds is { } b
                ? $"{f.Name} bounds {b.JensenShannonLower:R} {b.JensenShannonUpper:R} {b.TotalVariationLower:R} {b.TotalVariationUpper:R}"
                : $"{f.Name} psi {f.Divergences.PopulationStability:R}")))];
    }

    // Zipf(1.1) over 50 000 ranks; uniform over 20 000; the shifted Zipf has ranks moved by 7 and 10 % new values.
    private static Func<Random, ulong> Draw(Shape shape)
    {
        double[] cumulative = BudgetTestKit.ZipfCumulative(50_000, 1.1);
        ulong Zipf(Random r)
        {
            int rank = Array.BinarySearch(cumulative, r.NextDouble());
            return (ulong)(rank < 0 ? Math.Min(~rank, cumulative.Length - 1) : rank);
        }

        return shape switch
        {
            Shape.Zipf => Zipf,
            Shape.Uniform => r => (ulong)r.Next(20_000),
            _ => r => r.NextDouble() < 0.1 ? 1_000_000UL + (ulong)r.Next(5_000) : Zipf(r) + 7,
        };
    }

    private static (BoundedCounts Counts, Dictionary<ulong, long> Exact) Fill(int budget, int events, Func<Random, ulong> draw, Random random)
    {
        var counts = new BoundedCounts(budget);
        var exact = new Dictionary<ulong, long>();
        for (int i = 0; i < events; i++)
        {
            ulong key = draw(random);
            counts.Add(key);
            exact[key] = exact.GetValueOrDefault(key) + 1;
        }

        return (counts, exact);
    }

    private static (BoundedCounts Counts, Dictionary<ulong, long> Exact) Merged(int budget, int panes, int perPane, Func<Random, ulong> draw, Random random)
    {
        var merged = new BoundedCounts(budget);
        var exact = new Dictionary<ulong, long>();
        for (int p = 0; p < panes; p++)
        {
            (BoundedCounts pane, Dictionary<ulong, long> paneExact) = Fill(budget, perPane, draw, random);
            merged.Merge(pane);
            foreach ((ulong key, long n) in paneExact)
            {
                exact[key] = exact.GetValueOrDefault(key) + n;
            }
        }

        return (merged, exact);
    }

    // JS and TV from the full counts, by the exact path (Divergences over aligned tables).
    private static (double Js, double Tv) ExactScores(Dictionary<ulong, long> current, Dictionary<ulong, long> reference)
    {
        (CountTable c, CountTable r) = Tables(current, reference);
        Divergences d = Divergences.Compute(c, r);
        return (d.JensenShannon, d.TotalVariation);
    }

    private static (CountTable Current, CountTable Reference) Tables(Dictionary<ulong, long> current, Dictionary<ulong, long> reference)
    {
        var ids = new Dictionary<ulong, int>();
        return (Table(current), Table(reference));

        CountTable Table(Dictionary<ulong, long> counts)
        {
            var table = new CountTable();
            foreach ((ulong key, long n) in counts)
            {
                if (!ids.TryGetValue(key, out int id))
                {
                    id = ids.Count;
                    ids.Add(key, id);
                }

                table.Add(id, n);
            }

            return table;
        }
    }
}
