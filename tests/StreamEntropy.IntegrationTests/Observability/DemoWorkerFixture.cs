using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StreamEntropy.Kafka.Broker;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Demo;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Profiling;
using StreamEntropy.Worker.Demo;
using StreamEntropy.Worker.Hosting;

namespace StreamEntropy.IntegrationTests.Observability;

/// <summary>
/// The worker as <c>stream-entropy demo</c> runs it, in-process: an embedded Kafka mock cluster, the demo's field,
/// pair and drift configuration, the <see cref="DemoProducer"/> with its drift, and HTTP on a free loopback port.
/// Windows are shorter than the demo's (a 3 s tumbling and a 6 s/2 s sliding window, published every 0.5 s) so that
/// the drift, switched on after <see cref="DriftAfter"/>, raises an alert within about 20 s. Drift is scored against a
/// baseline file profiled from the demo's events before the drift (<see cref="BaselineSource"/>), so every closed window
/// is scored from the first on and the alert does not depend on which window the worker would have captured as its
/// reference on a loaded machine (a late start can make that window small, partial or already drifted).
/// </summary>
public sealed class DemoWorkerFixture : IAsyncLifetime, IDisposable
{
    /// <summary>Events per second: enough for the G-test gate of the default alert rules on a 3 s window.</summary>
    public const int Rate = 400;

    /// <summary>The tumbling window whose closed windows are scored for drift soonest.</summary>
    public const string TumblingWindow = "3s";

    /// <summary>Every window the fixture configures, in configuration order.</summary>
    public static readonly IReadOnlyList<string> Windows = ["all", TumblingWindow, "6s"];

    /// <summary>The demo's fields and pairs (see <see cref="DemoConfiguration"/>).</summary>
    public static readonly IReadOnlyList<string> Fields = ["country", "device", "page", "status", "amount"];

    public static readonly IReadOnlyList<string> Pairs = ["country,device", "page,status"];

    /// <summary>How long after the producer starts the drift is switched on.</summary>
    public static readonly TimeSpan DriftAfter = TimeSpan.FromSeconds(8);

    /// <summary>The <c>source</c> the fixture's baseline file names.</summary>
    public const string BaselineSource = "demo events before the drift";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly CancellationTokenSource _stop = new();
    private EmbeddedKafkaCluster? _cluster;
    private WebApplication? _app;
    private Task _producing = Task.CompletedTask;
    private string _stateDirectory = "";

    /// <summary>Gets the worker's HTTP base address, such as <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Gets a client on <see cref="BaseAddress"/>.</summary>
    public HttpClient Http { get; private set; } = new();

    /// <summary>Gets the worker's pipeline, to wait on its published snapshots.</summary>
    public EntropyPipeline Pipeline { get; private set; } = null!;

    /// <summary>Gets the producer of the demo events.</summary>
    internal DemoProducer Producer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _stateDirectory = Path.Combine(Path.GetTempPath(), $"stream-entropy-observability-{Guid.NewGuid():N}");
        _cluster = EmbeddedKafkaCluster.Start(brokers: 1, groupInitialRebalanceDelay: TimeSpan.Zero);
        _cluster.CreateTopic(DemoConfiguration.InputTopic, 2);

        Dictionary<string, string?> configuration = DemoConfiguration.Build(_cluster.BootstrapServers, _stateDirectory);
        Directory.CreateDirectory(_stateDirectory);
        configuration["StreamEntropy:Drift:Baseline"] = WriteBaseline(_stateDirectory);
        foreach (string key in configuration.Keys.Where(k => k.StartsWith("StreamEntropy:Windows:", StringComparison.Ordinal)).ToList())
        {
            configuration.Remove(key);
        }

        configuration["StreamEntropy:Windows:0:Name"] = Windows[0];
        configuration["StreamEntropy:Windows:0:Kind"] = "Cumulative";
        configuration["StreamEntropy:Windows:1:Name"] = Windows[1];
        configuration["StreamEntropy:Windows:1:Kind"] = "Tumbling";
        configuration["StreamEntropy:Windows:1:Size"] = "00:00:03";
        configuration["StreamEntropy:Windows:2:Name"] = Windows[2];
        configuration["StreamEntropy:Windows:2:Kind"] = "Sliding";
        configuration["StreamEntropy:Windows:2:Size"] = "00:00:06";
        configuration["StreamEntropy:Windows:2:Step"] = "00:00:02";
        configuration["StreamEntropy:PublishInterval"] = "00:00:00.500";
        configuration["StreamEntropy:Kafka:GroupId"] = $"it-observability-{Guid.NewGuid():N}";
        configuration["Logging:LogLevel:Default"] = "Warning"; // keep the test output readable

