using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Playwright;
using StreamEntropy.Core.Estimation;
using StreamEntropy.IntegrationTests.Infrastructure;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Demo;
using StreamEntropy.Streaming.Profiling;
using StreamEntropy.TestSupport;
using StreamEntropy.Worker.Demo;
using Xunit.Abstractions;

namespace StreamEntropy.IntegrationTests.Observability;

/// <summary><c>stream-entropy demo --wide</c>'s configuration (no field listed) in a worker process, fed the wide demo's
/// events and a few from a hostile producer: every feature is found and ranked against the label exactly as
/// <c>profile</c> counts the same events; discovered names reach the API, the metrics and the page intact and valid.</summary>
/// <remarks>A process, not an in-process host: meters are matched by name process-wide, so a second host would be
/// exported by the Observability demo worker too.</remarks>
[Collection(WorkerProcessCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class WideWorkerTests(KafkaFixture kafka, ITestOutputHelper output)
{
    private const int Events = 3000;
    private const string Promtool = "promtool";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // Hostile names: markup, a terminal escape and control characters, quotes and backslashes for the metric text, and
    // a 10 KB name (dropped: longer than 256 bytes). No dots: a key with a dot cannot be a path's segment.
    private static readonly string[] HostileNames = ["<img src=x onerror=\"window['__xss']='wide'\">", "a\u001b[31mred\n\"q\"\\", "é中 𝄞"];

    [Fact]
    public async Task NoFieldListed_EveryFeatureRankedAsProfileCountsIt_HostileNamesIntactInApiAndMetrics()
    {
        (WorkerProcess worker, List<byte[]> produced, string state) = await StartAsync("wide-api");
        using (worker)
        {
            try
            {
                using HttpClient http = await ConnectAsync(worker);
                using JsonDocument all = await WaitForAllAsync(http, worker);
                string[] fields = [.. all.RootElement.EnumerateArray().Where(r => r.TryGetProperty("field", out _)).Select(r => r.GetProperty("field").GetString()!)];
                string[] features = [.. new WideDemoEventGenerator().FeaturePaths];
                Assert.All(features, f => Assert.Contains(f, fields));
                Assert.Contains("label", fields);
                Assert.DoesNotContain("event_id", fields); // excluded
                Assert.All(HostileNames, n => Assert.Contains(n, fields));
                Assert.DoesNotContain(fields, f => Encoding.UTF8.GetByteCount(f) > 256);

                // The ranking equals a recount by profile's counting of the same events (fields listed by hand), to 1e-9.
                var schema = new EventSchema([.. features.Append("label").Select(f => new FieldDefinition(f, f))], [.. features.Select(f => new PairDefinition(f, "label"))]);
                var recount = new FrequencySet(new EventEncoder(schema));
                string file = Path.Combine(state, "events.jsonl");
                await File.WriteAllLinesAsync(file, produced.Select(Encoding.UTF8.GetString));
                FileProfiler.Count(file, InputFormat.JsonLines, recount);
                Dictionary<string, PairResult> expected = ResultCalculator.Pairs(recount, EntropyEstimator.MaximumLikelihood).ToDictionary(p => p.X);
                using JsonDocument ranking = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/ranking?target=label&window=all", UriKind.Relative)));
                JsonElement rows = Assert.Single(ranking.RootElement.GetProperty("windows").EnumerateArray()).GetProperty("features");
                var ranked = rows.EnumerateArray().Select(r => (Feature: r.GetProperty("feature").GetString()!, I: r.GetProperty("mutualInformation").GetDouble(), Se: r.GetProperty("mutualInformationStandardError").GetDouble())).ToList();
                foreach (string feature in features)
                {
                    (string _, double i, double se) = ranked.Single(r => r.Feature == feature);
                    NumericAssertions.AssertClose(LogBase.Bits.FromNats(expected[feature].Entropies.MutualInformation), i, $"I({feature}; label)");
                    NumericAssertions.AssertClose(LogBase.Bits.FromNats(expected[feature].MutualInformationStandardError!.Value), se, $"SE of I({feature}; label)");
                }

                string[] strong = ["account.plan", "account.tier", "behaviour.cart_value", "behaviour.sessions"];
                Assert.Equal(strong, ranked.Take(4).Select(r => r.Feature).Order(StringComparer.Ordinal));
                Assert.Equal(ranked.Select(r => r.I).OrderDescending(), ranked.Select(r => r.I));

                // Metric labels carry the hostile names, escaped by the exporter and read back intact; the 10 KB name was dropped and counted.
                string scrape = await worker.PollAsync(
                    async () => await http.GetStringAsync(new Uri("metrics", UriKind.Relative)) is { } s && PrometheusText.Parse(s)["streamentropy_discovery_dropped_total"].Any(m => m.Value >= 1) ? s : null,
                    Timeout,
                    "a scrape with the dropped path counted");
                var metrics = PrometheusText.Parse(scrape);
                IEnumerable<string> labelled = metrics["streamentropy_field_entropy_bit"].Select(m => m.Labels["field"]);
                Assert.All(HostileNames, n => Assert.Contains(n, labelled));
                Assert.Equal(1, Assert.Single(metrics["streamentropy_discovery_dropped_total"]).Value);
                Assert.Contains(metrics["streamentropy_field_missing_total"], m => m.Labels["field"] == "device.f45" && m.Value > 0);
                if (SystemTool.Find(Promtool) is { } promtool)
                {
                    ChildProcess.Result check = await ChildProcess.RunAsync(promtool, ["check", "metrics"], scrape, TimeSpan.FromSeconds(20));
                    Assert.True(check.ExitCode == 0, $"promtool check metrics exited with {check.ExitCode}:\n{check.Stdout}{check.Stderr}");
                }
                else
                {
                    Assert.False(SystemTool.IsCi, "promtool is missing on CI");
                }

                Assert.Contains(worker.Lines("Discovered field"), l => l.Contains("account.tier", StringComparison.Ordinal));
                Assert.Single(worker.Lines("a path longer than 256 bytes"));
                Assert.DoesNotContain(worker.Lines("Discovered field"), l => l.Contains('\u001b', StringComparison.Ordinal)); // escaped in the log
            }
            finally
            {
                await StopAsync(worker, state);
            }
        }
    }

    [RequiresToolFact(PageTests.Chromium)]
    public async Task Page_NoFieldListed_RanksEveryFeatureAgainstTheLabel()
    {
        string chromium = SystemTool.Require(PageTests.Chromium);
        (WorkerProcess worker, _, string state) = await StartAsync("wide-page");
        using (worker)
        {
            try
            {
                using HttpClient http = await ConnectAsync(worker);
                using JsonDocument all = await WaitForAllAsync(http, worker);
                using IPlaywright playwright = await Playwright.CreateAsync();
                await using IBrowser browser = await PageTests.LaunchChromiumAsync(playwright, chromium);
                IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1600 } });
                List<string> errors = PageTests.WatchErrors(page);
                page.SetDefaultTimeout((float)Timeout.TotalMilliseconds);
                await page.GotoAsync(http.BaseAddress!.ToString());

                // label is the Y of every pair: the only target. Its 50 features and the 3 hostile names, by I descending.
                await page.WaitForFunctionAsync("() => document.querySelectorAll('#ranking:not([hidden]) tbody tr').length >= 53");
                Assert.Equal(["label"], await page.Locator("#target option").AllTextContentsAsync());
                string[][] rows = await page.EvaluateAsync<string[][]>(
                    "() => [...document.querySelectorAll('#ranking tbody tr')].map((r) => [r.dataset.feature, r.querySelector('td.mi').textContent])");
                double[] values = [.. rows.Select(r => double.Parse(r[1].TrimStart('≈'), CultureInfo.InvariantCulture))];
                Assert.Equal(values.OrderDescending(), values);
                Assert.Contains(rows[0][0], (string[])["account.tier", "account.plan", "behaviour.sessions", "behaviour.cart_value"]);
                Assert.Contains(rows, r => r[0] == HostileNames[0]);

                string shot = Path.Combine(AppContext.BaseDirectory, "TestResults", "observability", "wide-ranking.png");
                Directory.CreateDirectory(Path.GetDirectoryName(shot)!);
                File.Delete(shot);
                await page.Locator("#ranking").ScreenshotAsync(new LocatorScreenshotOptions { Path = shot });
                output.WriteLine($"screenshot: {shot}");
                Assert.True(new FileInfo(shot).Length > 1_000, "the ranking screenshot is empty");
                Assert.Null(await page.EvaluateAsync<string?>("() => window.__xss ?? null"));
                Assert.Equal(0, await page.Locator("main img").CountAsync());
                lock (errors)
                {
                    Assert.True(errors.Count == 0, "JavaScript errors on the page:\n" + string.Join("\n", errors));
                }
            }
            finally
            {
                await StopAsync(worker, state);
            }
        }
    }

    // The wide demo's own configuration (as environment variables over an empty file), on a topic of its own.
    private async Task<(WorkerProcess Worker, List<byte[]> Produced, string State)> StartAsync(string name)
    {
        string state = Directory.CreateTempSubdirectory("stream-entropy-wide-").FullName;
        string topic = KafkaFixture.UniqueTopic(name);
        await kafka.CreateTopicAsync(topic, 2);
        Dictionary<string, string?> configuration = DemoConfiguration.BuildWide(kafka.BootstrapServers, Path.Combine(state, "checkpoints"));
        configuration["StreamEntropy:Kafka:Topics:0"] = topic;
        configuration["StreamEntropy:Kafka:GroupId"] = KafkaFixture.UniqueGroup(name);
        configuration["StreamEntropy:Kafka:OutputTopic"] = KafkaFixture.UniqueTopic(name + "-out");
        configuration["StreamEntropy:Kafka:DeadLetterTopic"] = KafkaFixture.UniqueTopic(name + "-dead");
        configuration["StreamEntropy:PublishInterval"] = "00:00:00.500";
        string config = Path.Combine(state, "empty.json");
        await File.WriteAllTextAsync(config, "{}");
        WorkerProcess worker = WorkerProcess.Start(config, name, configuration.ToDictionary(c => c.Key.Replace(":", "__", StringComparison.Ordinal), c => c.Value ?? ""));

        var produced = new List<byte[]>();
        var generator = new WideDemoEventGenerator(seed: 3);
        for (int i = 0; i < Events; i++)
        {
            produced.Add(generator.Next().ToArray());
        }

        foreach (string hostile in HostileNames.Append(new string('k', 10 * 1024)))
        {
            produced.Add(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { [hostile] = "v", ["label"] = 1 }));
        }

        using IProducer<Null, byte[]> producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers, LingerMs = 5 }).Build();
        foreach (byte[] e in produced)
        {
            producer.Produce(topic, new Message<Null, byte[]> { Value = e });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        return (worker, produced, state);
    }

    private static async Task<HttpClient> ConnectAsync(WorkerProcess worker)
    {
        Uri address = await worker.PollAsync(() => Task.FromResult(worker.ListeningOn()), Timeout, "the worker's HTTP address");
        return new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
    }

    // Every event counted in the cumulative window: the label's record shows them all.
    private static Task<JsonDocument> WaitForAllAsync(HttpClient http, WorkerProcess worker) =>
        worker.PollAsync(
            async () =>
            {
                var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/entropy?window=all", UriKind.Relative)));
                if (doc.RootElement.EnumerateArray().Any(r => r.TryGetProperty("field", out JsonElement f) && f.GetString() == "label" && r.GetProperty("windowEvents").GetInt64() >= Events + 4))
                {
                    return doc;
                }

                doc.Dispose();
                return null;
            },
            Timeout,
            $"{Events + 4} events counted");

    private static async Task StopAsync(WorkerProcess worker, string state)
    {
        if (!worker.Process.HasExited)
        {
            await worker.TerminateAsync();
            worker.WaitForExit(TimeSpan.FromSeconds(30));
        }

        Directory.Delete(state, recursive: true);
    }
}
