using System.Diagnostics;
using System.Text.Json.Nodes;
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
    internal const string Chromium = "chromium";
    private static readonly TimeSpan CardsTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan AlertTimeout = TimeSpan.FromSeconds(60);

    // Names may hold any character (configuration does not restrict them). Each of these runs script if the page ever
    // parses a name as HTML: an attribute break-out, an event handler, a script element.
    private const string HostileField = "<img src=x onerror=\"window.__xss='field'\">";
    private const string HostileX = "\"><svg onload=\"window.__xss='pair'\">";
    private const string HostileY = "</h3><script>window.__xss='script'</script>";
    private const string HostileWindow = "<img src=x onerror=\"window.__xss='window'\">w";
    private const string HostileRule = "<img src=x onerror=\"window.__xss='rule'\">";

    // Root in a closed network: no sandbox, no GPU, nothing that phones home.
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    [RequiresToolFact(Chromium)]
    public async Task LivePage_DemoWithDrift_DrawsCardsAndChartsAndShowsAlertWithoutScriptErrors()
    {
        string chromium = SystemTool.Require(Chromium); // Debian's wrapper script; Playwright launches it as is
        var clock = Stopwatch.StartNew();
        using IPlaywright playwright = await Playwright.CreateAsync();
        await using IBrowser browser = await LaunchChromiumAsync(playwright, chromium);
        IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1000 } });
        List<string> errors = WatchErrors(page);
        page.SetDefaultTimeout((float)CardsTimeout.TotalMilliseconds);
        await InjectHostileNamesAsync(page);

        string shot = Path.Combine(AppContext.BaseDirectory, "TestResults", "observability", "live-page.png");
        Directory.CreateDirectory(Path.GetDirectoryName(shot)!);
        try
        {
            IResponse? response = await page.GotoAsync(worker.BaseAddress.ToString());
            Assert.NotNull(response);
            Assert.Equal(200, response.Status);
            Assert.Equal(HttpEndpointsCsp, await response.HeaderValueAsync("content-security-policy"));
            Assert.Equal("nosniff", await response.HeaderValueAsync("x-content-type-options"));
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
            Assert.Equal(DemoWorkerFixture.Windows.Append(HostileWindow).Order(StringComparer.Ordinal), (await page.Locator("#window option").AllTextContentsAsync()).Order(StringComparer.Ordinal));
            Assert.DoesNotContain("error", await page.Locator("#status").TextContentAsync() ?? "", StringComparison.OrdinalIgnoreCase);

            // The charts get points: every card's line has at least two path commands (an M and an L).
            await page.WaitForFunctionAsync(
                """
                () => {
                  const lines = [...document.querySelectorAll('#fields .card svg path.line, #pairs .card svg path.line')];
                  return lines.length === 9 && lines.every((p) => (p.getAttribute('d').match(/[ML]-?[0-9.]+,-?[0-9.]+/g) || []).length >= 2);
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

            // The hostile names are shown as text, in the cards, the selector and the banner, and none of them ran.
            // The banner and the cards are refreshed by separate requests: wait for both to show the hostile alert.
            await page.Locator("#alerts li", new PageLocatorOptions { HasText = HostileRule }).First.WaitForAsync();
            await page.Locator("#fields .card.alerting .badge.raised", new PageLocatorOptions { HasText = HostileRule }).First.WaitForAsync();
            string[] shown = await page.EvaluateAsync<string[]>(
                """
                () => [
                  ...[...document.querySelectorAll('#fields .card')].filter((c) => c.dataset.field.startsWith('<img')).map((c) => c.querySelector('h3 .name').textContent),
                  ...[...document.querySelectorAll('#pairs .card')].filter((c) => c.dataset.pair.startsWith('"')).map((c) => c.querySelector('h3 .name').textContent),
                  ...[...document.querySelectorAll('#fields .card.alerting')].filter((c) => c.dataset.field.startsWith('<img')).map((c) => c.querySelector('.badge.raised').textContent),
                ]
                """);
            Assert.Equal([HostileField, $"{HostileY} | {HostileX}", "ALERT " + HostileRule], shown);
            Assert.Contains(HostileWindow, await page.Locator("#window option").AllTextContentsAsync());
            Assert.Equal(0, await page.Locator("main img, main script, main svg[onload], #alerts img, #window img").CountAsync());
            Assert.Null(await page.EvaluateAsync<string?>("() => window.__xss ?? null"));
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

    internal static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright, string chromium) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true, Args = ChromiumArgs });

    /// <summary>Collects the page's console errors, uncaught exceptions and failed requests (lock the list to read it).</summary>
    /// <summary>Opens the live page in a new page of <paramref name="browser"/>, its errors watched, on the demo's
    /// tumbling window (a scored one: "all" is not).</summary>
    internal static async Task<(IPage Page, List<string> Errors)> OpenScoredWindowAsync(IBrowser browser, Uri address, TimeSpan timeout)
    {
        IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1000 } });
        List<string> errors = WatchErrors(page);
        page.SetDefaultTimeout((float)timeout.TotalMilliseconds);
        await page.GotoAsync(address.ToString());
        await page.SelectOptionAsync("#window", DemoWorkerFixture.TumblingWindow);
        return (page, errors);
    }

    /// <summary>Asserts that markup injected into the page's data created no image, ran no script and caused no error.</summary>
    internal static async Task AssertNothingRanAsync(IPage page, List<string> errors)
    {
        Assert.Equal(0, await page.Locator("main img").CountAsync());
        Assert.Null(await page.EvaluateAsync<string?>("() => window.__xss ?? null"));
        lock (errors)
        {
            Assert.True(errors.Count == 0, "JavaScript errors on the page:\n" + string.Join("\n", errors));
        }
    }

    internal static List<string> WatchErrors(IPage page)
    {
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
        return errors;
    }

    private const string HttpEndpointsCsp = StreamEntropy.Worker.Hosting.HttpEndpoints.ContentSecurityPolicy;

    /// <summary>Adds, to the worker's real answers, a field, a pair and a window with hostile names in every window,
    /// and once an alert is active, an alert of a hostile rule on the hostile field: names reach the page only
    /// through these two endpoints.</summary>
    private static async Task InjectHostileNamesAsync(IPage page)
    {
        await page.RouteAsync("**/api/entropy/history", async route =>
        {
            IAPIResponse real = await route.FetchAsync();
            JsonNode history = JsonNode.Parse(await real.TextAsync())!;
            JsonArray series = history["series"]!.AsArray();
            foreach (JsonNode? s in series.ToList())
            {
                if (s?["field"]?.GetValue<string>() == DemoWorkerFixture.Fields[0])
                {
                    JsonNode field = s.DeepClone();
                    field["field"] = HostileField;
                    series.Add(field);
                    if (s["window"]!.GetValue<string>() == DemoWorkerFixture.Windows[0])
                    {
                        JsonNode window = s.DeepClone();
                        window["window"] = HostileWindow;
                        series.Add(window);
                    }
                }
                else if (s?["pair"]?.GetValue<string>() == DemoWorkerFixture.Pairs[0])
                {
                    JsonNode pair = s.DeepClone();
                    pair["pair"] = $"{HostileX},{HostileY}";
                    series.Add(pair);
                }
            }

            await route.FulfillAsync(new RouteFulfillOptions { Response = real, Body = history.ToJsonString() });
        });
        await page.RouteAsync("**/api/alerts", async route =>
        {
            IAPIResponse real = await route.FetchAsync();
            JsonNode alerts = JsonNode.Parse(await real.TextAsync())!;
            JsonArray active = alerts["active"]!.AsArray();
            // One on every window with an active alert, so the window the test selects has it whichever alert is first.
            foreach (string window in active.Select(a => a!["window"]!.GetValue<string>()).Distinct().ToList())
            {
                active.Add(new JsonObject
                {
                    ["window"] = window,
                    ["field"] = HostileField,
                    ["rule"] = HostileRule,
                    ["metric"] = HostileRule,
                    ["value"] = 1.0,
                    ["threshold"] = 0.1,
                });
            }

            await route.FulfillAsync(new RouteFulfillOptions { Response = real, Body = alerts.ToJsonString() });
        });
    }

    [GeneratedRegex(@"[ML]-?[0-9.]+,-?[0-9.]+")]
    private static partial Regex PathPoint();
}
