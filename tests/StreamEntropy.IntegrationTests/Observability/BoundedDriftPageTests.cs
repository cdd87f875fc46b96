using System.Text.Json.Nodes;
using Microsoft.Playwright;
using StreamEntropy.IntegrationTests.Infrastructure;

namespace StreamEntropy.IntegrationTests.Observability;

/// <summary>The live page shows a budgeted field scored from a summary as its JS and TV brackets, not as point scores.</summary>
[Collection(ObservabilityCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class BoundedDriftPageTests(DemoWorkerFixture worker)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [RequiresToolFact(PageTests.Chromium)]
    public async Task LivePage_FieldScoredFromASummary_ShowsTheBracketsAsText()
    {
        string chromium = SystemTool.Require(PageTests.Chromium);
        using IPlaywright playwright = await Playwright.CreateAsync();
        await using IBrowser browser = await PageTests.LaunchChromiumAsync(playwright, chromium);
        IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1000 } });
        List<string> errors = PageTests.WatchErrors(page);
        page.SetDefaultTimeout((float)Timeout.TotalMilliseconds);

        // The demo has no budgeted field: its first field's drift is rewritten as /api/alerts writes a bracketed one.
        string field = DemoWorkerFixture.Fields[0];
        await page.RouteAsync("**/api/alerts", async route =>
        {
            IAPIResponse real = await route.FetchAsync();
            JsonNode alerts = JsonNode.Parse(await real.TextAsync())!;
            foreach (JsonNode? d in alerts["drift"]!.AsArray())
            {
                if (d is JsonObject o && (string?)o["field"] == field)
                {
                    o["psi"] = null;
                    o["jensenShannon"] = null;
                    o["gTestLog10P"] = null;
                    o["bounded"] = true;
                    o["jsLower"] = 0.0123;
                    o["jsUpper"] = 0.4567;
                    o["tvLower"] = 0.089;
                    o["tvUpper"] = 0.612;
                }
            }

            await route.FulfillAsync(new RouteFulfillOptions { Response = real, Body = alerts.ToJsonString() });
        });
        await page.GotoAsync(worker.BaseAddress.ToString());
        await page.SelectOptionAsync("#window", DemoWorkerFixture.TumblingWindow); // a scored window

        ILocator drift = page.Locator($".card[data-field=\"{field}\"] .drift.bounded");
        await drift.WaitForAsync();
        Assert.Equal("drift: JS 0.0123–0.4567 · TV 0.089–0.612 (bracket)", await drift.TextContentAsync());
        ILocator other = page.Locator($".card[data-field=\"{DemoWorkerFixture.Fields[1]}\"] .drift");
        Assert.StartsWith("drift: PSI ", await other.TextContentAsync(), StringComparison.Ordinal); // unbudgeted: as before
        lock (errors)
        {
            Assert.True(errors.Count == 0, "JavaScript errors on the page:\n" + string.Join("\n", errors));
        }
    }
}
