using StreamEntropy.IntegrationTests.Infrastructure;

namespace StreamEntropy.IntegrationTests.Observability;

/// <summary>deploy/prometheus/rules: valid for promtool, its unit tests pass, and its expressions select only what the
/// worker exports.</summary>
[Collection(ObservabilityCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class PrometheusRulesTests(DemoWorkerFixture worker)
{
    private const string Promtool = "promtool";
    private const string RulesPath = "deploy/prometheus/rules/stream-entropy.rules.yml";
    private const string RuleTestsPath = "deploy/prometheus/tests/stream-entropy.rules.test.yml";
    private static readonly TimeSpan PromtoolTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [RequiresToolFact(Promtool)]
    public async Task CheckRules_RulesFile_Succeeds()
    {
        ChildProcess.Result result = await ChildProcess.RunAsync(SystemTool.Require(Promtool), ["check", "rules", RepositoryPaths.Get(RulesPath)], null, PromtoolTimeout);

        Assert.True(result.ExitCode == 0, $"promtool check rules exited with {result.ExitCode}:\n{result.Stdout}{result.Stderr}");
        Assert.Contains("SUCCESS", result.Stdout, StringComparison.Ordinal);
    }

    [RequiresToolFact(Promtool)]
    public async Task TestRules_UnitTests_Pass()
    {
        ChildProcess.Result result = await ChildProcess.RunAsync(SystemTool.Require(Promtool), ["test", "rules", RepositoryPaths.Get(RuleTestsPath)], null, PromtoolTimeout);

        Assert.True(result.ExitCode == 0, $"promtool test rules exited with {result.ExitCode}:\n{result.Stdout}{result.Stderr}");
    }

    [Fact]
    public void RulesFile_Parsed_HasTheAlertsOfTheRunbook()
    {
        string yaml = File.ReadAllText(RepositoryPaths.Get(RulesPath));
        List<string> alerts = [.. Values(yaml, "alert")];

        Assert.Equal(alerts.Count, alerts.Distinct().Count());
        foreach (string name in new[]
        {
            "StreamEntropyWorkerDown", "StreamEntropyDriftAlert", "StreamEntropyFieldEntropyCollapsed", "StreamEntropyDeadLettersRising",
            "StreamEntropyConsumerLagHigh",
        })
        {
            Assert.Contains(name, alerts);
        }

        // Every alerting rule is unit-tested.
        string tests = File.ReadAllText(RepositoryPaths.Get(RuleTestsPath));
        Assert.All(alerts, a => Assert.Contains($"alertname: {a}", tests, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RulesFile_EveryExpression_SelectsOnlyExportedMetricsAndLabels()
    {
        string yaml = File.ReadAllText(RepositoryPaths.Get(RulesPath));
        HashSet<string> recorded = [.. Values(yaml, "record")];
        PrometheusText scrape = await worker.ScrapeEveryFamilyAsync(Timeout);

        var problems = new List<string>();
        foreach (string expr in Expressions(yaml))
        {
            foreach (PromQlSelector selector in PromQl.Selectors(expr))
            {
                if (selector.Metric == "up" || recorded.Contains(selector.Metric))
                {
                    continue; // Prometheus's own, or defined in this file
                }

                if (!scrape.Names.Contains(selector.Metric))
                {
                    problems.Add($"'{selector.Metric}' is not exported ({expr.Trim()})");
                    continue;
                }

                IReadOnlySet<string> labels = scrape.LabelNames(selector.Metric);
                problems.AddRange(selector.Labels.Where(l => !labels.Contains(l) && l is not ("job" or "instance"))
                    .Select(l => $"{selector.Metric} has no label '{l}' ({expr.Trim()})"));
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    // A few lines of YAML reading are enough for this file: `- alert: X`, `- record: X`, `expr: …` or `expr: |` blocks.
    private static IEnumerable<string> Values(string yaml, string key) =>
        yaml.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith($"- {key}:", StringComparison.Ordinal)).Select(l => l[(key.Length + 3)..].Trim());

    private static IEnumerable<string> Expressions(string yaml)
    {
        string[] lines = yaml.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string trimmed = lines[i].TrimStart();
            if (!trimmed.StartsWith("expr:", StringComparison.Ordinal))
            {
                continue;
            }

            string value = trimmed["expr:".Length..].Trim();
            if (value is "|" or "|-" or ">" or ">-")
            {
                int indent = lines[i].Length - trimmed.Length;
                var block = new List<string>();
                while (i + 1 < lines.Length && (lines[i + 1].Trim().Length == 0 || lines[i + 1].Length - lines[i + 1].TrimStart().Length > indent))
                {
                    block.Add(lines[++i]);
                }

                yield return string.Join("\n", block);
            }
            else
            {
                yield return value.Trim('"', '\'');
            }
        }
    }
}
