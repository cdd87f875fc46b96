using System.Net.Http.Headers;
using StreamEntropy.IntegrationTests.Infrastructure;
using StreamEntropy.Worker.Demo;
using Xunit.Abstractions;

namespace StreamEntropy.IntegrationTests.Observability;

/// <summary><c>/metrics</c> of the running demo worker: valid for promtool, every family there, sane values.</summary>
[Collection(ObservabilityCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class MetricsTests(DemoWorkerFixture worker, ITestOutputHelper output)
{
    private const string Promtool = "promtool";
    private const double Tolerance = 1e-9;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan AlertTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PromtoolTimeout = TimeSpan.FromSeconds(20);

    [RequiresToolFact(Promtool)]
    public async Task Scrape_EventsConsumed_PassesPromtoolCheckMetrics()
    {
        string promtool = SystemTool.Require(Promtool);
        string scrape = await worker.ScrapeWhenCompleteAsync(Timeout);

        ChildProcess.Result check = await ChildProcess.RunAsync(promtool, ["check", "metrics"], scrape, PromtoolTimeout);

        Assert.True(check.ExitCode == 0, $"promtool check metrics exited with {check.ExitCode}:\n{check.Stdout}{check.Stderr}");
        Assert.Equal("", check.Stdout.Trim() + check.Stderr.Trim()); // no lint findings at all
    }

    [Fact]
    public async Task Scrape_EventsConsumed_ContentTypeIsPrometheusText()
    {
        await worker.ScrapeWhenCompleteAsync(Timeout);
        using HttpResponseMessage response = await worker.Http.GetAsync(new Uri("metrics", UriKind.Relative));

        response.EnsureSuccessStatusCode();
        MediaTypeHeaderValue? type = response.Content.Headers.ContentType;
        Assert.Equal("text/plain", type?.MediaType);
        Assert.Contains(type!.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
    }

    [Fact]
    public async Task Scrape_EventsConsumed_CountersArePositiveAndConsistent()
    {
        var metrics = PrometheusText.Parse(await worker.ScrapeWhenCompleteAsync(Timeout));

        Assert.Equal("counter", metrics.Types["streamentropy_events_consumed_total"]);
        double consumed = Assert.Single(metrics["streamentropy_events_consumed_total"]).Value;
        double deadLettered = Assert.Single(metrics["streamentropy_events_dead_lettered_total"]).Value;
        Assert.True(consumed > 0, $"events consumed = {consumed}");
        Assert.InRange(deadLettered, 0, consumed * 0.05); // the demo sends about 0.1 % malformed events
        Assert.True(consumed <= worker.Producer.Produced, $"consumed {consumed} > produced {worker.Producer.Produced}");

        var missing = metrics["streamentropy_field_missing_total"].ToDictionary(s => s.Label("field"), s => s.Value);
        Assert.Equal(DemoWorkerFixture.Fields.Order(), missing.Keys.Order());
        Assert.All(missing.Values, v => Assert.InRange(v, 0, consumed));
    }

    [Fact]
    public async Task Scrape_EventsConsumed_EntropyGaugesPerWindowAndFieldWithinBounds()
    {
        var metrics = PrometheusText.Parse(await worker.ScrapeWhenCompleteAsync(Timeout));

        Assert.Equal("gauge", metrics.Types["streamentropy_field_entropy_bit"]);
        var distinct = metrics["streamentropy_field_distinct"].ToDictionary(s => (s.Label("window"), s.Label("field")), s => s.Value);
        var entropy = metrics["streamentropy_field_entropy_bit"].ToDictionary(s => (s.Label("window"), s.Label("field")), s => s.Value);
        foreach (string window in DemoWorkerFixture.Windows)
        {
            foreach (string field in DemoWorkerFixture.Fields)
            {
                Assert.True(entropy.TryGetValue((window, field), out double h), $"no streamentropy_field_entropy_bit{{window=\"{window}\",field=\"{field}\"}}");
                double k = distinct[(window, field)];
                Assert.True(k >= 1, $"{window}/{field}: distinct = {k}");
                Assert.InRange(h, 0, Math.Log2(k) + Tolerance); // 0 ≤ H(X) ≤ log2 K
            }
        }

        Assert.All(metrics["streamentropy_field_entropy_normalized"], s => Assert.InRange(s.Value, 0, 1 + Tolerance));
        Assert.All(metrics["streamentropy_field_entropy_standard_error_bit"], s => Assert.True(s.Value >= 0, $"SE {s.Value}"));
        Assert.All(metrics["streamentropy_field_coverage"], s => Assert.InRange(s.Value, 0, 1));
        Assert.All(metrics["streamentropy_field_exact"], s => Assert.Equal(1, s.Value)); // no MaxDistinct budget: always exact
        Assert.Equal(entropy.Count, metrics["streamentropy_field_exact"].Count());

        var events = metrics["streamentropy_window_events"].ToDictionary(s => s.Label("window"), s => s.Value);
        Assert.Equal(DemoWorkerFixture.Windows.Order(), events.Keys.Order());
        Assert.All(events.Values, v => Assert.True(v > 0, $"window events = {v}"));
    }

    [Fact]
    public async Task Scrape_EventsConsumed_PairGaugesSatisfyInformationIdentities()
    {
        await worker.ScrapeWhenCompleteAsync(Timeout);

        // A scrape pins one published snapshot for every instrument, so no scrape may mix two publications (every
        // 0.5 s here). Ten scrapes in a row, each checked on its own: no retry hides a torn read.
        for (int scrape = 1; scrape <= 10; scrape++)
        {
            Kafka.Pipeline.PublishedSnapshot? before = worker.Pipeline.Latest;
            var metrics = PrometheusText.Parse(await worker.Http.GetStringAsync(new Uri("metrics", UriKind.Relative)));
            List<string> problems = InformationIdentityViolations(metrics);
            Assert.True(problems.Count == 0, $"scrape {scrape}:\n" + string.Join("\n", problems));
            await worker.WaitForAsync(() => Task.FromResult(worker.Pipeline.Latest is { } now && !ReferenceEquals(now, before) ? now : null), Timeout, "the next publication"); // one scrape per publication
        }
    }

    private static List<string> InformationIdentityViolations(PrometheusText metrics)
    {
        var problems = new List<string>();
        var fieldEntropy = metrics["streamentropy_field_entropy_bit"].ToDictionary(s => (s.Label("window"), s.Label("field")), s => s.Value);
        var joint = metrics["streamentropy_pair_joint_entropy_bit"].ToDictionary(s => (s.Label("window"), s.Label("x"), s.Label("y")), s => s.Value);
        var mi = metrics["streamentropy_pair_mutual_information_bit"].ToDictionary(s => (s.Label("window"), s.Label("x"), s.Label("y")), s => s.Value);
        var conditional = metrics["streamentropy_pair_conditional_entropy_bit"].ToDictionary(s => (s.Label("window"), s.Label("x"), s.Label("y"), s.Label("given")), s => s.Value);
        foreach (string window in DemoWorkerFixture.Windows)
        {
            foreach (string pair in DemoWorkerFixture.Pairs)
            {
                string x = pair.Split(',')[0], y = pair.Split(',')[1];
                if (!joint.TryGetValue((window, x, y), out double hxy) || !mi.TryGetValue((window, x, y), out double i) ||
                    !conditional.TryGetValue((window, x, y, "x"), out double yGivenX) || !conditional.TryGetValue((window, x, y, "y"), out double xGivenY) ||
                    !fieldEntropy.TryGetValue((window, x), out double hx) || !fieldEntropy.TryGetValue((window, y), out double hy))
                {
                    problems.Add($"{window}/{pair}: a pair or field gauge is missing");
                    continue;
                }

                if (i < -Tolerance)
                {
                    problems.Add($"{window}/{pair}: I = {i} < 0");
                }

                if (yGivenX > hy + 1e-6 || xGivenY > hx + 1e-6)
                {
                    problems.Add($"{window}/{pair}: H(Y|X) {yGivenX} > H(Y) {hy} or H(X|Y) {xGivenY} > H(X) {hx}");
                }

                if (hxy > hx + hy + 1e-6)
                {
                    problems.Add($"{window}/{pair}: H(X,Y) {hxy} > H(X) + H(Y) {hx + hy}");
                }

                if (Math.Abs(i - (hx + hy - hxy)) > 1e-6)
                {
                    problems.Add($"{window}/{pair}: I {i} != H(X) + H(Y) - H(X,Y) = {hx + hy - hxy}");
                }
            }
        }

        // The demo's country → device dependence is strong before the drift: I(country; device) is clearly positive.
        if (mi.TryGetValue(("all", "country", "device"), out double all) && all <= 0.1)
        {
            problems.Add($"I(country; device) over all = {all}, expected > 0.1");
        }

        return problems;
    }

    [Fact]
    public async Task Scrape_StatisticsArrived_ConsumerLagPerInputPartition()
    {
        var metrics = PrometheusText.Parse(await worker.ScrapeWhenCompleteAsync(Timeout));

        var lag = metrics["streamentropy_consumer_lag"].ToList();
        Assert.Equal("gauge", metrics.Types["streamentropy_consumer_lag"]);
        Assert.Equal(["0", "1"], lag.Where(s => s.Label("topic") == DemoConfiguration.InputTopic).Select(s => s.Label("partition")).Order());
        Assert.All(lag, s => Assert.True(s.Value >= 0 && s.Value < DemoWorkerFixture.Rate * 30, $"lag {s.Value} on {s.Label("topic")}/{s.Label("partition")}"));
    }

    [Fact]
    public async Task Scrape_WindowClosed_DriftScoresPerWindowSubjectAndMetric()
    {
        var metrics = PrometheusText.Parse(await worker.ScrapeWhenCompleteAsync(Timeout));

        var scores = metrics["streamentropy_drift_score"].ToList();
        Assert.NotEmpty(scores);
        Assert.All(scores, s => Assert.Contains(s.Label("window"), DemoWorkerFixture.Windows.Skip(1))); // closed windows only
        Assert.All(scores, s => Assert.True(double.IsFinite(s.Value), $"{s.Label("metric")} = {s.Value}"));
        Assert.Equal(["entropy_change_se", "gtest_log10p", "js", "kl", "psi"], scores.Select(s => s.Label("metric")).Distinct().Order());
        Assert.All(scores.Where(s => s.Label("metric") is "psi" or "js" or "kl"), s => Assert.True(s.Value >= -Tolerance, $"{s.Label("metric")} = {s.Value}"));
        string tumbling = DemoWorkerFixture.TumblingWindow;
        Assert.Equal(DemoWorkerFixture.Fields.Order(), scores.Where(s => s.Label("window") == tumbling && s.Label("metric") == "psi" && s.Label("field") != "").Select(s => s.Label("field")).Order());
        Assert.Equal(DemoWorkerFixture.Pairs.Order(), scores.Where(s => s.Label("window") == tumbling && s.Label("metric") == "psi" && s.Label("pair") != "").Select(s => s.Label("pair")).Order());
        Assert.NotEmpty(metrics["streamentropy_drift_mutual_information_change_nat"]);
    }

    [Fact]
    public async Task Scrape_AfterDrift_AlertActiveIsOneForEachActiveAlert()
    {
        await worker.WaitForAsync(
            () => Task.FromResult(worker.Pipeline.Latest is { ActiveAlerts.Count: > 0 } latest ? latest : null),
            AlertTimeout,
            "an active alert after the drift");
        var metrics = PrometheusText.Parse(await worker.Http.GetStringAsync(new Uri("metrics", UriKind.Relative)));

        List<PrometheusSample> active = [.. metrics["streamentropy_alert_active"].Where(s => s.Value == 1)];
        output.WriteLine(string.Join("\n", active.Select(s => $"alert_active{{window={s.Label("window")}, subject={s.Label("subject")}, rule={s.Label("rule")}}} 1")));
        Assert.NotEmpty(active);
        Assert.All(metrics["streamentropy_alert_active"], s => Assert.Contains(s.Value, new[] { 0d, 1d }));
        Assert.All(active, s => Assert.Contains(s.Label("rule"), new[] { "field-psi", "pair-mi" })); // the default rules
        Assert.All(active, s => Assert.Contains(s.Label("window"), DemoWorkerFixture.Windows.Skip(1)));
    }
}
