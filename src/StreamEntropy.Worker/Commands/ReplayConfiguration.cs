using StreamEntropy.Worker.Hosting;
using StreamEntropy.Worker.Options;

namespace StreamEntropy.Worker.Commands;

/// <summary>The worker's configuration as <c>replay</c> reads it: the same sources, binding and validation as
/// <c>stream-entropy run --config FILE</c> (so a configuration the worker refuses is refused with the same messages),
/// then the same mapping to the engine's settings. Nothing is started and Kafka is never contacted.</summary>
internal static class ReplayConfiguration
{
    /// <summary>Reads and validates <paramref name="configFile"/>.</summary>
    /// <param name="configFile">The worker's JSON configuration file.</param>
    /// <param name="problems">Receives one line per problem (each naming its setting, as the worker's).</param>
    /// <returns>The engine's settings; null when there are problems.</returns>
    public static EngineSettings? Load(string configFile, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (!File.Exists(configFile))
        {
            problems.Add($"--config: {configFile}: no such file.");
            return null;
        }

        WebApplication app;
        try
        {
            app = WorkerHost.Build([], configFile);
        }
        catch (InvalidDataException e)
        {
            problems.Add(ConfigurationFileError.Describe(e));
            return null;
        }

        using (app)
        {
            problems.AddRange(WorkerHost.Validate(app));
            return problems.Count > 0 ? null : app.Services.GetRequiredService<EngineSettings>();
        }
    }
}
