using System.Text.Json;
using StreamEntropy.IntegrationTests.Infrastructure;

namespace StreamEntropy.IntegrationTests.Observability;

/// <summary><c>/api/alerts</c> of the running demo worker: each pair's drift carries the chain-rule split of its joint
/// entropy's change, ΔH(X,Y) = ΔH(X) + ΔH(Y|X), and its verdict; a field's drift does not.</summary>
[Collection(ObservabilityCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class PairChainApiTests(DemoWorkerFixture worker)
{
    private static readonly string[] Verdicts = ["inputs", "relation", "both", "none"];

    [Fact]
    public async Task Alerts_PairDrift_SplitsTheJointChangeByTheChainRule()
    {
        JsonElement[] drift = await worker.WaitForAsync(
            async () =>
            {
                using JsonDocument doc = JsonDocument.Parse(await worker.Http.GetStringAsync(new Uri("api/alerts", UriKind.Relative)));
                JsonElement[] all = [.. doc.RootElement.GetProperty("drift").EnumerateArray().Select(d => d.Clone())];
                return all.Any(d => d.TryGetProperty("pair", out _)) ? all : null;
            },
            TimeSpan.FromSeconds(60),
            "a scored pair in /api/alerts");

        JsonElement[] pairs = [.. drift.Where(d => d.TryGetProperty("pair", out _))];
        Assert.NotEmpty(pairs);
        foreach (JsonElement d in pairs)
        {
            JsonElement chain = d.GetProperty("chain");
            double joint = chain.GetProperty("jointEntropyChange").GetDouble();
            double input = chain.GetProperty("inputEntropyChange").GetDouble();
            double relation = chain.GetProperty("relationEntropyChange").GetDouble();
            Assert.Equal(joint, input + relation, 1e-12);
            Assert.Equal(d.GetProperty("conditionalEntropyChange").GetDouble(), relation); // ΔH(Y|X), the same number
            JsonElement share = chain.GetProperty("inputsShare");
            if (input == 0 && relation == 0)
            {
                Assert.Equal(JsonValueKind.Null, share.ValueKind); // 0/0
            }
            else
            {
                Assert.Equal(Math.Abs(input) / (Math.Abs(input) + Math.Abs(relation)), share.GetDouble(), 12);
            }
            double floor = chain.GetProperty("noiseFloor").GetDouble();
            Assert.True(floor >= 0.01, $"noise floor {floor}");
            string? verdict = chain.GetProperty("verdict").GetString();
            Assert.Contains(verdict, Verdicts);
            Assert.Equal(Math.Abs(input) <= floor && Math.Abs(relation) <= floor, verdict == "none");
            Assert.Equal("nats", d.GetProperty("unit").GetString());
        }

        Assert.All(drift.Where(d => d.TryGetProperty("field", out _)), d => Assert.False(d.TryGetProperty("chain", out _)));
    }
}
