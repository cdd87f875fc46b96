using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using StreamEntropy.IntegrationTests.Infrastructure;
using StreamEntropy.Worker.Demo;
using Xunit.Abstractions;

namespace StreamEntropy.IntegrationTests.Observability;

/// <summary>The page's ranking table (<c>/</c>) in headless Chromium, against a worker process of its own: the demo's
/// events with pairs that make two targets.</summary>
/// <remarks>A process, not an in-process host: meters are matched by name process-wide, so a second host here would
/// be exported by the Observability demo worker too, and its end would disturb that worker's metrics. It runs in the
/// worker-process collection, alone, so that it does not delay the timing-sensitive Observability tests either.</remarks>
[Collection(WorkerProcessCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class RankingPageTests(KafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // A configured name may hold any character: this one runs script if the ranking ever parses a feature as HTML.
    private const string HostileFeature = "<img src=x onerror=\"window.__xss='ranking'\">";

    /// <summary>device is the Y of four pairs and status of two: both are targets; country (which prefers one device per
    /// country in the demo) tells most about device, page most about status.</summary>
    private static readonly (string X, string Y)[] TargetPairs =
    [
        ("country", "device"), ("page", "device"), (HostileFeature, "device"), ("amount", "device"), ("page", "status"), ("country", "status"),
    ];

    [RequiresToolFact(PageTests.Chromium)]
    public async Task RankingTable_TwoTargets_ListsEachTargetsFeaturesByIDescendingAndShowsNamesAsText()
    {
        string chromium = SystemTool.Require(PageTests.Chromium);
        string state = Directory.CreateTempSubdirectory("stream-entropy-ranking-page-").FullName;
        string topic = KafkaFixture.UniqueTopic("ranking-page");
        await kafka.CreateTopicAsync(topic, 2);
        string config = Path.Combine(state, "ranking.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            StreamEntropy = new
            {
                Kafka = new
                {
                    BootstrapServers = kafka.BootstrapServers,
                    GroupId = KafkaFixture.UniqueGroup("ranking-page"),
                    Topics = new[] { topic },
                    OutputTopic = KafkaFixture.UniqueTopic("ranking-page-out"),
                    DeadLetterTopic = KafkaFixture.UniqueTopic("ranking-page-dead"),
                },
                Fields = new object[]
                {
                    new { Name = "country", Path = "user.country" }, new { Name = "device", Path = "user.device" }, new { Name = "page", Path = "page" },
                    new { Name = "status", Path = "status" }, new { Name = "amount", Path = "amount", BinWidth = 10 }, new { Name = HostileFeature, Path = "page" },
                },
                Pairs = TargetPairs.Select(p => new { p.X, p.Y }),
                Windows = new[] { new { Name = "all", Kind = "Cumulative" } },
                PublishInterval = "00:00:00.500",
                Checkpoint = new { Directory = Path.Combine(state, "checkpoints") },
            },
        }));
        using var stop = new CancellationTokenSource();
        Task producing = Task.CompletedTask;
        string shot = Path.Combine(AppContext.BaseDirectory, "TestResults", "observability", "ranking.png");
        Directory.CreateDirectory(Path.GetDirectoryName(shot)!);
        File.Delete(shot);
        using WorkerProcess worker = WorkerProcess.Start(config, "ranking");
        try
        {
            var producer = new DemoProducer(kafka.BootstrapServers, topic, DemoWorkerFixture.Rate, driftAfter: TimeSpan.FromHours(1));
            producing = Task.Run(() => producer.RunAsync(stop.Token), CancellationToken.None);
            Uri address = await worker.PollAsync(() => Task.FromResult(worker.ListeningOn()), Timeout, "the worker's HTTP address");
            using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };

            using IPlaywright playwright = await Playwright.CreateAsync();
            await using IBrowser browser = await PageTests.LaunchChromiumAsync(playwright, chromium);
            IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1000 } });
            List<string> errors = PageTests.WatchErrors(page);
            page.SetDefaultTimeout((float)Timeout.TotalMilliseconds);
            await page.GotoAsync(address.ToString());

            // The targets are the fields that are the Y of two pairs or more, in the order the page first saw them.
            ILocator rows = page.Locator("#ranking:not([hidden]) tbody tr");
            await page.WaitForFunctionAsync("() => document.querySelectorAll('#ranking:not([hidden]) tbody tr').length === 4");
            Assert.Equal(["device", "status"], (await page.Locator("#target option").AllTextContentsAsync()).Order(StringComparer.Ordinal));
            Assert.Equal("device", await page.Locator("#target").InputValueAsync());

            // Wait for a few thousand events so that the order is not a matter of sampling noise, then read one refresh.
            await worker.PollAsync(
                async () =>
                {
                    Assert.False(producing.IsFaulted, "the producer failed");
                    using JsonDocument ranking = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/ranking?target=device", UriKind.Relative)));
                    return ranking.RootElement.GetProperty("windows").EnumerateArray().Any(w => w.GetProperty("windowEvents").GetInt64() > 4_000) ? "" : null;
                },
                Timeout,
                "4 000 events counted");

            await page.WaitForTimeoutAsync(2_500); // one more refresh of the page (every 2 s) with those events
            (string Feature, double I)[] device = await ReadRankingAsync(page);
            output.WriteLine("device: " + string.Join(", ", device.Select(r => $"{r.Feature} {r.I}")));
            Assert.Equal(new[] { "amount", "country", "page", HostileFeature }.Order(StringComparer.Ordinal), device.Select(r => r.Feature).Order(StringComparer.Ordinal));
            Assert.Equal("country", device[0].Feature);
            Assert.Equal(device.Select(r => r.I).OrderDescending(), device.Select(r => r.I));
            Assert.Equal(device.Single(r => r.Feature == "page").I, device.Single(r => r.Feature == HostileFeature).I); // the same path

            await page.SelectOptionAsync("#target", "status");
            await page.WaitForFunctionAsync("() => [...document.querySelectorAll('#ranking tbody tr')].map((r) => r.dataset.feature).sort().join(',') === 'country,page'");
            (string Feature, double I)[] status = await ReadRankingAsync(page);
            Assert.Equal(["page", "country"], status.Select(r => r.Feature));
            Assert.True(status[0].I > status[1].I);

            await page.SelectOptionAsync("#target", "device");
            await page.WaitForFunctionAsync("() => document.querySelectorAll('#ranking tbody tr').length === 4");
            await page.Locator("#ranking").ScreenshotAsync(new LocatorScreenshotOptions { Path = shot });
            output.WriteLine($"screenshot: {shot}");
            Assert.True(new FileInfo(shot).Length > 1_000, "the ranking screenshot is empty");

            Assert.Equal(0, await page.Locator("main img, main script").CountAsync());
            Assert.Null(await page.EvaluateAsync<string?>("() => window.__xss ?? null"));
            Assert.Equal(HostileFeature, await rows.Filter(new LocatorFilterOptions { HasText = "onerror" }).Locator("td.feature").TextContentAsync());
            lock (errors)
            {
                Assert.True(errors.Count == 0, "JavaScript errors on the page:\n" + string.Join("\n", errors));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await producing;
            if (!worker.Process.HasExited)
            {
                await worker.TerminateAsync();
                worker.WaitForExit(TimeSpan.FromSeconds(30));
            }

            Directory.Delete(state, recursive: true);
        }
    }

    // The rows as shown: the feature (data-feature) and I as printed (4 decimals; "≈" when the row is not exact).
    private static async Task<(string Feature, double I)[]> ReadRankingAsync(IPage page)
    {
        string[][] rows = await page.EvaluateAsync<string[][]>(
            "() => [...document.querySelectorAll('#ranking tbody tr')].map((r) => [r.dataset.feature, r.querySelector('td.mi').textContent])");
        return [.. rows.Select(r => (r[0], double.Parse(r[1].TrimStart('≈'), CultureInfo.InvariantCulture)))];
    }
}
