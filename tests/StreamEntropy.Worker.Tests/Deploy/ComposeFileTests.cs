using StreamEntropy.Worker.Options;

namespace StreamEntropy.Worker.Tests.Deploy;

/// <summary>docker-compose.yml: the worker's environment is a valid configuration of existing settings, the topics and
/// the generator line up with it, and <c>docker-compose config</c> accepts the file.</summary>
public sealed class ComposeFileTests
{
    private static readonly string[] NonOptionVariables = ["ASPNETCORE_URLS", "DOTNET_gcServer", "Logging__LogLevel__Default"];

    private static object? Compose() => Yaml.Parse(File.ReadAllText(DeployFiles.ComposeFile));

    private static Dictionary<string, string?> Environment(object? compose, string service)
    {
        object? env = Yaml.At(compose, "services", service, "environment");
        return env switch
        {
            Dictionary<string, object?> map => map.ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.Ordinal),
            List<object?> list => list.Cast<string>().Select(s => s.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : null, StringComparer.Ordinal),
            _ => throw new InvalidCastException($"services.{service}.environment is neither a mapping nor a list"),
        };
    }

    private static StreamEntropyOptions WorkerOptions(object? compose)
    {
        Dictionary<string, string?> env = Environment(compose, "worker");
        return OptionsConfiguration.Bind(OptionsConfiguration.FromEnvironment(env.Where(kv => kv.Key.StartsWith("StreamEntropy__", StringComparison.Ordinal))));
    }

    [Fact]
    public void WorkerEnvironment_BindsToOptionsThatPassTheWorkersValidation()
    {
        StreamEntropyOptions o = WorkerOptions(Compose());

        OptionsConfiguration.AssertValid(o, "docker-compose.yml services.worker.environment");
        Assert.Equal("kafka:9092", o.Kafka.BootstrapServers);
        Assert.Equal(["events"], o.Kafka.Topics);
        Assert.Equal(["country", "device", "page", "status", "amount"], o.Fields.Select(f => f.Name));
        Assert.Equal(10, o.Fields.Single(f => f.Name == "amount").BinWidth);
        Assert.Equal(["country/device", "page/status"], o.Pairs.Select(p => $"{p.X}/{p.Y}"));
        Assert.Equal("/var/lib/stream-entropy", o.Checkpoint.Directory);
    }

    [Fact]
    public void WorkerEnvironment_MirrorsTheExampleConfiguration()
    {
        StreamEntropyOptions compose = WorkerOptions(Compose());
        StreamEntropyOptions example = OptionsConfiguration.Bind(OptionsConfiguration.FromJson(File.ReadAllText(DeployFiles.ExampleConfiguration)), withAppSettings: false);

        Assert.Equal(Describe(example.Windows), Describe(compose.Windows));
        foreach (FieldOptions f in example.Fields)
        {
            FieldOptions c = Assert.Single(compose.Fields, x => x.Name == f.Name);
            Assert.Equal(f.Path ?? f.Name, c.Path ?? c.Name);
            Assert.Equal(f.BinWidth, c.BinWidth);
        }

        Assert.All(example.Pairs, p => Assert.Contains(compose.Pairs, c => c.X == p.X && c.Y == p.Y));
        Assert.Equal(
            (example.Kafka.GroupId, example.Kafka.OutputTopic, example.Kafka.DeadLetterTopic, example.Estimator, example.Base, example.PublishInterval, example.Checkpoint.Interval),
            (compose.Kafka.GroupId, compose.Kafka.OutputTopic, compose.Kafka.DeadLetterTopic, compose.Estimator, compose.Base, compose.PublishInterval, compose.Checkpoint.Interval));

        static List<string> Describe(List<WindowOptions> windows) => [.. windows.Select(w => $"{w.Name} {w.Kind} {w.Size} {w.Step} {w.HalfLife}")];
    }

    [Fact]
    public void WorkerEnvironment_NamesOnlySettingsThatExist()
    {
        Dictionary<string, string?> env = Environment(Compose(), "worker");

        List<string> options = [.. env.Keys.Where(k => k.StartsWith("StreamEntropy__", StringComparison.Ordinal))];
        Assert.NotEmpty(options);
        Assert.Empty(OptionsConfiguration.UnknownKeys(options.Select(k => k.Replace("__", ":", StringComparison.Ordinal))));
        Assert.Empty(env.Keys.Except(options).Except(NonOptionVariables));
    }

    [Theory]
    [InlineData("StreamEntropy:Kafka:BootstrapServer")]
    [InlineData("StreamEntropy:Fields:0:Width")]
    [InlineData("StreamEntropy:Fields:x:Name")]
    [InlineData("StreamEntropy:Checkpoint")]
    [InlineData("StreamEntropy:PublishInterval:Seconds")]
    [InlineData("StreamEntropy:Windows:0:HalfLive")]
    public void UnknownKeys_RenamedOrMisplacedSetting_IsReported(string key) =>
        Assert.Equal([key], OptionsConfiguration.UnknownKeys([key, "StreamEntropy:Kafka:Client:sasl.username", "StreamEntropy:Windows:3:HalfLife"]));

    [Fact]
    public void TopicInit_CreatesEveryTopicTheWorkerUses()
    {
        object? compose = Compose();
        string script = string.Join('\n', Yaml.Seq(compose, "services", "topic-init", "command").Cast<string>());
        StreamEntropyOptions o = WorkerOptions(compose);

        var created = script.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Contains("--create", StringComparison.Ordinal))
            .Select(l => l.Split(' '))
            .ToDictionary(w => w[Array.IndexOf(w, "--topic") + 1], w => w);

        foreach (string topic in o.Kafka.Topics.Append(o.Kafka.OutputTopic).Append(o.Kafka.DeadLetterTopic).Append(o.Kafka.AlertTopic))
        {
            Assert.True(created.ContainsKey(topic), $"topic-init does not create {topic}");
        }

        Assert.Equal("4", created["events"][Array.IndexOf(created["events"], "--partitions") + 1]);
        foreach (string compacted in new[] { "entropy-state", "entropy-partials" })
        {
            Assert.Contains("cleanup.policy=compact", created[compacted]);
        }

        Assert.All(created.Values, words => Assert.Equal("/opt/kafka/bin/kafka-topics.sh", words[0]));
        Assert.All(created.Values, words => Assert.Contains("--if-not-exists", words));
    }

    [Fact]
    public void Services_StartInOrderAndPublishTheDocumentedPorts()
    {
        object? c = Compose();

        Assert.Equal("service_healthy", Yaml.Str(c, "services", "topic-init", "depends_on", "kafka", "condition"));
        Assert.Equal("service_completed_successfully", Yaml.Str(c, "services", "worker", "depends_on", "topic-init", "condition"));
        Assert.Equal("service_completed_successfully", Yaml.Str(c, "services", "generator", "depends_on", "topic-init", "condition"));
        Assert.Equal("deploy/Dockerfile", Yaml.Str(c, "services", "worker", "build", "dockerfile"));
        Assert.True(File.Exists(DeployFiles.Dockerfile));
        Assert.Contains("8080:8080", Yaml.Seq(c, "services", "worker", "ports"));
        Assert.Contains("3000:3000", Yaml.Seq(c, "services", "grafana", "ports"));
        Assert.Equal("true", Yaml.Str(c, "services", "grafana", "environment", "GF_AUTH_ANONYMOUS_ENABLED"));
        Assert.Equal("Viewer", Yaml.Str(c, "services", "grafana", "environment", "GF_AUTH_ANONYMOUS_ORG_ROLE"));
        Assert.StartsWith("apache/kafka:", Yaml.Str(c, "services", "kafka", "image"), StringComparison.Ordinal);
        Assert.Equal("broker,controller", Yaml.Str(c, "services", "kafka", "environment", "KAFKA_PROCESS_ROLES"));

        string url = Environment(c, "worker")["ASPNETCORE_URLS"]!;
        Assert.Equal("http://0.0.0.0:8080", url);
    }

    [Fact]
    public void Generator_RunsTheGenerateCommandAgainstTheWorkersInputTopic()
    {
        object? c = Compose();
        StreamEntropyOptions o = WorkerOptions(c);

        Assert.Equal(
            ["generate", "--bootstrap-servers", o.Kafka.BootstrapServers, "--topic", o.Kafka.Topics[0], "--rate", "500"],
            Yaml.Seq(c, "services", "generator", "command").Cast<string>());
        Assert.Equal(Yaml.Str(c, "services", "worker", "image"), Yaml.Str(c, "services", "generator", "image"));
    }

    [Fact]
    public void Prometheus_ScrapesTheWorkerServiceOnItsPort()
    {
        object? prometheus = Yaml.Parse(File.ReadAllText(DeployFiles.PrometheusConfig));
        var job = Yaml.Seq(prometheus, "scrape_configs").Cast<Dictionary<string, object?>>().Single(j => (string?)j["job_name"] == "stream-entropy");

        Assert.Equal("/metrics", Yaml.Str(job, "metrics_path"));
        Assert.Equal(["worker:8080"], Yaml.Seq(job, "static_configs", 0, "targets"));
        Assert.Contains(Yaml.Seq(Compose(), "services", "prometheus", "volumes").Cast<string>(), v => v.StartsWith("./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml", StringComparison.Ordinal));
    }

    [Fact]
    public void Grafana_ProvisionsThePrometheusDatasourceAndTheDashboardsFolder()
    {
        object? c = Compose();
        List<string> volumes = [.. Yaml.Seq(c, "services", "grafana", "volumes").Cast<string>()];
        Assert.Contains("./deploy/grafana/provisioning:/etc/grafana/provisioning:ro", volumes);
        Assert.Contains("./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro", volumes);

        object? ds = Yaml.Parse(File.ReadAllText(Path.Combine(DeployFiles.GrafanaProvisioning, "datasources", "prometheus.yml")));
        Assert.Equal("prometheus", Yaml.Str(ds, "datasources", 0, "type"));
        Assert.Equal("http://prometheus:9090", Yaml.Str(ds, "datasources", 0, "url"));
        Assert.Contains("9090:9090", Yaml.Seq(c, "services", "prometheus", "ports"));

        object? dashboards = Yaml.Parse(File.ReadAllText(Path.Combine(DeployFiles.GrafanaProvisioning, "dashboards", "stream-entropy.yml")));
        Assert.Equal("/var/lib/grafana/dashboards", Yaml.Str(dashboards, "providers", 0, "options", "path"));
    }

    [RequiresToolFact("docker-compose")]
    public void DockerComposeConfig_AcceptsTheFileAndKeepsTheWorkerConfigurationValid()
    {
        string tool = SystemTool.Require("docker-compose");

        (int exit, string stdout, string stderr) = DeployFiles.Run(tool, DeployFiles.RepositoryRoot, "--file", DeployFiles.ComposeFile, "config");

        Assert.True(exit == 0, $"docker-compose config failed ({exit}): {stderr}");
        // The normalized file, as compose itself typed every value: a time that YAML read as a number would show here.
        object? normalized = Yaml.Parse(stdout);
        StreamEntropyOptions o = WorkerOptions(normalized);
        OptionsConfiguration.AssertValid(o, "docker-compose config: services.worker.environment");
        Assert.Equal(WorkerOptions(Compose()).Windows.Select(w => (w.Name, w.Size, w.Step, w.HalfLife)), o.Windows.Select(w => (w.Name, w.Size, w.Step, w.HalfLife)));
        Assert.Equal(
            ["generator", "grafana", "kafka", "prometheus", "topic-init", "worker"],
            Yaml.Map(normalized, "services").Keys.Order(StringComparer.Ordinal));
    }
}
