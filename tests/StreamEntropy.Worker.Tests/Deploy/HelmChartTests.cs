using System.Text.RegularExpressions;
using StreamEntropy.Worker.Options;

namespace StreamEntropy.Worker.Tests.Deploy;

/// <summary>deploy/helm/stream-entropy, checked without helm (see <see cref="HelmTemplate"/>): probes, ports, the
/// configuration in values.yaml, the SASL environment, and the optional ServiceMonitor and KEDA ScaledObject.</summary>
public sealed partial class HelmChartTests
{
    private static readonly string Chart = DeployFiles.HelmChart;
    private static readonly object? Values = HelmTemplate.Values(Chart);

    private static Dictionary<string, object?> Render(string template) => HelmTemplate.Render(Chart, template, Values);

    private static Dictionary<string, object?> Container() =>
        Yaml.Map(Render("deployment.yaml"), "spec", "template", "spec", "containers", 0);

    private static StreamEntropyOptions ConfigFromValues() =>
        OptionsConfiguration.Bind(OptionsConfiguration.FromJson(Yaml.Str(Values, "config")));

    [Fact]
    public void Chart_IsAnApplicationChartNamedStreamEntropy()
    {
        object? chart = Yaml.Parse(File.ReadAllText(Path.Combine(Chart, "Chart.yaml")));

        Assert.Equal("v2", Yaml.Str(chart, "apiVersion"));
        Assert.Equal("stream-entropy", Yaml.Str(chart, "name"));
        Assert.Equal("application", Yaml.Str(chart, "type"));
        Assert.Matches(@"^\d+\.\d+\.\d+", Yaml.Str(chart, "version"));
        Assert.True(File.Exists(Path.Combine(Chart, "templates", "NOTES.txt")));
        Assert.True(File.Exists(Path.Combine(Chart, "templates", "_helpers.tpl")));
    }

    [Theory]
    [InlineData("deployment.yaml", "apps/v1", "Deployment")]
    [InlineData("service.yaml", "v1", "Service")]
    [InlineData("configmap.yaml", "v1", "ConfigMap")]
    [InlineData("secret.yaml", "v1", "Secret")]
    [InlineData("pvc.yaml", "v1", "PersistentVolumeClaim")]
    [InlineData("poddisruptionbudget.yaml", "policy/v1", "PodDisruptionBudget")]
    [InlineData("servicemonitor.yaml", "monitoring.coreos.com/v1", "ServiceMonitor")]
    [InlineData("scaledobject.yaml", "keda.sh/v1alpha1", "ScaledObject")]
    public void Template_RendersToAManifestOfItsKind(string template, string apiVersion, string kind)
    {
        Dictionary<string, object?> manifest = Render(template);

        Assert.Equal(apiVersion, Yaml.Str(manifest, "apiVersion"));
        Assert.Equal(kind, Yaml.Str(manifest, "kind"));
        Assert.NotNull(Yaml.At(manifest, "metadata", "name"));
    }

    [Fact]
    public void Templates_ReferOnlyToValuesThatExist()
    {
        var missing = new List<string>();
        foreach (string file in Directory.GetFiles(Path.Combine(Chart, "templates")))
        {
            foreach (Match m in ValuesReference().Matches(File.ReadAllText(file)))
            {
                try
                {
                    _ = Yaml.At(Values, m.Groups["path"].Value.Split('.'));
                }
                catch (KeyNotFoundException)
                {
                    missing.Add($"{Path.GetFileName(file)}: .Values.{m.Groups["path"].Value}");
                }
            }
        }

        Assert.Empty(missing);
    }

    [Fact]
    public void Deployment_ProbesHealthzAndReadyzOnTheContainersHttpPort()
    {
        Dictionary<string, object?> c = Container();
        var port = Yaml.Seq(c, "ports").Cast<Dictionary<string, object?>>().Single(p => (string?)p["name"] == "http");

        Assert.Equal("8080", Yaml.Str(port, "containerPort"));
        Assert.Equal("/healthz", Yaml.Str(c, "livenessProbe", "httpGet", "path"));
        Assert.Equal("http", Yaml.Str(c, "livenessProbe", "httpGet", "port"));
        Assert.Equal("/readyz", Yaml.Str(c, "readinessProbe", "httpGet", "path"));
        Assert.Equal("http", Yaml.Str(c, "readinessProbe", "httpGet", "port"));
        Assert.Equal("http://0.0.0.0:8080", EnvValue(c, "ASPNETCORE_URLS"));
        Assert.Equal("http", Yaml.Str(Render("service.yaml"), "spec", "ports", 0, "targetPort"));
        // toYaml blocks are not expanded by the stand-in renderer: check the template uses them and the values exist.
        Assert.True(c.ContainsKey("resources"));
        Assert.Contains("toYaml .Values.resources", File.ReadAllText(Path.Combine(Chart, "templates", "deployment.yaml")), StringComparison.Ordinal);
        Assert.NotNull(Yaml.At(Values, "resources", "requests", "cpu"));
        Assert.NotNull(Yaml.At(Values, "resources", "requests", "memory"));
        Assert.NotNull(Yaml.At(Values, "resources", "limits", "memory"));
    }

