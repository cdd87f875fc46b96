using System.Text.Json;
using Xunit.Abstractions;

namespace StreamEntropy.IntegrationTests.Observability;

/// <summary>deploy/grafana/dashboards/stream-entropy.json: provisionable, and every query selects only metrics and
/// labels that the running worker exports.</summary>
[Collection(ObservabilityCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class GrafanaDashboardTests(DemoWorkerFixture worker, ITestOutputHelper output)
{
    private const string DashboardPath = "deploy/grafana/dashboards/stream-entropy.json";
    private const string DataSourceVariable = "${DS_PROMETHEUS}";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void Dashboard_Parsed_IsProvisionableWithPrometheusDataSourceAndVariables()
    {
        using JsonDocument dashboard = Load();
        JsonElement root = dashboard.RootElement;

        Assert.Equal("stream-entropy", root.GetProperty("uid").GetString());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("title").GetString()));
        Assert.False(root.TryGetProperty("__inputs", out _)); // provisioning does not resolve import inputs

        JsonElement[] variables = [.. root.GetProperty("templating").GetProperty("list").EnumerateArray()];
        JsonElement ds = Assert.Single(variables, v => v.GetProperty("name").GetString() == "DS_PROMETHEUS");
        Assert.Equal("datasource", ds.GetProperty("type").GetString());
        Assert.Equal("prometheus", ds.GetProperty("query").GetString());
        Assert.Equal("Prometheus", ds.GetProperty("current").GetProperty("text").GetString()); // provisioning/datasources/prometheus.yml
        foreach (string name in new[] { "window", "field" })
        {
            JsonElement v = Assert.Single(variables, v => v.GetProperty("name").GetString() == name);
            Assert.Equal("query", v.GetProperty("type").GetString());
            Assert.Equal(DataSourceVariable, v.GetProperty("datasource").GetProperty("uid").GetString());
        }

        List<JsonElement> panels = Panels(root).ToList();
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        List<JsonElement> queried = panels.Where(p => p.TryGetProperty("targets", out _)).ToList();
        Assert.NotEmpty(queried);
        foreach (JsonElement panel in queried)
        {
            string title = panel.GetProperty("title").GetString()!;
            Assert.Equal(DataSourceVariable, panel.GetProperty("datasource").GetProperty("uid").GetString());
            Assert.True(panel.GetProperty("gridPos").GetProperty("w").GetInt32() is > 0 and <= 24, title);
            foreach (JsonElement target in panel.GetProperty("targets").EnumerateArray())
            {
                Assert.False(string.IsNullOrWhiteSpace(target.GetProperty("expr").GetString()), $"{title}: empty expr");
                Assert.Equal(DataSourceVariable, target.GetProperty("datasource").GetProperty("uid").GetString());
            }
        }

        // The panels the runbook asks for.
        string exprs = string.Join("\n", Expressions(root).Select(e => e.Expr));
        foreach (string metric in new[]
        {
            "streamentropy_field_entropy_bit", "streamentropy_pair_conditional_entropy_bit", "streamentropy_pair_mutual_information_bit",
            "metric=\"psi\"", "metric=\"gtest_log10p\"", "streamentropy_alert_active", "streamentropy_consumer_lag",
            "rate(streamentropy_events_dead_lettered_total", "rate(streamentropy_events_consumed_total",
        })
        {
            Assert.Contains(metric, exprs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Dashboard_EveryQuery_SelectsOnlyExportedMetricsAndLabels()
    {
        using JsonDocument dashboard = Load();
        PrometheusText scrape = await worker.ScrapeEveryFamilyAsync(Timeout);
        IReadOnlySet<string> exported = scrape.Names;

        var problems = new List<string>();
        int checkedSelectors = 0;
        foreach ((string where, string expr) in Expressions(dashboard.RootElement))
        {
            string query = expr;
            string? valuesOf = null;
            if (expr.StartsWith("label_values(", StringComparison.Ordinal))
            {
                int comma = expr.LastIndexOf(',');
                query = expr["label_values(".Length..comma];
                valuesOf = expr[(comma + 1)..].Trim().TrimEnd(')').Trim();
            }

            foreach (PromQlSelector selector in PromQl.Selectors(query))
            {
                checkedSelectors++;
                if (!exported.Contains(selector.Metric))
                {
                    problems.Add($"{where}: '{selector.Metric}' is not exported ({expr})");
                    continue;
                }

                IReadOnlySet<string> labels = scrape.LabelNames(selector.Metric);
                foreach (string label in selector.Labels.Append(valuesOf).OfType<string>())
                {
                    if (!labels.Contains(label) && label != "instance" && label != "job") // the two Prometheus adds
                    {
                        problems.Add($"{where}: {selector.Metric} has no label '{label}' (it has {string.Join(", ", labels.Order())})");
                    }
                }
            }
        }

        output.WriteLine($"{checkedSelectors} selectors checked against {exported.Count} exported names");
        Assert.True(checkedSelectors > 20, $"only {checkedSelectors} selectors found");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static JsonDocument Load() => JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Get(DashboardPath)));

    private static IEnumerable<JsonElement> Panels(JsonElement root)
    {
        foreach (JsonElement panel in root.GetProperty("panels").EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out JsonElement nested))
            {
                foreach (JsonElement inner in nested.EnumerateArray())
                {
                    yield return inner; // panels of a collapsed row
                }
            }
        }
    }

    private static IEnumerable<(string Where, string Expr)> Expressions(JsonElement root)
    {
        foreach (JsonElement panel in Panels(root))
        {
            if (panel.TryGetProperty("targets", out JsonElement targets))
            {
                foreach (JsonElement target in targets.EnumerateArray())
                {
                    yield return ($"panel '{panel.GetProperty("title").GetString()}' {target.GetProperty("refId").GetString()}", target.GetProperty("expr").GetString()!);
                }
            }
        }

        foreach (JsonElement variable in root.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            if (variable.GetProperty("type").GetString() == "query")
            {
                JsonElement query = variable.GetProperty("query");
                string text = query.ValueKind == JsonValueKind.String ? query.GetString()! : query.GetProperty("query").GetString()!;
                yield return ($"variable ${variable.GetProperty("name").GetString()}", text);
            }
        }
    }
}
