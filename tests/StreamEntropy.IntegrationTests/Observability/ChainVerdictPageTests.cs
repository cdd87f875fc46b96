using System.Text.Json.Nodes;
using Microsoft.Playwright;
using StreamEntropy.IntegrationTests.Infrastructure;

namespace StreamEntropy.IntegrationTests.Observability;

/// <summary>The live page shows each scored pair's chain-rule verdict (inputs, relation, both, none) beside its drift,
/// as text.</summary>
[Collection(ObservabilityCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class ChainVerdictPageTests(DemoWorkerFixture worker)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // The verdict comes from the server's constants, but the page must show whatever it gets as text.
    private const string HostileVerdict = "<img src=x onerror=\"window.__xss='verdict'\">";

    [RequiresToolFact(PageTests.Chromium)]
    public async Task LivePage_ScoredPair_ShowsTheChainVerdictAsText()
    {
        string chromium = SystemTool.Require(PageTests.Chromium);
        using IPlaywright playwright = await Playwright.CreateAsync();
        await using IBrowser browser = await PageTests.LaunchChromiumAsync(playwright, chromium);
        (IPage page, List<string> errors) = await PageTests.OpenScoredWindowAsync(browser, worker.BaseAddress, Timeout);

        ILocator verdict = page.Locator($"#pairs .card[data-pair=\"{DemoWorkerFixture.Pairs[0]}\"] .drift .verdict");
        await verdict.WaitForAsync();
        Assert.Matches("^ · changed: (inputs|relation|both|none)$", await verdict.TextContentAsync());

        // Every pair's verdict replaced by markup: it is shown verbatim and never runs.
        await page.RouteAsync("**/api/alerts", async route =>
        {
            IAPIResponse real = await route.FetchAsync();
            JsonNode alerts = JsonNode.Parse(await real.TextAsync())!;
            foreach (JsonNode? d in alerts["drift"]!.AsArray())
            {
                if (d?["chain"] is JsonObject chain)
                {
                    chain["verdict"] = HostileVerdict;
                }
            }

            await route.FulfillAsync(new RouteFulfillOptions { Response = real, Body = alerts.ToJsonString() });
        });
        await page.Locator("#pairs .drift .verdict", new PageLocatorOptions { HasText = HostileVerdict }).First.WaitForAsync(); // refreshed every 2 s
        Assert.Equal(" · changed: " + HostileVerdict, await verdict.TextContentAsync());
        await PageTests.AssertNothingRanAsync(page, errors);
    }
}