        _app = WorkerHost.Build(["--urls", "http://127.0.0.1:0"], configFile: null, configuration);
        IReadOnlyList<string> problems = WorkerHost.Validate(_app);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The fixture's configuration is invalid: " + string.Join("; ", problems));
        }

        await _app.StartAsync();
        BaseAddress = new Uri(_app.Urls.First().TrimEnd('/') + "/");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        Pipeline = _app.Services.GetRequiredService<EntropyPipeline>();
        Producer = new DemoProducer(_cluster.BootstrapServers, DemoConfiguration.InputTopic, Rate, DriftAfter);
        _producing = Task.Run(() => Producer.RunAsync(_stop.Token), CancellationToken.None);
    }

    // What `stream-entropy profile events.jsonl --save-baseline` gives for 50 000 demo events before the drift (another
    // seed than the producer's), with the demo's fields and pairs.
    private static string WriteBaseline(string directory)
    {
        var schema = new EventSchema(
            [new("country", "user.country"), new("device", "user.device"), new("page", "page"), new("status", "status"), new("amount", "amount", 10)],
            [new("country", "device"), new("page", "status")]);
        string events = Path.Combine(directory, "baseline-events.jsonl");
        var generator = new DemoEventGenerator(seed: 7, malformedShare: 0);
        using (FileStream file = File.Create(events))
        {
            for (int i = 0; i < 50_000; i++)
            {
                file.Write(generator.Next());
                file.WriteByte((byte)'\n');
            }
        }

        var counts = new FrequencySet(new EventEncoder(schema));
        FileProfiler.Count(events, InputFormat.JsonLines, counts);
        string path = Path.Combine(directory, "demo-baseline.json");
        Baseline.FromFrequencySet(counts, BaselineSource).Save(path);
        return path;
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value, failing after <paramref name="timeout"/>.</summary>
    /// <remarks>The worker runs on the real clock (windows close on event time, stats come every 5 s): there is no
    /// event to await, so this polls, every 250 ms, with a bound.</remarks>
    public async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what)
        where T : class
    {
        using var timer = new PeriodicTimer(PollInterval);
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_producing.IsFaulted)
            {
                await _producing; // surfaces the producer's exception
            }

            T? value = await probe();
            if (value is not null)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {what}; produced {Producer.Produced}, drifted {Producer.Drifted}, " +
                    $"consumed {Pipeline.Latest?.Processed ?? 0}.");
            }

            await timer.WaitForNextTickAsync();
        }
    }

    /// <summary>Waits until the worker has published every window, field and pair, and returns the snapshot.</summary>
    public Task<PublishedSnapshot> WaitForSnapshotAsync(TimeSpan timeout) =>
        WaitForAsync(
            () => Task.FromResult(Pipeline.Latest is { Processed: > 0 } latest && latest.Windows.Count == Windows.Count && latest.Windows.All(w => w.Fields.Count == Fields.Count && w.Events > 0) ? latest : null),
            timeout,
            "a snapshot with events in every window");

    /// <summary>Waits until the worker has consumer lag from librdkafka's statistics (every 5 s) and drift scores of a
    /// closed window, and until a scrape of <c>/metrics</c> shows them, then returns that scrape.</summary>
    /// <remarks>The scrape is polled too: the exporter answers from a short-lived cache and the meter pins a snapshot
    /// for 250 ms, so the first scrape after the pipeline has them may still be an older picture.</remarks>
    public async Task<string> ScrapeWhenCompleteAsync(TimeSpan timeout)
    {
        await WaitForSnapshotAsync(timeout);
        await WaitForAsync(
            () => Task.FromResult(Pipeline.ConsumerLag.Count > 0 && Pipeline.Latest is { Drift.Count: > 0 } ? Pipeline : null),
            timeout,
            "consumer lag and a drift report");
        return await ScrapeWhenAsync(
            scrape => scrape["streamentropy_consumer_lag"].Any() && scrape["streamentropy_drift_score"].Any(s => s.Label("window") == TumblingWindow),
            timeout,
            "a scrape with consumer lag and drift scores");
    }

    /// <summary>Waits until, besides <see cref="ScrapeWhenCompleteAsync"/>, an alert has been raised (so
    /// <c>streamentropy_alert_active</c> is exported too), then scrapes and parses <c>/metrics</c> until it shows it.</summary>
    internal async Task<PrometheusText> ScrapeEveryFamilyAsync(TimeSpan timeout)
    {
        await ScrapeWhenCompleteAsync(timeout);
        await WaitForAsync(
            () => Task.FromResult(Pipeline.Latest is { } latest && latest.ActiveAlerts.Count + latest.RecentAlerts.Count > 0 ? latest : null),
            timeout,
            "a raised alert");
        return PrometheusText.Parse(await ScrapeWhenAsync(
            scrape => scrape["streamentropy_alert_active"].Any() && scrape["streamentropy_consumer_lag"].Any() && scrape["streamentropy_drift_score"].Any(),
            timeout,
            "a scrape with every metric family"));
    }

    private Task<string> ScrapeWhenAsync(Func<PrometheusText, bool> complete, TimeSpan timeout, string what) =>
        WaitForAsync(
            async () =>
            {
                string text = await Http.GetStringAsync(new Uri("metrics", UriKind.Relative));
                return complete(PrometheusText.Parse(text)) ? text : null;
            },
            timeout,
            what);

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _producing;
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        _cluster?.Dispose();
        if (Directory.Exists(_stateDirectory))
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
    }

    public void Dispose()
    {
        Http.Dispose();
        _stop.Dispose();
    }
}
