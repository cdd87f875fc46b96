using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using StreamEntropy.Kafka.Broker;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Worker.Demo;
using StreamEntropy.Worker.Hosting;

namespace StreamEntropy.IntegrationTests.Observability;

/// <summary>The page's ranking table, against a worker of its own: the demo's events with pairs that make two targets.</summary>
public sealed partial class PageTests
{
    // A configured name may hold any character: this one runs script if the ranking ever parses a feature as HTML.
    private const string HostileFeature = "<img src=x onerror=\"window.__xss='ranking'\">";

    /// <summary>device is the Y of four pairs and status of two: both are targets; country (which prefers one device per
    /// country in the demo) tells most about device, page most about status.</summary>
    private static readonly (string X, string Y)[] TargetPairs =
    [
        ("country", "device"), ("page", "device"), (HostileFeature, "device"), ("amount", "device"), ("page", "status"), ("country", "status"),
    ];

    [RequiresToolFact(Chromium)]
    public async Task RankingTable_TwoTargets_ListsEachTargetsFeaturesByIDescendingAndShowsNamesAsText()
    {
        string chromium = SystemTool.Require(Chromium);
        string state = Path.Combine(Path.GetTempPath(), $"stream-entropy-ranking-page-{Guid.NewGuid():N}");
        using EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.Start(brokers: 1, groupInitialRebalanceDelay: TimeSpan.Zero);
        cluster.CreateTopic(DemoConfiguration.InputTopic, 2);
        Dictionary<string, string?> configuration = DemoConfiguration.Build(cluster.BootstrapServers, state);
        foreach (string key in configuration.Keys.Where(k => k.StartsWith("StreamEntropy:Windows:", StringComparison.Ordinal) || k.StartsWith("StreamEntropy:Pairs:", StringComparison.Ordinal)).ToList())
        {
            configuration.Remove(key);
        }

        configuration["StreamEntropy:Fields:5:Name"] = HostileFeature;
        configuration["StreamEntropy:Fields:5:Path"] = "page";
        for (int i = 0; i < TargetPairs.Length; i++)
        {
            configuration[$"StreamEntropy:Pairs:{i}:X"] = TargetPairs[i].X;
            configuration[$"StreamEntropy:Pairs:{i}:Y"] = TargetPairs[i].Y;
        }

        configuration["StreamEntropy:Windows:0:Name"] = "all";
        configuration["StreamEntropy:Windows:0:Kind"] = "Cumulative";
        configuration["StreamEntropy:PublishInterval"] = "00:00:00.500";
        configuration["StreamEntropy:Kafka:GroupId"] = $"it-ranking-page-{Guid.NewGuid():N}";
        configuration["Logging:LogLevel:Default"] = "Warning";
        WebApplication app = WorkerHost.Build(["--urls", "http://127.0.0.1:0"], configFile: null, configuration);
        Assert.Empty(WorkerHost.Validate(app));
        using var stop = new CancellationTokenSource();
        Task producing = Task.CompletedTask;
        string shot = Path.Combine(AppContext.BaseDirectory, "TestResults", "observability", "ranking.png");
        Directory.CreateDirectory(Path.GetDirectoryName(shot)!);
        File.Delete(shot);
        try
        {
            await app.StartAsync();
            var producer = new DemoProducer(cluster.BootstrapServers, DemoConfiguration.InputTopic, DemoWorkerFixture.Rate, driftAfter: TimeSpan.FromHours(1));
            producing = Task.Run(() => producer.RunAsync(stop.Token), CancellationToken.None);
            EntropyPipeline pipeline = app.Services.GetRequiredService<EntropyPipeline>();

            using IPlaywright playwright = await Playwright.CreateAsync();
            await using IBrowser browser = await LaunchChromiumAsync(playwright, chromium);
            IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1000 } });
            List<string> errors = WatchErrors(page);
            page.SetDefaultTimeout((float)AlertTimeout.TotalMilliseconds);
            await page.GotoAsync(app.Urls.First().TrimEnd('/') + "/");

            // The targets are the fields that are the Y of two pairs or more, in the order the page first saw them.
            ILocator rows = page.Locator("#ranking:not([hidden]) tbody tr");
            await page.WaitForFunctionAsync("() => document.querySelectorAll('#ranking:not([hidden]) tbody tr').length === 4");
            Assert.Equal(["device", "status"], (await page.Locator("#target option").AllTextContentsAsync()).Order(StringComparer.Ordinal));
            Assert.Equal("device", await page.Locator("#target").InputValueAsync());

            // Wait for a few thousand events so that the order is not a matter of sampling noise, then read one refresh.
            using (var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250)))
            {
                while (pipeline.Latest is not { Processed: > 4_000 })
                {
                    Assert.False(producing.IsFaulted, "the producer failed");
                    await timer.WaitForNextTickAsync();
                }
            }

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
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }
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
