using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StreamEntropy.IntegrationTests.Infrastructure;
using StreamEntropy.Kafka.Broker;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Streaming.Demo;
using StreamEntropy.TestSupport;
using StreamEntropy.Worker.Demo;
using StreamEntropy.Worker.Hosting;

namespace StreamEntropy.IntegrationTests.Observability;

/// <summary>The wide demo's configuration (no field listed) on an embedded broker, fed the wide demo's events and a few
/// from a hostile producer: discovered names reach the API and the metrics intact and valid, bounded in length.</summary>
[Trait("Category", "Integration")]
public sealed class WideWorkerTests : IAsyncLifetime, IDisposable
{
    private const string Promtool = "promtool";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);

    // Hostile names: markup, a terminal escape and control characters, quotes and backslashes for the metric text.
    private static readonly string[] HostileNames = ["<img src=x onerror=alert(1)>", "a\u001b[31mred\n\"q\"\\", "é中 𝄞"];

    private readonly string _state = Path.Combine(Path.GetTempPath(), $"stream-entropy-wide-{Guid.NewGuid():N}");
    private EmbeddedKafkaCluster? _cluster;
    private WebApplication? _app;
    private HttpClient _http = new();
    private EntropyPipeline _pipeline = null!;

    public async Task InitializeAsync()
    {
        _cluster = EmbeddedKafkaCluster.Start(brokers: 1, groupInitialRebalanceDelay: TimeSpan.Zero);
        _cluster.CreateTopic(DemoConfiguration.InputTopic, 2);
        Dictionary<string, string?> configuration = DemoConfiguration.BuildWide(_cluster.BootstrapServers, _state);
        configuration["StreamEntropy:Kafka:GroupId"] = $"it-wide-{Guid.NewGuid():N}";
        configuration["StreamEntropy:PublishInterval"] = "00:00:00.500";
        configuration["Logging:LogLevel:Default"] = "Warning";
        _app = WorkerHost.Build(["--urls", "http://127.0.0.1:0"], configFile: null, configuration);
        Assert.Empty(WorkerHost.Validate(_app));
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First().TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(10) };
        _pipeline = _app.Services.GetRequiredService<EntropyPipeline>();

        var generator = new WideDemoEventGenerator(seed: 3);
        using IProducer<Null, byte[]> producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = _cluster.BootstrapServers, LingerMs = 5 }).Build();
        for (int i = 0; i < 3000; i++)
        {
            producer.Produce(DemoConfiguration.InputTopic, new Message<Null, byte[]> { Value = generator.Next().ToArray() });
        }

        foreach (string name in HostileNames.Append(new string('k', 10 * 1024)))
        {
            byte[] hostile = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { [name] = "v", ["label"] = 1 });
            producer.Produce(DemoConfiguration.InputTopic, new Message<Null, byte[]> { Value = hostile });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
    }

    public void Dispose() => _http.Dispose();

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _cluster?.Dispose();
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }

    [Fact]
    public async Task NoFieldListed_ApiAndMetricsReportEveryFeatureAndHostileNamesIntact()
    {
        PublishedSnapshot latest = await WaitForAllEventsAsync();
        string[] fields = [.. latest.Windows.First(w => w.Window == "all").Fields.Select(f => f.Name)];
        string[] features = [.. new WideDemoEventGenerator().FeaturePaths];
        Assert.All(features, f => Assert.Contains(f, fields));
        Assert.Contains("label", fields);
        Assert.DoesNotContain("event_id", fields); // excluded
        Assert.All(HostileNames, n => Assert.Contains(n, fields));
        Assert.DoesNotContain(fields, f => Encoding.UTF8.GetByteCount(f) > 256); // the 10 KB name is refused
        Assert.Equal(1, latest.DiscoveryDropped);

        using JsonDocument api = JsonDocument.Parse(await _http.GetStringAsync(new Uri("api/entropy?window=all&field=" + Uri.EscapeDataString(HostileNames[1]), UriKind.Relative)));
        JsonElement record = Assert.Single(api.RootElement.EnumerateArray(), r => r.TryGetProperty("field", out _)); // and its pair with label
        Assert.Equal(HostileNames[1], record.GetProperty("field").GetString());
        Assert.Equal(1, record.GetProperty("count").GetInt64());

        // Every feature is paired with the label: 50 features, the hostile names and the id-less label itself excluded.
        string[] pairs = [.. latest.Windows.First(w => w.Window == "all").Pairs.Select(p => p.Key)];
        Assert.All(features, f => Assert.Contains($"{f},label", pairs));

        // The metrics carry the hostile names as label values, escaped by the exporter and read back intact.
        var metrics = PrometheusText.Parse(await ScrapeAsync(s => PrometheusText.Parse(s)["streamentropy_discovery_dropped_total"].Any(m => m.Value >= 1)));

        IEnumerable<string> labelled = metrics["streamentropy_field_entropy_bit"].Select(s => s.Labels["field"]);
        Assert.All(HostileNames, n => Assert.Contains(n, labelled));
        Assert.Equal(1, Assert.Single(metrics["streamentropy_discovery_dropped_total"]).Value);
        Assert.Contains(metrics["streamentropy_field_missing_total"], s => s.Labels["field"] == "device.f45" && s.Value > 0);
    }

    [RequiresToolFact(Promtool)]
    public async Task Metrics_HostileNames_PassPromtoolCheckMetrics()
    {
        await WaitForAllEventsAsync();
        string scrape = await ScrapeAsync(s => PrometheusText.Parse(s)["streamentropy_discovery_dropped_total"].Any(m => m.Value >= 1));

        ChildProcess.Result check = await ChildProcess.RunAsync(SystemTool.Require(Promtool), ["check", "metrics"], scrape, TimeSpan.FromSeconds(20));

        Assert.True(check.ExitCode == 0, $"promtool check metrics exited with {check.ExitCode}:\n{check.Stdout}{check.Stderr}");
    }

    private async Task<PublishedSnapshot> WaitForAllEventsAsync()
    {
        DateTime deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_pipeline.Latest is { } latest && latest.Processed >= 3004 && latest.Windows.Any(w => w.Window == "all" && w.Events >= 3004))
            {
                return latest;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"the worker did not count the 3004 events within {Timeout}: {_pipeline.Latest?.Processed} counted");
    }

    private async Task<string> ScrapeAsync(Func<string, bool> complete)
    {
        DateTime deadline = DateTime.UtcNow + Timeout;
        string scrape = "";
        while (DateTime.UtcNow < deadline)
        {
            scrape = await _http.GetStringAsync(new Uri("metrics", UriKind.Relative));
            if (complete(scrape))
            {
                return scrape;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"no complete scrape within {Timeout}:\n{string.Join('\n', scrape.Split('\n').Where(l => l.Contains("discovery", StringComparison.Ordinal) || l.StartsWith("# TYPE", StringComparison.Ordinal)))}");
    }
}
