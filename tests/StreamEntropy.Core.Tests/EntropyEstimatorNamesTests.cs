using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Core.Tests;

public class EntropyEstimatorNamesTests
{
    [Theory]
    [InlineData("ml", EntropyEstimator.MaximumLikelihood)]
    [InlineData("miller-madow", EntropyEstimator.MillerMadow)]
    [InlineData("chao-shen", EntropyEstimator.ChaoShen)]
    [InlineData("grassberger", EntropyEstimator.Grassberger)]
    [InlineData("shrink", EntropyEstimator.Shrink)]
    public void TryParse_StableName_RoundTrips(string name, EntropyEstimator estimator)
    {
        Assert.True(EntropyEstimatorNames.TryParse(name, out EntropyEstimator parsed));
        Assert.Equal(estimator, parsed);
        Assert.True(EntropyEstimatorNames.TryParse(name.ToUpperInvariant(), out parsed));
        Assert.Equal(estimator, parsed);
        Assert.Equal(name, estimator.ToName());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("mle")]
    [InlineData("nsb")]
    public void TryParse_UnknownName_ReturnsFalse(string? name) => Assert.False(EntropyEstimatorNames.TryParse(name, out _));

    [Fact]
    public void All_CoversEveryEstimator() =>
        Assert.Equal(Enum.GetValues<EntropyEstimator>().Select(e => e.ToName()), EntropyEstimatorNames.All);
}
