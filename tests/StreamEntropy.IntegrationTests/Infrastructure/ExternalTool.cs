namespace StreamEntropy.IntegrationTests.Infrastructure;

/// <summary>Finds system tools (kcat, ...) that some integration tests drive as child processes.</summary>
internal static class ExternalTool
{
    /// <summary>Gets a value indicating whether this is a CI run (<c>CI=true</c>): missing tools are failures there.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns the full path of <paramref name="name"/> on <c>PATH</c>, or <see langword="null"/>.</summary>
    public static string? Find(string name)
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        foreach (string directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Returns the tool's path, or fails the test (reached only under CI, see <see cref="RequiresToolFactAttribute"/>).</summary>
    public static string Require(string name) =>
        Find(name) ?? throw new Xunit.Sdk.XunitException($"'{name}' is not on PATH and CI=true: install it (e.g. apt-get install -y {name}).");
}
