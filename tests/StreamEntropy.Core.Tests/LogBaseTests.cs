using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Core.Tests;

public class LogBaseTests
{
    [Theory]
    [InlineData("2", "bits")]
    [InlineData("bits", "bits")]
    [InlineData(" e ", "nats")]
    [InlineData("NATS", "nats")]
    [InlineData("10", "bans")]
    [InlineData("hartleys", "bans")]
    public void TryParse_NamedBases_ReturnsUnit(string text, string unit)
    {
        Assert.True(LogBase.TryParse(text, out LogBase b));
        Assert.Equal(unit, b.Unit);
    }

    [Theory]
    [InlineData("3", 3.0)]
    [InlineData("1.5", 1.5)]
    [InlineData("16", 16.0)]
    public void TryParse_NumericBase_ConvertsNats(string text, double b)
    {
        Assert.True(LogBase.TryParse(text, out LogBase logBase));
        // Uniform over b² values has entropy exactly 2 in base b.
        Assert.Equal(2.0, logBase.FromNats(Math.Log(b * b)), 14);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("0.5")]
    [InlineData("-2")]
    [InlineData("Infinity")]
    [InlineData("NaN")]
    [InlineData("two")]
    public void TryParse_Invalid_ReturnsFalse(string? text) => Assert.False(LogBase.TryParse(text, out _));

    [Fact]
    public void FromNats_KnownValues_MatchDefinitions()
    {
        Assert.Equal(1.0, LogBase.Bits.FromNats(Math.Log(2)), 15);
        Assert.Equal(1.0, LogBase.Bans.FromNats(Math.Log(10)), 15);
        Assert.Equal(5.0, LogBase.Bits.FromNats(Math.Log(32)), 15);
        Assert.True(double.IsNaN(LogBase.Bits.FromNats(double.NaN)));
    }
}
