using System.Diagnostics;

namespace StreamEntropy.Worker.Tests.Deploy;

/// <summary>Paths of the deployment files, and running their external validators (docker-compose, systemd-analyze; found
/// through <see cref="SystemTool"/>).</summary>
internal static class DeployFiles
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StreamEntropy.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"StreamEntropy.sln not found above {AppContext.BaseDirectory}");
    });

    public static string RepositoryRoot => Root.Value;

    public static string ComposeFile => PathOf("docker-compose.yml");

    public static string Dockerfile => PathOf("deploy/Dockerfile");

    public static string SystemdUnit => PathOf("deploy/systemd/stream-entropy.service");

    public static string HelmChart => PathOf("deploy/helm/stream-entropy");

    public static string PrometheusConfig => PathOf("deploy/prometheus/prometheus.yml");

    public static string GrafanaProvisioning => PathOf("deploy/grafana/provisioning");

    public static string ExampleConfiguration => PathOf("deploy/config/stream-entropy.example.json");

    public static string WorkerAppSettings => PathOf("src/StreamEntropy.Worker/appsettings.json");

    public static string PathOf(string relative) => Path.Combine(RepositoryRoot, relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Runs a tool with a time limit and returns its exit code, stdout and stderr.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string tool, string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo(tool)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi)!;
        p.StandardInput.Close();
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', args)} did not finish within 60 s");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
