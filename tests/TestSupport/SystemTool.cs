namespace StreamEntropy.TestSupport;

/// <summary>System tools (kcat, promtool, chromium, docker-compose, systemd-analyze) that some tests drive as child
/// processes, and the one rule for a missing tool: skipped on a developer machine, a failure under <c>CI=true</c>
/// (where <c>.ci/run</c> installs every one of them). See <see cref="RequiresToolFactAttribute"/>.</summary>
internal static class SystemTool
{
    // The Debian package of each tool, for the skip reason and the failure message.
    private static readonly Dictionary<string, string> Packages = new(StringComparer.Ordinal)
    {
        ["promtool"] = "prometheus",
        ["systemd-analyze"] = "systemd",
    };

    /// <summary>Gets a value indicating whether this is a CI run (<c>CI=true</c>): missing tools are failures there.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Gets the Debian package that provides <paramref name="tool"/>.</summary>
    public static string PackageOf(string tool) => Packages.TryGetValue(tool, out string? package) ? package : tool;

    /// <summary>Returns the full path of <paramref name="name"/> on <c>PATH</c>, or <see langword="null"/>.</summary>
    public static string? Find(string name)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The reason a test of <paramref name="tool"/> is skipped, or <see langword="null"/> when it must run:
    /// the tool is there, or this is CI (where the test then fails in <see cref="Require"/>).</summary>
    public static string? SkipReason(string tool) =>
        IsCi || Find(tool) is not null
            ? null
            : $"'{tool}' is not on PATH (apt-get install {PackageOf(tool)}); skipped here, a failure under CI=true.";

    /// <summary>Returns the tool's path, or fails the test (reached without the tool only under CI).</summary>
    public static string Require(string tool) =>
        Find(tool) ?? throw new Xunit.Sdk.XunitException($"'{tool}' is not on PATH and CI=true: install it (apt-get install {PackageOf(tool)}; .ci/run does).");
}
