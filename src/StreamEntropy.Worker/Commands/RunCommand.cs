using StreamEntropy.Worker.Hosting;

namespace StreamEntropy.Worker.Commands;

/// <summary><c>stream-entropy run [--config FILE] [--Section:Key=value …]</c>: the long-running worker.</summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(string? configFile, string[] overrides, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (configFile is not null && !File.Exists(configFile))
        {
            await stderr.WriteLineAsync($"error: --config: {configFile}: no such file.").ConfigureAwait(false);
            return 2;
        }

        WebApplication app;
        try
        {
            app = WorkerHost.Build(overrides, configFile);
        }
        catch (InvalidDataException e)
        {
            await stderr.WriteLineAsync($"error: {ConfigurationFileError.Describe(e)}").ConfigureAwait(false);
            return 2;
        }

        await using (app.ConfigureAwait(false))
        {
            if (!await WorkerHost.ReportConfigurationProblemsAsync(app, stderr).ConfigureAwait(false))
            {
                return 2;
            }

            if (!await WorkerHost.ReportStateProblemAsync(app, stderr).ConfigureAwait(false))
            {
                return 2;
            }

            if (!await WorkerHost.TryStartAsync(app, stderr, cancellationToken).ConfigureAwait(false))
            {
                return 2;
            }

            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }

        return Environment.ExitCode;
    }
}
