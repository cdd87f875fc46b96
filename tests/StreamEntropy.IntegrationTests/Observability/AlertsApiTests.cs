using System.Text.Json;
using StreamEntropy.IntegrationTests.Infrastructure;

namespace StreamEntropy.IntegrationTests.Observability;

/// <summary><c>/api/alerts</c> of the running demo worker: drift scores per closed window, and the values of X that
/// drive a change of H(Y|X).</summary>
[Collection(ObservabilityCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class AlertsApiTests(DemoWorkerFixture worker)
{
    [Fact]
    public async Task Alerts_AfterClosedWindows_PairDriftListsTheStrongestDriversOfX()
    {
        JsonElement pairDrift = await worker.WaitForAsync(
            async () =>
            {
                using JsonDocument doc = JsonDocument.Parse(await worker.Http.GetStringAsync(new Uri("api/alerts", UriKind.Relative)));
                foreach (JsonElement d in doc.RootElement.GetProperty("drift").EnumerateArray())
                {
                    if (d.TryGetProperty("pair", out JsonElement p) && p.GetString() == "country,device" && d.GetProperty("drivers").GetArrayLength() > 0)
                    {
                        return (object)d.Clone();
                    }
                }

                return null;
            },
            TimeSpan.FromSeconds(60),
            "a scored pair with drivers") is JsonElement e ? e : default;

        JsonElement[] drivers = [.. pairDrift.GetProperty("drivers").EnumerateArray()];
        Assert.InRange(drivers.Length, 1, 3); // Drift:TopDrivers defaults to 3
        string[] countries = ["US", "GB", "DE", "FR", "IN", "BR", "JP", "CA", "ES", "IT", "NL", "SE"];
        double previous = double.PositiveInfinity;
        foreach (JsonElement d in drivers)
        {
            Assert.Contains(d.GetProperty("x").GetString(), countries);
            double change = d.GetProperty("contributionChange").GetDouble();
            double expected = (d.GetProperty("currentShare").GetDouble() * d.GetProperty("currentConditionalEntropy").GetDouble())
                - (d.GetProperty("referenceShare").GetDouble() * d.GetProperty("referenceConditionalEntropy").GetDouble());
            Assert.Equal(expected, change, 1e-9); // p(x)·H(Y|X=x) now minus in the reference
            Assert.True(Math.Abs(change) <= previous + 1e-12, "drivers are listed by |change|, largest first");
            previous = Math.Abs(change);
        }
    }
}
