using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Worker.Hosting;
using StreamEntropy.Worker.Options;
using StreamEntropy.Worker.Telemetry;
using StreamEntropy.Worker.Tests.Support;

namespace StreamEntropy.Worker.Tests.Hosting;

/// <summary><see cref="StreamEntropyServiceCollectionExtensions.AddStreamEntropy"/>: one registration of the worker's
/// services, the options mapped and the baseline read once, start-up services activated by a hosted service.</summary>
[Collection(ProcessEnvironmentGroup.Name)]
public sealed class AddStreamEntropyTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Build_ValidConfiguration_ResolvesEveryWorkerService()
    {
        WebApplication app = WorkerHost.Build([], configFile: null, Configuration(baseline: null));
        await using (app)
        {
            Assert.Empty(WorkerHost.Validate(app));
            EngineSettings settings = app.Services.GetRequiredService<EngineSettings>();
            Assert.Equal(["team"], settings.Schema.Fields.Select(f => f.Name));
            Assert.Equal(["1m"], settings.Windows.Select(w => w.Name));
            Assert.NotNull(app.Services.GetRequiredService<EntropyPipeline>());
            Assert.NotNull(app.Services.GetRequiredService<StreamEntropyMetrics>());
            Assert.NotNull(app.Services.GetRequiredService<SnapshotHistory>());
            Assert.Same(settings, app.Services.GetRequiredService<EngineSettings>()); // mapped once
        }
    }

    [Fact]
    public async Task Build_HostedServices_ActivateTelemetryBeforeTheConsumeLoop()
    {
        WebApplication app = WorkerHost.Build([], configFile: null, Configuration(baseline: null));
        await using (app)
        {
            Type[] hosted = [.. app.Services.GetServices<IHostedService>().Select(s => s.GetType())];

            int activation = Array.IndexOf(hosted, typeof(TelemetryActivation));
            int worker = Array.IndexOf(hosted, typeof(EntropyWorkerService));
            Assert.InRange(activation, 0, worker - 1);
        }
    }

    [Fact]
    public async Task TelemetryActivation_Start_CreatesTheMetricsInstruments()
    {
        WebApplication app = WorkerHost.Build([], configFile: null, Configuration(baseline: null));
        await using (app)
        {
            var factory = app.Services.GetRequiredService<IMeterFactory>();
            int instruments = 0;
            using var listener = new MeterListener
            {
                InstrumentPublished = (instrument, _) =>
                {
                    if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Meter.Name == StreamEntropyMetrics.MeterName)
                    {
                        Interlocked.Increment(ref instruments);
                    }
                },
            };
            listener.Start();
            TelemetryActivation activation = app.Services.GetServices<IHostedService>().OfType<TelemetryActivation>().Single();
            Assert.Equal(0, Volatile.Read(ref instruments)); // nothing creates the metrics before start

            await activation.StartAsync(CancellationToken.None);

            Assert.True(Volatile.Read(ref instruments) > 0, "the metrics' instruments exist once the activation has started");
            await activation.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void AddStreamEntropy_WithBaseline_ReadsTheFileOnceForValidatingAndEveryEngine()
    {
        string path = _dir.File("baseline.json");
        new Baseline(3, [new BaselineField("team", "team", null, 0, 0, [new BaselineValue("a", 2), new BaselineValue("b", 1)])], []).Save(path);
        int reads = 0;
        ServiceCollection services = Services(path);
        services.AddSingleton(new BaselineLoader(p =>
        {
            Interlocked.Increment(ref reads);
            return Baseline.Load(p);
        }));
        using ServiceProvider provider = services.BuildServiceProvider();

        _ = provider.GetRequiredService<IOptions<StreamEntropyOptions>>().Value; // validates, reading the baseline
        EngineSettings settings = provider.GetRequiredService<EngineSettings>();
        EntropyEngine first = settings.CreateEngine(withDrift: true);
        EntropyEngine second = settings.CreateEngine(withDrift: true);

        Assert.Equal(1, reads);
        Assert.NotNull(settings.Drift?.Baseline);
        Assert.NotSame(first, second);
        Assert.Same(settings.Drift, provider.GetRequiredService<EngineSettings>().Drift);
    }

    [Fact]
    public void AddStreamEntropy_UnreadableBaseline_IsAConfigurationProblem()
    {
        using ServiceProvider provider = Services(_dir.File("missing.json")).BuildServiceProvider();

        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<StreamEntropyOptions>>().Value);

        string failure = Assert.Single(e.Failures);
        Assert.StartsWith("StreamEntropy:Drift:Baseline: ", failure, StringComparison.Ordinal);
    }

    // What the host adds besides AddStreamEntropy for these tests: logging and the meter factory.
    private ServiceCollection Services(string baseline)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddStreamEntropy(new ConfigurationBuilder().AddInMemoryCollection(Configuration(baseline)).Build());
        return services;
    }

    private Dictionary<string, string?> Configuration(string? baseline)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["StreamEntropy:Kafka:BootstrapServers"] = "127.0.0.1:1",
            ["StreamEntropy:Kafka:Topics:0"] = "in",
            ["StreamEntropy:Fields:0:Name"] = "team",
            ["StreamEntropy:Windows:0:Name"] = "1m",
            ["StreamEntropy:Windows:0:Kind"] = "Tumbling",
            ["StreamEntropy:Windows:0:Size"] = "00:01:00",
            ["StreamEntropy:Checkpoint:Directory"] = _dir.File("state"),
        };
        if (baseline is not null)
        {
            configuration["StreamEntropy:Drift:Baseline"] = baseline;
        }

        return configuration;
    }
}
