using System.Text.RegularExpressions;

namespace StreamEntropy.Worker.Tests.Deploy;

/// <summary>deploy/Dockerfile and .dockerignore (no Docker engine here: the instructions are checked as text).</summary>
public sealed partial class DockerfileTests
{
    /// <summary>The instructions, with continuation lines joined and ARG defaults substituted.</summary>
    private static List<(string Instruction, string Arguments)> Instructions()
    {
        // Docker drops comment lines first (also inside a continued instruction), then joins continuation lines.
        string text = string.Join('\n', File.ReadAllLines(DeployFiles.Dockerfile).Where(l => !l.TrimStart().StartsWith('#')));
        text = text.Replace("\\\n", " ", StringComparison.Ordinal);
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        var result = new List<(string, string)>();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            string[] parts = line.Split(' ', 2);
            string instruction = parts[0].ToUpperInvariant();
            string arguments = parts.Length > 1 ? parts[1].Trim() : "";
            if (instruction == "ARG" && arguments.Split('=', 2) is [string name, string value])
            {
                args[name] = value;
            }

            arguments = ArgReference().Replace(arguments, m => args.TryGetValue(m.Groups["name"].Value, out string? v) ? v : m.Value);
            result.Add((instruction, arguments));
        }

        return result;
    }

    private static string One(string instruction) => Assert.Single(Instructions(), i => i.Instruction == instruction).Arguments;

    [Fact]
    public void Dockerfile_BuildsWithTheSdkAndRunsOnAspNet()
    {
        List<string> from = [.. Instructions().Where(i => i.Instruction == "FROM").Select(i => i.Arguments)];

        Assert.Equal(["mcr.microsoft.com/dotnet/sdk:10.0 AS build", "mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime"], from);
        Assert.Contains(Instructions(), i => i.Instruction == "RUN" && i.Arguments.StartsWith("dotnet publish src/StreamEntropy.Worker -c Release -o /app", StringComparison.Ordinal));
        Assert.Contains(Instructions(), i => i.Instruction == "COPY" && i.Arguments == "--from=build /app /app");
    }

    [Fact]
    public void Dockerfile_RunsTheWorkerAsNonRootOnPort8080()
    {
        Assert.Equal("[\"/app/stream-entropy\"]", One("ENTRYPOINT"));
        Assert.Equal("[\"run\"]", One("CMD"));
        Assert.Equal("8080", One("EXPOSE"));
        string user = One("USER");
        Assert.NotEqual("root", user);
        Assert.NotEqual("0", user);
        Assert.Equal("[\"/var/lib/stream-entropy\"]", One("VOLUME"));
        Assert.Equal("/var/lib/stream-entropy", Instructions().Last(i => i.Instruction == "WORKDIR").Arguments);

        string env = string.Join(' ', Instructions().Where(i => i.Instruction == "ENV").Select(i => i.Arguments));
        Assert.Contains("ASPNETCORE_URLS=http://0.0.0.0:8080", env, StringComparison.Ordinal);
        Assert.Contains("StreamEntropy__Checkpoint__Directory=/var/lib/stream-entropy", env, StringComparison.Ordinal);
    }

    [Fact]
    public void Dockerfile_HealthcheckAsksHealthzOnTheListeningPort()
    {
        string healthcheck = One("HEALTHCHECK");

        Assert.Contains("/dev/tcp/127.0.0.1/8080", healthcheck, StringComparison.Ordinal);
        Assert.Contains("GET /healthz ", healthcheck, StringComparison.Ordinal);
        Assert.DoesNotContain("curl", healthcheck, StringComparison.Ordinal); // not in the aspnet image
    }

    [Fact]
    public void Dockerfile_CopiesOnlyFilesThatExistAndAreNotIgnored()
    {
        string[] ignored = File.ReadAllLines(DeployFiles.PathOf(".dockerignore"));
        foreach (var (_, arguments) in Instructions().Where(i => i.Instruction == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal)))
        {
            string[] words = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (string source in words[..^1])
            {
                string path = DeployFiles.PathOf(source.TrimEnd('/'));
                Assert.True(File.Exists(path) || Directory.Exists(path), $"COPY source {source} does not exist");
                Assert.DoesNotContain(source.TrimEnd('/') + "/", ignored);
                Assert.DoesNotContain(source.TrimEnd('/'), ignored);
            }
        }
    }

    [Fact]
    public void DockerIgnore_ExcludesBuildOutputAndGit()
    {
        string[] ignored = File.ReadAllLines(DeployFiles.PathOf(".dockerignore"));

        foreach (string pattern in new[] { "**/bin/", "**/obj/", ".git/", "**/TestResults/" })
        {
            Assert.Contains(pattern, ignored);
        }
    }

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex ArgReference();
}
