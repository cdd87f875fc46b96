using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Tests.Windows;

/// <summary>The one rule for window durations: returned by the static check, thrown by the instance check.</summary>
public sealed class WindowDefinitionTests
{
    [Theory]
    [InlineData(WindowKind.Cumulative, null, null, null)]
    [InlineData(WindowKind.Tumbling, 60_000L, null, null)]
    [InlineData(WindowKind.Sliding, 600_000L, 10_000L, null)]
    [InlineData(WindowKind.Sliding, 10_000_000L, 1_000L, null)] // exactly MaxPanes
    [InlineData(WindowKind.Decay, null, null, 1L)]
    public void Validate_ValidDurations_ReturnsNull(WindowKind kind, long? sizeMs, long? stepMs, long? halfLifeMs)
    {
        string? problem = WindowDefinition.Validate(kind, Ms(sizeMs), Ms(stepMs), Ms(halfLifeMs), out string setting);

        Assert.Null(problem);
        Assert.Equal("", setting);
        new WindowDefinition("w", kind, Ms(sizeMs), Ms(stepMs), Ms(halfLifeMs)).Validate(); // does not throw
    }

    [Theory]
    [InlineData(WindowKind.Tumbling, null, null, "Size", "Size is required for a Tumbling window and must be positive.")]
    [InlineData(WindowKind.Tumbling, 15_000L, null, "Size", "Size 00:00:00.0015000 is not a whole number of milliseconds.")]
    [InlineData(WindowKind.Sliding, 10_000_000L, 5_000L, "Step", "Step 00:00:00.0005000 is not a whole number of milliseconds.")]
    [InlineData(WindowKind.Sliding, 600_000_000L, 70_000_000L, "Step", "Step 00:00:07 must divide Size 00:01:00.")]
    [InlineData(WindowKind.Sliding, 100_010_000_000L, 10_000_000L, "Step", "Step: Size / Step is 10001 panes; at most 10000 are allowed.")]
    [InlineData(WindowKind.Decay, null, null, "HalfLife", "HalfLife is required for a Decay window and must be positive.")]
    public void Validate_BadDurations_ReturnsTheProblemBeginningWithTheSetting(WindowKind kind, long? sizeTicks, long? stepTicks, string expectedSetting, string expected)
    {
        TimeSpan? size = sizeTicks is long s ? TimeSpan.FromTicks(s) : null;
        TimeSpan? step = stepTicks is long t ? TimeSpan.FromTicks(t) : null;

        string? problem = WindowDefinition.Validate(kind, size, step, halfLife: null, out string setting);

        Assert.Equal(expected, problem);
        Assert.Equal(expectedSetting, setting);
        ArgumentException thrown = Assert.Throws<ArgumentException>(new WindowDefinition("w", kind, size, step).Validate);
        Assert.Equal(expectedSetting, thrown.ParamName);
        Assert.StartsWith($"Window 'w': {expected}", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PanesLimit_IsMaxPanes()
    {
        TimeSpan step = TimeSpan.FromMilliseconds(1);

        Assert.Null(WindowDefinition.Validate(WindowKind.Sliding, step * WindowDefinition.MaxPanes, step, null, out _));
        Assert.NotNull(WindowDefinition.Validate(WindowKind.Sliding, step * (WindowDefinition.MaxPanes + 1), step, null, out _));
    }

    private static TimeSpan? Ms(long? ms) => ms is long v ? TimeSpan.FromMilliseconds(v) : null;
}
