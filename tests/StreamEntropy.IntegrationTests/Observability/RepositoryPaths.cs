namespace StreamEntropy.IntegrationTests.Observability;

/// <summary>Finds files of the repository (deploy/…) from the test's output folder.</summary>
internal static class RepositoryPaths
{
    /// <summary>Returns the full path of <paramref name="relative"/> under the folder that holds StreamEntropy.sln.</summary>
    public static string Get(string relative)
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "StreamEntropy.sln")))
            {
                return Path.Combine(d.FullName, relative);
            }
        }

        throw new DirectoryNotFoundException($"No StreamEntropy.sln above {AppContext.BaseDirectory}.");
    }
}
