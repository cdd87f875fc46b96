namespace StreamEntropy.Worker.Tests.Deploy;

/// <summary>deploy/systemd/stream-entropy.service: the keys the service relies on, and systemd's own check of the unit.</summary>
public sealed class SystemdUnitTests
{
    private static Dictionary<string, List<(string Key, string Value)>> Unit()
    {
        var sections = new Dictionary<string, List<(string, string)>>(StringComparer.Ordinal);
        List<(string, string)>? current = null;
        foreach (string raw in File.ReadAllLines(DeployFiles.SystemdUnit))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith(';'))
            {
                continue;
            }

            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                current = [];
                sections.Add(line[1..^1], current);
                continue;
            }

            Assert.NotNull(current);
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            Assert.True(eq > 0, $"not Key=Value: {line}");
            current.Add((line[..eq].Trim(), line[(eq + 1)..].Trim()));
        }

        return sections;
    }

    private static string Single(string section, string key)
    {
        List<(string Key, string Value)> entries = Unit()[section];
        return Assert.Single(entries, e => e.Key == key).Value;
    }

    [Theory]
    [InlineData("Type", "notify")]
    [InlineData("User", "stream-entropy")]
    [InlineData("StateDirectory", "stream-entropy")]
    [InlineData("WorkingDirectory", "/var/lib/stream-entropy")]
    [InlineData("ExecStart", "/opt/stream-entropy/stream-entropy run --config /etc/stream-entropy/config.json")]
    [InlineData("Restart", "on-failure")]
    [InlineData("KillSignal", "SIGTERM")]
    [InlineData("TimeoutStopSec", "30")]
    [InlineData("NoNewPrivileges", "yes")]
    [InlineData("ProtectSystem", "strict")]
    [InlineData("ProtectHome", "yes")]
    [InlineData("PrivateTmp", "yes")]
    [InlineData("ReadWritePaths", "/var/lib/stream-entropy")]
    public void Service_HasRequiredSetting(string key, string value) => Assert.Equal(value, Single("Service", key));

    [Fact]
    public void Unit_StartsAfterTheNetworkAndInstallsIntoMultiUser()
    {
        Assert.Equal("network-online.target", Single("Unit", "After"));
        Assert.Equal("network-online.target", Single("Unit", "Wants"));
        Assert.Equal("multi-user.target", Single("Install", "WantedBy"));
    }

    [Fact]
    public void Service_PointsTheCheckpointsAtTheStateDirectoryAndAllowsTheJit()
    {
        List<(string Key, string Value)> service = Unit()["Service"];

        Assert.Contains(("Environment", "StreamEntropy__Checkpoint__Directory=/var/lib/stream-entropy"), service);
        // .NET's JIT maps writable+executable memory; MemoryDenyWriteExecute would kill the process at start.
        Assert.DoesNotContain(service, e => e.Key == "MemoryDenyWriteExecute" && e.Value is "yes" or "true");
    }

    [RequiresToolFact("systemd-analyze")]
    public void SystemdAnalyzeVerify_ReportsNothing()
    {
        string tool = SystemTool.Require("systemd-analyze");

        // verify also checks that ExecStart's binary exists; point it at /bin/true, keep everything else.
        string dir = Path.Combine(Path.GetTempPath(), $"se-unit-{System.Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string unit = Path.Combine(dir, "stream-entropy.service");
            File.WriteAllText(unit, File.ReadAllText(DeployFiles.SystemdUnit).Replace("ExecStart=/opt/stream-entropy/stream-entropy ", "ExecStart=/bin/true ", StringComparison.Ordinal));

            (int exit, string stdout, string stderr) = DeployFiles.Run(tool, dir, "verify", unit);

            Assert.True(exit == 0 && stderr.Trim().Length == 0, $"systemd-analyze verify ({exit}): {stdout}{stderr}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
