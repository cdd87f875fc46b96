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

    [Fact]
    public async Task Alerts_ReferencesSayTheyComeFromTheBaselineFile()
    {
        JsonElement[] references = await worker.WaitForAsync(
            async () =>
            {
                using JsonDocument doc = JsonDocument.Parse(await worker.Http.GetStringAsync(new Uri("api/alerts", UriKind.Relative)));
                JsonElement[] all = [.. doc.RootElement.GetProperty("references").EnumerateArray().Select(r => r.Clone())];
                return all.Length > 0 ? all : null;
            },
            TimeSpan.FromSeconds(60),
            "drift references in /api/alerts");

        // The scored windows (tumbling and sliding), each against the baseline file.
        Assert.Equal([DemoWorkerFixture.TumblingWindow, "6s"], references.Select(r => r.GetProperty("window").GetString()));
        Assert.All(references, r =>
        {
            Assert.Equal("baseline", r.GetProperty("origin").GetString());
            Assert.Equal(DemoWorkerFixture.BaselineSource, r.GetProperty("baselineSource").GetString());
            Assert.Equal(50_000, r.GetProperty("events").GetInt64());
            Assert.Equal(JsonValueKind.Null, r.GetProperty("windowStart").ValueKind);
        });
    }

    [Theory]
    [InlineData("api/drift/recapture?window=3s", 409, "usesBaselineFile")] // a baseline file is not re-captured
    [InlineData("api/drift/recapture?window=all", 409, "notScored")]
    [InlineData("api/drift/recapture?window=nope", 404, "unknownWindow")]
    public async Task Recapture_AnswersWhatItDid(string path, int status, string outcome)
    {
        await worker.WaitForSnapshotAsync(TimeSpan.FromSeconds(60));
        using HttpResponseMessage response = await worker.Http.PostAsync(new Uri(path, UriKind.Relative), null);
        Assert.Equal(status, (int)response.StatusCode);
        using JsonDocument doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(outcome, doc.RootElement.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Recapture_WithoutWindow_IsABadRequest()
    {
        using HttpResponseMessage response = await worker.Http.PostAsync(new Uri("api/drift/recapture", UriKind.Relative), null);
        Assert.Equal(400, (int)response.StatusCode);
    }
}
