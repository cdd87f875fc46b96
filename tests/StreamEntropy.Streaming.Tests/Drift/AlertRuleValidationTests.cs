using StreamEntropy.Streaming.Drift;

namespace StreamEntropy.Streaming.Tests.Drift;

/// <summary>The alert rules' checks are returned by <see cref="AlertEvaluator.Validate"/> and thrown, unchanged, by the evaluator.</summary>
public sealed class AlertRuleValidationTests
{
    [Fact]
    public void Validate_DefaultRules_ReturnsNull()
    {
        Assert.Null(AlertEvaluator.Validate(AlertRule.Defaults, out string setting));
        Assert.Equal("", setting);
    }

    [Theory]
    [InlineData("Threshold", "Alert rule 'a': the threshold must be a finite number > 0, not 0.")]
    [InlineData("RaiseAfter", "Alert rule 'a': RaiseAfter must be at least 1, not 0.")]
    [InlineData("rules", "Alert rule 'a' is defined twice.")]
    public void Validate_Problem_IsReturnedAndThrownByTheEvaluator(string expectedSetting, string expected)
    {
        var rule = new AlertRule("a", DriftMetrics.PopulationStability, 0.1);
        AlertRule[] rules = expectedSetting switch
        {
            "Threshold" => [rule with { Threshold = 0 }],
            "RaiseAfter" => [rule with { RaiseAfter = 0 }],
            _ => [rule, rule with { Threshold = 0.2 }],
        };

        string? problem = AlertEvaluator.Validate(rules, out string setting);

        Assert.Equal(expected, problem);
        Assert.Equal(expectedSetting, setting);
        ArgumentException thrown = Assert.Throws<ArgumentException>(() => new AlertEvaluator(rules));
        Assert.Equal(expectedSetting, thrown.ParamName);
        Assert.StartsWith(expected, thrown.Message, StringComparison.Ordinal);
    }
}
