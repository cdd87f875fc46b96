namespace StreamEntropy.IntegrationTests.Observability;

/// <summary>The PromQL selector finder that the dashboard and rules tests rely on.</summary>
public sealed class PromQlTests
{
    [Fact]
    public void Selectors_AggregationsFunctionsAndLabelLists_OnlyMetricNamesWithTheirMatchers()
    {
        List<PromQlSelector> selectors = PromQl.Selectors(
            "sum by (job, instance) (rate(a_total{x=\"1\", y=~\"$v|b\"}[$__rate_interval])) / on (job) group_left(topic) " +
            "(b:rec:rate5m > 0) and ignoring(z) c{w!=\"}\"} offset 5m or vector(0) * 1e-3");

        Assert.Equal(["a_total", "b:rec:rate5m", "c"], selectors.Select(s => s.Metric));
        Assert.Equal(["x", "y"], selectors[0].Labels);
        Assert.Empty(selectors[1].Labels);
        Assert.Equal(["w"], selectors[2].Labels);
    }

    [Fact]
    public void Selectors_BareMatcher_MetricNameEmpty()
    {
        PromQlSelector selector = Assert.Single(PromQl.Selectors("{__name__=~\"x.*\"}"));

        Assert.Equal("", selector.Metric);
        Assert.Equal(["__name__"], selector.Labels);
    }
}
