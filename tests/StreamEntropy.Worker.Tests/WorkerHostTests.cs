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

    [Fact]
    public async Task Validate_EmptyTopicsInConfigFile_IsAnErrorNotTheDefault()
    {
        // appsettings.json lists "events"; a file's [] cannot remove it (lists merge element by element).
        string config = _dir.Write("config.json", """{ "StreamEntropy": { "Kafka": { "Topics": [] }, "Fields": [ { "Name": "a" } ] } }""");

        WebApplication app = WorkerHost.Build([], config);
        await using (app)
        {
            string problem = Assert.Single(WorkerHost.Validate(app));

            Assert.StartsWith("StreamEntropy:Kafka:Topics is an empty list in config.json; list at least one input topic", problem, StringComparison.Ordinal);
            Assert.Contains("appsettings.json", problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Validate_EmptyListOverSomeoneElsesEntries_NamesBothSources()
    {
        string config = _dir.Write("config.json", """{ "StreamEntropy": { "Kafka": { "Topics": [ "in" ] }, "Fields": [ { "Name": "a" } ], "Windows": [ { "Name": "w", "Kind": "Cumulative" } ] } }""");
        // The higher-precedence source is the one the user means: here the extra settings, over --config's file.
        WebApplication app = WorkerHost.Build([], config, new Dictionary<string, string?> { ["StreamEntropy:Windows"] = "" });
        await using (app)
        {
            string problem = Assert.Single(WorkerHost.Validate(app));

            Assert.StartsWith("StreamEntropy:Windows is an empty list in the built-in settings, but it cannot empty the list", problem, StringComparison.Ordinal);
            Assert.Contains("the 1 from config.json", problem, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--StreamEntropy:Feilds:0:Name=a", "StreamEntropy:Feilds is not a setting; did you mean StreamEntropy:Fields?")]
    [InlineData("--StreamEntropy:Fields:0:Bin=2", "StreamEntropy:Fields:0:Bin is not a setting; did you mean StreamEntropy:Fields:0:BinWidth?")]
    [InlineData("--StreamEntropy:Kafka:Topic=x", "StreamEntropy:Kafka:Topic is not a setting; did you mean StreamEntropy:Kafka:Topics?")]
    [InlineData("--StreamEntropy:Checkpoint:Intervall=00:00:05", "StreamEntropy:Checkpoint:Intervall is not a setting; did you mean StreamEntropy:Checkpoint:Interval?")]
    [InlineData("--StreamEntropy:Windows:Name=x", "StreamEntropy:Windows:Name is not a setting: Windows is a list, so its entries are numbered (StreamEntropy:Windows:0:Name).")]
    [InlineData("--StreamEntropy:MaxEventBytes=1MB", "StreamEntropy:MaxEventBytes: '1MB' is not a whole number.")]
    [InlineData("--StreamEntropy:Time=Wallclock", "StreamEntropy:Time: 'Wallclock' is not one of EventTime, ProcessingTime.")]
    public async Task Validate_UnknownKeyOrBadValue_OneLineNamingTheKeyAndTheNearestSetting(string argument, string expected)
    {
        string config = _dir.Write("config.json", ValidConfig);

        WebApplication app = WorkerHost.Build([argument], config);
        await using (app)
        {
            Assert.Equal([expected], WorkerHost.Validate(app));
        }
    }

    [Fact]
    public async Task Validate_ClientSettingsAndEveryDocumentedKey_AreNotReported()
    {
        string config = _dir.Write("config.json", ValidConfig);

        WebApplication app = WorkerHost.Build(["--StreamEntropy:Kafka:Client:sasl.mechanism=PLAIN", "--StreamEntropy:Fields:0:binwidth=2", "--StreamEntropy:Scaling:Mode=group"], config);
        await using (app)
        {
            Assert.Empty(WorkerHost.Validate(app)); // any librdkafka key; keys and enum values case-insensitively, as bound
        }
    }

    [Fact]
    public async Task Validate_RangeRules_ArePlainLinesNamingTheKey()
    {
        string config = _dir.Write("config.json", ValidConfig);

        WebApplication app = WorkerHost.Build(["--StreamEntropy:PublishInterval=00:00:00.010", "--StreamEntropy:MaxEventBytes=63"], config);
        await using (app)
        {
            IReadOnlyList<string> problems = WorkerHost.Validate(app);

            Assert.Equal(
                ["StreamEntropy:PublishInterval must be between 100 ms and 1 day, not 00:00:00.0100000.", "StreamEntropy:MaxEventBytes must be between 64 and 67108864, not 63."],
                problems);
        }
    }

    [Fact]
    public async Task Run_BrokenJsonConfig_ExitsTwoWithLineAndPosition()
    {
        string config = _dir.Write("broken.json", "{\n  \"StreamEntropy\": {\n    \"Kafka\": { \"Topics\": [ \"a\" ]\n    \"Fields\": []\n  }\n}\n");

        CliResult result = await RunAsync("run", "--config", config);

        result.AssertSingleError(2, "broken.json: line 4, position 5: invalid JSON: ");
        Assert.DoesNotContain("LineNumber", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("notaurl", "--urls: 'notaurl' is not an address to listen on")]
    [InlineData("http://127.0.0.1:70000", "--urls: 'http://127.0.0.1:70000': port 70000 is out of range")]
    [InlineData("ftp://127.0.0.1:21", "--urls: 'ftp://127.0.0.1:21' has scheme 'ftp'")]
    public async Task Run_BadUrls_ExitsTwoWithOneLine(string urls, string expected)
    {
        string config = _dir.Write("config.json", ValidConfig);

        CliResult result = await RunAsync("run", "--config", config, "--urls", urls);

        result.AssertSingleError(2, expected);
    }

    [Fact]
    public async Task Run_PortInUse_ExitsTwoWithOneLine()
    {
        string config = _dir.Write("config.json", ValidConfig);
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        CliResult result = await RunAsync("run", "--config", config, "--urls", $"http://127.0.0.1:{port}");

        result.AssertSingleError(2, $"--urls: cannot listen on 'http://127.0.0.1:{port}': the port is already in use.");
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
