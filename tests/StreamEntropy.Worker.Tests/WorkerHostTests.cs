using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamEntropy.Worker.Hosting;
using StreamEntropy.Worker.Options;
using StreamEntropy.Worker.Tests.Support;

namespace StreamEntropy.Worker.Tests;

/// <summary><see cref="WorkerHost"/> and <c>stream-entropy run</c> up to, never including, starting against Kafka.</summary>
[Collection(ProcessEnvironmentGroup.Name)]
public sealed class WorkerHostTests : IDisposable
{
    private const string GroupIdVariable = "StreamEntropy__Kafka__GroupId";

    /// <summary>A valid configuration whose group id says where it came from.</summary>
    private const string ValidConfig = """
        {
          "StreamEntropy": {
            "Kafka": { "BootstrapServers": "127.0.0.1:1", "GroupId": "from-file", "Topics": [ "in" ] },
            "Fields": [ { "Name": "team" } ],
            "Windows": [ { "Name": "1m", "Kind": "Tumbling", "Size": "00:01:00" } ]
          }
        }
        """;

    // Guards the run tests: if validation ever passed, the worker would start; cancelling stops it instead of hanging.
    private static readonly TimeSpan RunGuard = TimeSpan.FromSeconds(20);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Validate_BadExtraConfiguration_ReturnsEveryProblemWithoutThrowing()
    {
        var extra = new Dictionary<string, string?>
        {
            ["StreamEntropy:Kafka:Topics:0"] = "in",
            ["StreamEntropy:Estimator"] = "bogus",
            ["StreamEntropy:Base"] = "1",
            ["StreamEntropy:Windows:0:Name"] = "w",
            ["StreamEntropy:Windows:0:Kind"] = "Sliding",
            ["StreamEntropy:Windows:0:Size"] = "00:01:00",
            ["StreamEntropy:Windows:0:Step"] = "00:00:07",
            ["StreamEntropy:PublishInterval"] = "00:00:00.010",
            ["StreamEntropy:MaxEventBytes"] = "63",
        };

        WebApplication app = WorkerHost.Build([], configFile: null, extra);
        await using (app)
        {
            IReadOnlyList<string> problems = WorkerHost.Validate(app);

            Assert.Equal(6, problems.Count);
            Assert.Contains(problems, p => p.Contains("StreamEntropy:Fields", StringComparison.Ordinal)); // none configured
            Assert.Contains(problems, p => p.Contains("StreamEntropy:Estimator", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("StreamEntropy:Base", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("StreamEntropy:Windows:0:Step", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("StreamEntropy:PublishInterval", StringComparison.Ordinal)); // data annotations
            Assert.Contains(problems, p => p.Contains("StreamEntropy:MaxEventBytes", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Validate_MaxDistinctThroughConfiguration_BindsAndNamesEachBadSetting()
    {
        string config = _dir.Write("config.json", ValidConfig);
        WebApplication good = WorkerHost.Build(["--StreamEntropy:MaxDistinct=1000", "--StreamEntropy:Fields:0:MaxDistinct=0"], config);
        await using (good)
        {
            Assert.Empty(WorkerHost.Validate(good));
            StreamEntropyOptions o = good.Services.GetRequiredService<IOptions<StreamEntropyOptions>>().Value;
            Assert.Equal(1000, o.MaxDistinct);
            Assert.Equal(0, o.Fields[0].MaxDistinct);
        }

        WebApplication bad = WorkerHost.Build(["--StreamEntropy:MaxDistinct=10", "--StreamEntropy:Fields:0:MaxDistinct=20000000"], config);
        await using (bad)
        {
            IReadOnlyList<string> problems = WorkerHost.Validate(bad);

            Assert.Equal(2, problems.Count);
            Assert.Contains(problems, p => p.Contains("StreamEntropy:MaxDistinct must be 0 (unlimited) or from 16 to 16777216, not 10.", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("StreamEntropy:Fields:0:MaxDistinct", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Validate_ValidConfigFile_ReturnsNoProblems()
    {
        string config = _dir.Write("config.json", ValidConfig);

        WebApplication app = WorkerHost.Build([], config);
        await using (app)
        {
            Assert.Empty(WorkerHost.Validate(app));
            StreamEntropyOptions o = app.Services.GetRequiredService<IOptions<StreamEntropyOptions>>().Value;
            Assert.Equal(["in"], o.Kafka.Topics);
            Assert.Equal("team", Assert.Single(o.Fields).Name);
            Assert.Equal(TimeSpan.FromMinutes(1), Assert.Single(o.Windows).Size);
        }
    }

    [Fact]
    public async Task Validate_NonTimeSpanValue_ReturnsMessageNamingTheKey()
    {
        string config = _dir.Write("config.json", ValidConfig);

        WebApplication app = WorkerHost.Build(["--StreamEntropy:Windows:0:Size=ten minutes"], config);
        await using (app)
        {
            string problem = Assert.Single(WorkerHost.Validate(app));

            Assert.Contains("StreamEntropy:Windows:0:Size", problem, StringComparison.Ordinal);
            Assert.Contains("ten minutes", problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Build_Precedence_ConfigFileThenEnvironmentThenCommandLineThenExtra()
    {
        string config = _dir.Write("config.json", ValidConfig);
        string? saved = Environment.GetEnvironmentVariable(GroupIdVariable);
        try
        {
            Environment.SetEnvironmentVariable(GroupIdVariable, null);
            Assert.Equal("from-file", await GroupIdAsync([], config, null));

            Environment.SetEnvironmentVariable(GroupIdVariable, "from-env");
            Assert.Equal("from-env", await GroupIdAsync([], config, null));
            Assert.Equal("from-cli", await GroupIdAsync(["--StreamEntropy:Kafka:GroupId=from-cli"], config, null));
            Assert.Equal(
                "from-extra",
                await GroupIdAsync(["--StreamEntropy:Kafka:GroupId=from-cli"], config, new Dictionary<string, string?> { ["StreamEntropy:Kafka:GroupId"] = "from-extra" }));
        }
        finally
        {
            Environment.SetEnvironmentVariable(GroupIdVariable, saved);
        }
    }

    [Fact]
    public async Task Build_ConfigFileOverridesAppSettings()
    {
        // appsettings.json (copied next to the tests) sets BootstrapServers localhost:9092 and topic "events".
        string config = _dir.Write("config.json", ValidConfig);

        WebApplication app = WorkerHost.Build([], config);
        await using (app)
        {
            StreamEntropyOptions o = app.Services.GetRequiredService<IOptions<StreamEntropyOptions>>().Value;
            Assert.Equal("127.0.0.1:1", o.Kafka.BootstrapServers);
            Assert.Equal("entropy", o.Kafka.OutputTopic); // not in the file: from appsettings.json / the default
        }
    }

    [Fact]
    public async Task Run_MissingConfigFile_ExitsTwoNamingTheFile()
    {
        string missing = _dir.File("missing.json");

        CliResult result = await RunAsync("run", "--config", missing);

        result.AssertSingleError(2, "--config", missing, "no such file");
    }

    [Fact]
    public async Task Run_MalformedJsonConfig_ExitsTwoNamingTheFile()
    {
        string config = _dir.Write("broken.json", """{ "StreamEntropy": { "Kafka": """);

        CliResult result = await RunAsync("run", "--config", config);

        result.AssertSingleError(2, "broken.json");
    }

    [Fact]
    public async Task Run_NonTimeSpanValue_ExitsTwoNamingTheKey()
    {
        string config = _dir.Write("config.json", ValidConfig);

        CliResult result = await RunAsync("run", "--config", config, "--StreamEntropy:PublishInterval=abc");

        result.AssertSingleError(2, "StreamEntropy:PublishInterval", "'abc'");
    }

    [Fact]
    public async Task Run_InvalidConfiguration_ExitsTwoWithOneLinePerProblem()
    {
        string config = _dir.Write("config.json", ValidConfig);

        CliResult result = await RunAsync("run", "--config", config, "--StreamEntropy:Estimator=bogus", "--StreamEntropy:Kafka:Topics:0=entropy");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        string[] lines = result.StderrLines;
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("error: StreamEntropy:", l, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("StreamEntropy:Estimator", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("StreamEntropy:Kafka:Topics", StringComparison.Ordinal));
    }

    private static async Task<string> GroupIdAsync(string[] overrides, string configFile, Dictionary<string, string?>? extra)
    {
        WebApplication app = WorkerHost.Build(overrides, configFile, extra);
        await using (app)
        {
            Assert.Empty(WorkerHost.Validate(app));
            return app.Services.GetRequiredService<IOptions<StreamEntropyOptions>>().Value.Kafka.GroupId;
        }
    }

    private static async Task<CliResult> RunAsync(params string[] args)
    {
        using var guard = new CancellationTokenSource(RunGuard);
        return await Cli.RunAsync(guard.Token, args);
    }
}
