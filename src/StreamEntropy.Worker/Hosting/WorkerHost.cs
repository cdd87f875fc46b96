using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Worker.Options;
using StreamEntropy.Worker.Telemetry;

namespace StreamEntropy.Worker.Hosting;

/// <summary>Builds the worker's host: configuration, validated options, the pipeline, HTTP endpoints.</summary>
internal static class WorkerHost
{
    public const string DefaultUrls = "http://127.0.0.1:8080";

    /// <summary>Creates the host.</summary>
    /// <param name="overrides">Command-line configuration overrides (<c>--StreamEntropy:Kafka:GroupId=x</c>, <c>--urls …</c>).</param>
    /// <param name="configFile">An optional JSON file with the same shape as appsettings.json.</param>
    /// <param name="extraConfiguration">Further sources, applied last (used by <c>demo</c> and tests).</param>
    public static WebApplication Build(string[] overrides, string? configFile, IDictionary<string, string?>? extraConfiguration = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = overrides,
            ContentRootPath = AppContext.BaseDirectory,
        });

        // Precedence, lowest first: appsettings.json, --config FILE, environment variables, command line, extra.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        if (configFile is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }

        builder.Configuration.AddEnvironmentVariables("ASPNETCORE_");
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(overrides);
        if (extraConfiguration is not null)
        {
            builder.Configuration.AddInMemoryCollection(extraConfiguration);
        }

        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrls); // loopback unless the user says otherwise
        }

        builder.Services.AddStreamEntropy(builder.Configuration);

        WebApplication app = builder.Build();
        // One scrape reads one snapshot: the branch pins it around the exporter's collection. GET and HEAD only.
        app.MapPrometheusScrapingEndpoint(
            "/metrics",
            meterProvider: null,
            configureBranchedPipeline: branch => branch.Use(async (context, next) =>
            {
                using IDisposable pin = await context.RequestServices.GetRequiredService<StreamEntropyMetrics>().PinForScrapeAsync(context.RequestAborted).ConfigureAwait(false);
                await next(context).ConfigureAwait(false);
            }),
            optionsName: null).WithMetadata(new Microsoft.AspNetCore.Routing.HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));
        HttpEndpoints.Map(app);
        return app;
    }

    /// <summary>Checks the raw settings, then binds and validates the options now, so bad configuration is reported
    /// before anything starts.</summary>
    /// <returns>One line per problem, each naming the setting; empty when the configuration is valid.</returns>
    public static IReadOnlyList<string> Validate(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var problems = new List<string>(ConfigurationChecks.Check(app.Configuration, out bool conversionFailed));
        problems.AddRange(ListenAddresses.Check(app.Configuration["urls"] ?? DefaultUrls));
        if (conversionFailed)
        {
            return problems; // binding would stop at the first of these, already reported with its key
        }

        try
        {
            _ = app.Services.GetRequiredService<IOptions<StreamEntropyOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            problems.AddRange(e.Failures);
        }
        catch (InvalidOperationException e)
        {
            problems.Add(e.Message); // a value that does not convert and slipped past the checks above
        }

        return problems;
    }

    /// <summary>Starts the host after checking that its ports are free; a port in use (found then, or by Kestrel's
    /// bind) is one <c>error:</c> line and false, with whatever had started stopped again. Once started, the HTTP
    /// endpoints are warmed up in the background (<see cref="HttpWarmup"/>).</summary>
    public static async Task<bool> TryStartAsync(WebApplication app, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(stderr);
        IReadOnlyList<string> busy = ListenAddresses.CheckFree(app.Configuration["urls"] ?? DefaultUrls);
        foreach (string problem in busy)
        {
            await stderr.WriteLineAsync($"error: {problem}").ConfigureAwait(false);
        }

        if (busy.Count > 0)
        {
            return false;
        }

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            HttpWarmup.Start(app); // in the background, while the consumer joins its group
            return true;
        }
        catch (IOException e) when (e.Message.StartsWith("Failed to bind", StringComparison.Ordinal))
        {
            await stderr.WriteLineAsync($"error: --urls: {e.Message}").ConfigureAwait(false); // taken since the check above
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>Prints every configuration problem as one <c>error:</c> line; returns true when there is none.</summary>
    public static async Task<bool> ReportConfigurationProblemsAsync(WebApplication app, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        IReadOnlyList<string> problems = Validate(app);
        foreach (string problem in problems)
        {
            await stderr.WriteLineAsync($"error: {problem}").ConfigureAwait(false);
        }

        return problems.Count == 0;
    }

    /// <summary>Checks the checkpoint directory and restores the checkpoint before the host starts, so that an unusable
    /// directory or checkpoint is one <c>error:</c> line (with what to do about it) instead of a failed consume loop.</summary>
    /// <returns>True when the state is usable.</returns>
    public static async Task<bool> ReportStateProblemAsync(WebApplication app, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(stderr);
        try
        {
            app.Services.GetRequiredService<EntropyPipeline>().PrepareState();
            return true;
        }
        catch (InvalidDataException e)
        {
            await stderr.WriteLineAsync(
                $"error: {e.Message.TrimEnd('.')}. Move it away to start from the consumer group's committed offsets "
                + "(with empty counts), or restore a backup of it.").ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
        }

        return false;
    }
}
