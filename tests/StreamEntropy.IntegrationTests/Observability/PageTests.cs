using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using StreamEntropy.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace StreamEntropy.IntegrationTests.Observability;

/// <summary>The live page (<c>/</c>) in headless Chromium against the running demo worker.</summary>
/// <remarks>Playwright drives the system's Chromium (<c>/usr/bin/chromium</c>): no browser is ever downloaded.</remarks>
[Collection(ObservabilityCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed partial class PageTests(DemoWorkerFixture worker, ITestOutputHelper output)
{
    private const string Chromium = "chromium";
    private static readonly TimeSpan CardsTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan AlertTimeout = TimeSpan.FromSeconds(60);

    // Root in a closed network: no sandbox, no GPU, nothing that phones home.
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    [RequiresToolFact(Chromium)]
    public async Task LivePage_DemoWithDrift_DrawsCardsAndChartsAndShowsAlertWithoutScriptErrors()
    {
        string chromium = ExternalTool.Require(Chromium); // Debian's wrapper script; Playwright launches it as is
        var clock = Stopwatch.StartNew();
        using IPlaywright playwright = await Playwright.CreateAsync();
        await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ChromiumArgs,
        });
        IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1000 } });
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (errors)
                {
                    errors.Add($"console.error: {message.Text} ({message.Location})");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (errors)
            {
                errors.Add($"pageerror: {error}");
            }
        };
        page.RequestFailed += (_, request) =>
        {
            lock (errors)
            {
                errors.Add($"request failed: {request.Method} {request.Url}: {request.Failure}");
            }
        };
        page.SetDefaultTimeout((float)CardsTimeout.TotalMilliseconds);

        string shot = Path.Combine(AppContext.BaseDirectory, "TestResults", "observability", "live-page.png");
        Directory.CreateDirectory(Path.GetDirectoryName(shot)!);
        try
        {
            IResponse? response = await page.GotoAsync(worker.BaseAddress.ToString());
            Assert.NotNull(response);
            Assert.Equal(200, response.Status);
            Assert.Equal("StreamEntropy", await page.TitleAsync());

            // Every field and pair of the demo gets a card (in the window the selector starts on).
            foreach (string field in DemoWorkerFixture.Fields)
            {
                await page.Locator($"#fields .card[data-field=\"{field}\"]").WaitForAsync();
            }

            foreach (string pair in DemoWorkerFixture.Pairs)
            {
                await page.Locator($"#pairs .card[data-pair=\"{pair}\"]").WaitForAsync();
            }

            // Order() on both sides: /api/entropy/history lists its series by key, so the selector is alphabetical.
            Assert.Equal(DemoWorkerFixture.Windows.Order(StringComparer.Ordinal), (await page.Locator("#window option").AllTextContentsAsync()).Order(StringComparer.Ordinal));
            Assert.DoesNotContain("error", await page.Locator("#status").TextContentAsync() ?? "", StringComparison.OrdinalIgnoreCase);

            // The charts get points: every card's line has at least two path commands (an M and an L).
            await page.WaitForFunctionAsync(
                """
                () => {
                  const lines = [...document.querySelectorAll('#fields .card svg path.line, #pairs .card svg path.line')];
                  return lines.length === 7 && lines.every((p) => (p.getAttribute('d').match(/[ML]-?[0-9.]+,-?[0-9.]+/g) || []).length >= 2);
                }
                """,
                null,
                new PageWaitForFunctionOptions { Timeout = (float)CardsTimeout.TotalMilliseconds, PollingInterval = 250 });
            foreach (string d in await page.Locator("#fields svg path.line").EvaluateAllAsync<string[]>("ps => ps.map(p => p.getAttribute('d'))"))
            {
                Assert.True(PathPoint().Count(d) >= 2, $"chart path with fewer than 2 points: '{d}'");
                Assert.DoesNotContain("NaN", d, StringComparison.Ordinal);
            }

            // After the drift the banner lists the active alerts, whichever window raised them.
            ILocator banner = page.Locator("#alerts");
            await banner.Locator("li").First.WaitForAsync(new LocatorWaitForOptions { Timeout = (float)AlertTimeout.TotalMilliseconds });
            string bannerText = await banner.InnerTextAsync();
            output.WriteLine($"alert banner after {clock.Elapsed.TotalSeconds:0.0} s: {bannerText.ReplaceLineEndings(" | ")}");
            Assert.Matches(@"\d+ active alert\(s\)", bannerText);
            Assert.True(worker.Producer.Drifted, "an alert was shown before the drift was switched on");

            // Badges are per selected window: on the window of the first listed alert, its subject's card shows one.
            string alertWindow = (await banner.Locator("li").First.InnerTextAsync()).Split(" / ")[0];
            Assert.Contains(alertWindow, DemoWorkerFixture.Windows);
            await page.SelectOptionAsync("#window", alertWindow);
            await page.Locator(".card.alerting .badge.raised").First.WaitForAsync(); // the page refreshes every 2 s
            string badge = await page.Locator(".card.alerting .badge.raised").First.InnerTextAsync();
            Assert.StartsWith("ALERT ", badge, StringComparison.Ordinal);
            Assert.Contains("PSI", await page.Locator("#fields .card .drift").First.InnerTextAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
            output.WriteLine($"screenshot: {shot}");
            output.WriteLine($"page test took {clock.Elapsed.TotalSeconds:0.0} s");
        }

        lock (errors)
        {
            Assert.True(errors.Count == 0, "JavaScript errors on the page:\n" + string.Join("\n", errors));
        }
    }

    [GeneratedRegex(@"[ML]-?[0-9.]+,-?[0-9.]+")]
    private static partial Regex PathPoint();
}
