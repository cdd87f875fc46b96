using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Worker.Hosting;
using StreamEntropy.Worker.Options;
using StreamEntropy.Worker.Tests.Support;

namespace StreamEntropy.Worker.Tests;

/// <summary><c>Threshold: "auto"</c> in the worker's options: binding (a number or "auto"), validation messages, and the
/// thresholds in force as <c>/api/alerts</c> writes them.</summary>
[Collection(ProcessEnvironmentGroup.Name)]
public sealed class AutoThresholdOptionsTests : IDisposable
{
    private const string Config = """
        {
          "StreamEntropy": {
            "Kafka": { "BootstrapServers": "127.0.0.1:1", "GroupId": "g", "Topics": [ "in" ] },
            "Fields": [ { "Name": "team" } ],
            "Windows": [ { "Name": "1m", "Kind": "Tumbling", "Size": "00:01:00" } ],
            "Drift": {
              "AutoReferenceWindows": 12,
              "Rules": [
                { "Name": "auto-psi", "Metric": "psi", "Threshold": "auto", "AutoK": 2.5, "MinimumSignificance": 6 },
                { "Name": "auto-js", "Metric": "js", "Threshold": "AUTO" },
                { "Name": "fixed", "Metric": "psi", "Threshold": 0.2 }
              ]
            }
          }
        }
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Binding_ThresholdTakesANumberOrAuto()
    {
        WebApplication app = WorkerHost.Build([], _dir.Write("config.json", Config));
        await using (app)
        {
            Assert.Empty(WorkerHost.Validate(app));
            StreamEntropyOptions o = app.Services.GetRequiredService<IOptions<StreamEntropyOptions>>().Value;
            IReadOnlyList<AlertRule> rules = OptionsMapper.ToRules(o.Drift);

            Assert.Equal(new AutoThreshold(2.5), rules[0].Auto);
            Assert.Equal(0.1, rules[0].Threshold); // the fallback for psi
            Assert.Equal(new AutoThreshold(AutoThreshold.DefaultK), rules[1].Auto);
            Assert.Equal(AutoThreshold.DefaultFallback(DriftMetrics.JensenShannon), rules[1].Threshold);
            Assert.Null(rules[2].Auto);
            Assert.Equal(0.2, rules[2].Threshold);
            Assert.Equal(12, OptionsMapper.ToDrift(o)!.Scoring!.AutoReferenceWindows);
        }
    }

    [Theory]
    [InlineData("--StreamEntropy:Drift:Rules:2:Threshold=lots", "StreamEntropy:Drift:Rules:2:Threshold: 'lots' is neither a number nor \"auto\".")]
    [InlineData("--StreamEntropy:Drift:Rules:2:AutoK=3", "StreamEntropy:Drift:Rules:2:AutoK applies only to Threshold \"auto\"")]
    [InlineData("--StreamEntropy:Drift:Rules:0:AutoK=-1", "StreamEntropy:Drift:Rules: Alert rule 'auto-psi': the auto threshold's k must be a number from 0 to 100, not -1.")]
    [InlineData("--StreamEntropy:Drift:AutoReferenceWindows=3", "StreamEntropy:Drift:AutoReferenceWindows must be between 4 and 100")]
    [InlineData("--StreamEntropy:Drift:Rules:2:Threshold=0", "StreamEntropy:Drift:Rules: Alert rule 'fixed': the threshold must be a finite number > 0, not 0.")]
    public async Task Validate_BadAutoSettings_NameTheKey(string setting, string message)
    {
        WebApplication app = WorkerHost.Build([setting], _dir.Write("config.json", Config));
        await using (app)
        {
            string problem = Assert.Single(WorkerHost.Validate(app));

            Assert.Contains(message, problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validate_AutoWithABaselineFile_Fails()
    {
        StreamEntropyOptions o = Options();
        var encoder = new EventEncoder(new EventSchema(OptionsMapper.ToFields(o), OptionsMapper.ToPairs(o)));
        o.Drift.Baseline = _dir.File("baseline.json");
        Baseline.FromFrequencySet(new FrequencySet(encoder), "test").Save(o.Drift.Baseline);

        string failure = Assert.Single(new StreamEntropyOptionsValidator().Validate(null, o).Failures!);

        Assert.StartsWith("StreamEntropy:Drift:Rules:0:Threshold \"auto\" cannot be used with StreamEntropy:Drift:Baseline", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AutoInGroupMode_Fails()
    {
        StreamEntropyOptions o = Options();
        o.Scaling.Mode = ScalingMode.Group;

        string failure = Assert.Single(new StreamEntropyOptionsValidator().Validate(null, o).Failures!);

        Assert.StartsWith("StreamEntropy:Drift:Rules:0:Threshold \"auto\" cannot be used with StreamEntropy:Scaling:Mode Group", failure, StringComparison.Ordinal);
        o.Drift.Rules[0].ThresholdSetting = "0.1";
        Assert.True(new StreamEntropyOptionsValidator().Validate(null, o).Succeeded);
    }

    [Fact]
    public void AlertsApi_Reference_ListsEachThresholdAndWhereItCameFrom()
    {
        const string Hostile = "<b>f\"1</b>";
        var reference = new DriftReference("1m", null, ReferenceOrigin.CapturedWindow, 10_000, 0, 600_000, null)
        {
            Thresholds =
            [
                new ThresholdInForce("auto-psi", DriftMetrics.PopulationStability, "1m", Hostile, 0.0375, 0.01875, "auto: mean+3σ of 10 reference chunks"),
                new ThresholdInForce("auto-psi", DriftMetrics.PopulationStability, "1m", null, 0.1, 0.05, "auto fallback: subjects not calibrated from the reference"),
                new ThresholdInForce("pair-mi", DriftMetrics.MutualInformationChange, "1m", null, 0.1, 0.05, "configured"),
            ],
        };
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            HttpEndpoints.WriteReference(w, reference);
        }

        using JsonDocument doc = JsonDocument.Parse(Encoding.UTF8.GetString(buffer.ToArray()));
        JsonElement[] thresholds = [.. doc.RootElement.GetProperty("thresholds").EnumerateArray()];
        Assert.Equal(3, thresholds.Length);
        Assert.Equal(Hostile, thresholds[0].GetProperty("subject").GetString());
        Assert.Equal((0.0375, 0.01875), (thresholds[0].GetProperty("threshold").GetDouble(), thresholds[0].GetProperty("clearThreshold").GetDouble()));
        Assert.Equal(
            ["auto: mean+3σ of 10 reference chunks", "auto fallback: subjects not calibrated from the reference", "configured"],
            thresholds.Select(t => t.GetProperty("thresholdSource").GetString()));
        Assert.Equal(JsonValueKind.Null, thresholds[2].GetProperty("subject").ValueKind);
        Assert.Equal(["psi", "psi", "miChange"], thresholds.Select(t => t.GetProperty("metric").GetString()));
    }

    private static StreamEntropyOptions Options()
    {
        var o = new StreamEntropyOptions
        {
            Kafka = new KafkaOptions { BootstrapServers = "localhost:9092", GroupId = "g", Topics = ["events"] },
            Fields = [new FieldOptions { Name = "country" }, new FieldOptions { Name = "device" }],
            Pairs = [new PairOptions { X = "country", Y = "device" }],
            Windows = [new WindowOptions { Name = "1m", Kind = "Tumbling", Size = TimeSpan.FromMinutes(1) }],
        };
        o.Drift.Rules.Add(new AlertRuleOptions { Name = "auto", Metric = "psi", ThresholdSetting = "auto" });
        return o;
    }
}
