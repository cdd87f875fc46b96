using System.Text.Json.Nodes;
using Microsoft.Playwright;
using StreamEntropy.IntegrationTests.Infrastructure;

namespace StreamEntropy.IntegrationTests.Observability;

/// <summary>The live page shows, on each subject's card, the thresholds the rules apply to it and where each came from
/// (configured, or calibrated from the reference), as text.</summary>
[Collection(ObservabilityCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class ThresholdPageTests(DemoWorkerFixture worker)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // Sources are the server's text, but the page must show whatever it gets as text.
    private const string HostileSource = "<img src=x onerror=\"window.__xss='threshold'\">";

    [RequiresToolFact(PageTests.Chromium)]
    public async Task LivePage_Card_ShowsTheThresholdsInForceAndTheirSourceAsText()
    {
        string chromium = SystemTool.Require(PageTests.Chromium);
        using IPlaywright playwright = await Playwright.CreateAsync();
        await using IBrowser browser = await PageTests.LaunchChromiumAsync(playwright, chromium);
        (IPage page, List<string> errors) = await PageTests.OpenScoredWindowAsync(browser, worker.BaseAddress, Timeout);

        // The demo's default rules: field-psi on fields, pair-mi on pairs, both configured.
        ILocator field = page.Locator("#fields .card[data-field=\"country\"] .thresholds");
        await field.WaitForAsync();
        Assert.Equal("thresholds: field-psi ≥ 0.1000 (configured)", await field.TextContentAsync());
        ILocator pair = page.Locator($"#pairs .card[data-pair=\"{DemoWorkerFixture.Pairs[0]}\"] .thresholds");
        Assert.Equal("thresholds: pair-mi ≥ 0.1000 (configured)", await pair.TextContentAsync());

        // A calibrated threshold of one field with markup for a source: shown on that field only, verbatim, never run.
        await page.RouteAsync("**/api/alerts", async route =>
        {
            IAPIResponse real = await route.FetchAsync();
            JsonNode alerts = JsonNode.Parse(await real.TextAsync())!;
            foreach (JsonNode? r in alerts["references"]!.AsArray())
            {
                r!["thresholds"] = new JsonArray(
                    new JsonObject { ["rule"] = "auto-psi", ["metric"] = "psi", ["subject"] = "country", ["threshold"] = 0.0375, ["clearThreshold"] = 0.01875, ["thresholdSource"] = HostileSource },
                    new JsonObject { ["rule"] = "auto-psi", ["metric"] = "psi", ["subject"] = null, ["threshold"] = 0.1, ["clearThreshold"] = 0.05, ["thresholdSource"] = "auto fallback" });
            }

            await route.FulfillAsync(new RouteFulfillOptions { Response = real, Body = alerts.ToJsonString() });
        });
        await page.Locator("#fields .thresholds", new PageLocatorOptions { HasText = HostileSource }).First.WaitForAsync(); // refreshed every 2 s
        Assert.Equal($"thresholds: auto-psi ≥ 0.0375 ({HostileSource})", await field.TextContentAsync());
        Assert.Equal("thresholds: auto-psi ≥ 0.1000 (auto fallback)", await page.Locator("#fields .card[data-field=\"device\"] .thresholds").TextContentAsync());
        Assert.Equal(0, await pair.CountAsync()); // a field metric: no line on pairs
        await PageTests.AssertNothingRanAsync(page, errors);
    }
}
