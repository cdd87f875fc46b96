using System.Diagnostics.Metrics;
using System.Reactive.Concurrency;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Worker.Options;
using StreamEntropy.Worker.Telemetry;

namespace StreamEntropy.Worker.Hosting;

/// <summary>The worker's services, registered in one place.</summary>
internal static class StreamEntropyServiceCollectionExtensions
{
    /// <summary>Registers everything the worker runs: the <c>StreamEntropy</c> options (validated at start by
    /// <see cref="StreamEntropyOptionsValidator"/>), the engine settings mapped from them once (the baseline file read
    /// once, for validating and running), the pipeline, metrics, history, health check and the hosted services that
    /// start them.</summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The configuration whose <see cref="StreamEntropyOptions.SectionName"/> section is bound.</param>
    public static IServiceCollection AddStreamEntropy(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<StreamEntropyOptions>()
            .Bind(configuration.GetSection(StreamEntropyOptions.SectionName))
            .ValidateOnStart(); // every rule is in StreamEntropyOptionsValidator, each message naming its key
        services.AddSingleton<BaselineLoader>();
        services.AddSingleton<IValidateOptions<StreamEntropyOptions>>(sp => new StreamEntropyOptionsValidator(sp.GetRequiredService<BaselineLoader>()));
        services.AddSingleton(sp => EngineSettings.From(sp.GetRequiredService<IOptions<StreamEntropyOptions>>().Value, sp.GetRequiredService<BaselineLoader>()));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IScheduler>(DefaultScheduler.Instance);
        services.AddSingleton(sp =>
        {
            StreamEntropyOptions o = sp.GetRequiredService<IOptions<StreamEntropyOptions>>().Value;
            EngineSettings engine = sp.GetRequiredService<EngineSettings>();
            bool group = o.Scaling.Mode == ScalingMode.Group;
            var settings = new PipelineSettings
            {
                BootstrapServers = o.Kafka.BootstrapServers,
                GroupId = o.Kafka.GroupId,
                Topics = o.Kafka.Topics,
                OutputTopic = o.Kafka.OutputTopic,
                DeadLetterTopic = o.Kafka.DeadLetterTopic,
                AlertTopic = o.Kafka.AlertTopic,
                Client = o.Kafka.Client,
                BatchPoll = o.Kafka.BatchPoll,
                PublishInterval = o.PublishInterval,
                CheckpointInterval = o.Checkpoint.Interval,
                CheckpointDirectory = o.Checkpoint.Directory,
                UseEventTime = o.Time == TimeMode.EventTime,
                Base = engine.Base,
                MaxEventBytes = o.MaxEventBytes,
                ScaleOut = group ? new ScaleOutSettings(o.Scaling.StateTopic, o.Scaling.PartialsTopic) { Drift = engine.Drift, MaxLagWindows = o.Scaling.MaxLagWindows } : null,
            };
            return new EntropyPipeline(
                settings,
                // In Group mode each engine counts one partition; drift is scored on the merged windows instead.
                () => engine.CreateEngine(withDrift: !group),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<EntropyPipeline>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<IScheduler>());
        });
        services.AddSingleton(sp =>
        {
            EngineSettings engine = sp.GetRequiredService<EngineSettings>();
            return new StreamEntropyMetrics(sp.GetRequiredService<IMeterFactory>(), sp.GetRequiredService<EntropyPipeline>(), engine.Base, engine.Schema);
        });
        services.AddSingleton<SnapshotHistory>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(StreamEntropyMetrics.MeterName)
            .AddPrometheusExporter());
        services.AddHealthChecks().AddCheck<PipelineHealthCheck>("pipeline", tags: [PipelineHealthCheck.ReadyTag]);
        services.AddHostedService<TelemetryActivation>(); // before the worker: hosted services start in this order
        services.AddHostedService<EntropyWorkerService>();
        services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(25)); // under systemd's TimeoutStopSec=30
        services.AddSystemd(); // readiness notification and journald-friendly logs when run by systemd; no-op otherwise
        return services;
    }
}
