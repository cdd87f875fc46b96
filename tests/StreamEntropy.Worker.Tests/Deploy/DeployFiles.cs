using System.Diagnostics;

namespace StreamEntropy.Worker.Tests.Deploy;

/// <summary>Paths of the deployment files, and the optional external validators (docker-compose, promtool, …).</summary>
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

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string PathOf(string relative) => Path.Combine(RepositoryRoot, relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Finds an executable on PATH.</summary>
    public static string? FindTool(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The tool's path; when it is missing, fails under CI=true (.ci/run installs it) and otherwise returns
    /// <see langword="null"/> after saying so, so the test can return early.</summary>
    public static string? RequireTool(string name, string aptPackage, bool requiredInCi = true)
    {
        string? path = FindTool(name);
        if (path is null)
        {
            string message = $"{name} is not on PATH (apt-get install {aptPackage}); skipping this check.";
            Assert.False(IsCi && requiredInCi, message);
            Console.WriteLine(message);
        }

        return path;
    }

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