    [Fact]
    public void Deployment_RunsWithTheConfigMapMountedAsConfigJson()
    {
        Dictionary<string, object?> c = Container();
        Dictionary<string, object?> pod = Yaml.Map(Render("deployment.yaml"), "spec", "template", "spec");

        Assert.Equal(["run", "--config", "/etc/stream-entropy/config.json"], Yaml.Seq(c, "args").Cast<string>());
        Assert.Equal("/etc/stream-entropy", MountPath(c, "config"));
        var configVolume = Yaml.Seq(pod, "volumes").Cast<Dictionary<string, object?>>().Single(v => (string?)v["name"] == "config");
        Assert.EndsWith("-config", Yaml.Str(configVolume, "configMap", "name"), StringComparison.Ordinal);
        Assert.EndsWith("-config", Yaml.Str(Render("configmap.yaml"), "metadata", "name"), StringComparison.Ordinal);
        Assert.True(Yaml.Map(Render("configmap.yaml"), "data").ContainsKey("config.json"));
        Assert.Contains(".Values.config | nindent 4", File.ReadAllText(Path.Combine(Chart, "templates", "configmap.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public void ValuesConfig_PassesTheWorkersValidationAndNamesOnlySettingsThatExist()
    {
        string json = Yaml.Str(Values, "config");

        Assert.Empty(OptionsConfiguration.UnknownKeys(OptionsConfiguration.FromJson(json).Keys));
        StreamEntropyOptions o = ConfigFromValues();
        OptionsConfiguration.AssertValid(o, "values.yaml config");
        Assert.Equal(MountPath(Container(), "state"), o.Checkpoint.Directory);
        Assert.Equal(o.Checkpoint.Directory, EnvValue(Container(), "StreamEntropy__Checkpoint__Directory"));
    }

    [Fact]
    public void Deployment_StateIsAnEmptyDirOrAClaim()
    {
        var state = Yaml.Seq(Render("deployment.yaml"), "spec", "template", "spec", "volumes").Cast<Dictionary<string, object?>>().Single(v => (string?)v["name"] == "state");

        Assert.True(state.ContainsKey("emptyDir"));
        Assert.True(state.ContainsKey("persistentVolumeClaim")); // both branches of the persistence.enabled switch
        Assert.Equal("false", Yaml.Str(Values, "persistence", "enabled"));
    }

    [Fact]
    public void Deployment_SaslSettingsComeFromTheSecretAsClientSettings()
    {
        var env = Yaml.Seq(Container(), "env").Cast<Dictionary<string, object?>>().ToList();
        List<string> names = [.. env.Select(e => Yaml.Str(e, "name")).Where(n => n.StartsWith("StreamEntropy__", StringComparison.Ordinal))];

        Assert.Empty(OptionsConfiguration.UnknownKeys(names.Select(n => n.Replace("__", ":", StringComparison.Ordinal))));
        foreach (string key in new[] { "username", "password" })
        {
            Dictionary<string, object?> e = env.Single(e => (string?)e["name"] == $"StreamEntropy__Kafka__Client__sasl.{key}");
            Assert.Equal(Yaml.Str(Values, "kafka", "sasl", $"{key}Key"), Yaml.Str(e, "valueFrom", "secretKeyRef", "key"));
        }

        Assert.Contains(env, e => (string?)e["name"] == "StreamEntropy__Kafka__Client__security.protocol");
        Assert.Contains(env, e => (string?)e["name"] == "StreamEntropy__Kafka__Client__sasl.mechanism");
    }

    [Fact]
    public void ServiceMonitor_ScrapesMetricsOnTheHttpPort()
    {
        Dictionary<string, object?> monitor = Render("servicemonitor.yaml");

        Assert.Equal("http", Yaml.Str(monitor, "spec", "endpoints", 0, "port"));
        Assert.Equal("/metrics", Yaml.Str(monitor, "spec", "endpoints", 0, "path"));
        Assert.Equal("false", Yaml.Str(Values, "serviceMonitor", "enabled"));
    }

    [Fact]
    public void ScaledObject_ScalesOnTheLagOfTheConfiguredGroupAndTopic()
    {
        Dictionary<string, object?> scaled = Render("scaledobject.yaml");
        Dictionary<string, object?> trigger = Yaml.Map(scaled, "spec", "triggers", 0);
        StreamEntropyOptions o = ConfigFromValues();

        Assert.Equal("kafka", Yaml.Str(trigger, "type"));
        Assert.Equal(o.Kafka.GroupId, Yaml.Str(trigger, "metadata", "consumerGroup"));
        Assert.Equal(o.Kafka.Topics[0], Yaml.Str(trigger, "metadata", "topic"));
        Assert.Equal(o.Kafka.BootstrapServers, Yaml.Str(trigger, "metadata", "bootstrapServers"));
        Assert.Equal("false", Yaml.Str(Values, "keda", "enabled"));
    }

    private static string MountPath(Dictionary<string, object?> container, string volume) =>
        Yaml.Str(Yaml.Seq(container, "volumeMounts").Cast<Dictionary<string, object?>>().Single(m => (string?)m["name"] == volume), "mountPath");

    private static string EnvValue(Dictionary<string, object?> container, string name) =>
        Yaml.Str(Yaml.Seq(container, "env").Cast<Dictionary<string, object?>>().Single(e => (string?)e["name"] == name), "value");

    [GeneratedRegex(@"\.Values\.(?<path>[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)")]
    private static partial Regex ValuesReference();
}
