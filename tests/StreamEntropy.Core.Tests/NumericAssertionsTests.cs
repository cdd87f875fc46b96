using Xunit.Sdk;

namespace StreamEntropy.Core.Tests;

/// <summary>The shared <c>AssertClose</c> of tests/TestSupport, on which every numeric comparison of the suite rests:
/// it must fail outside its tolerance, or those comparisons would prove nothing.</summary>
public class NumericAssertionsTests
{
    [Theory]
    [InlineData(0.5, 0.5 + 9e-10, 1e-9)] // absolute below 1
    [InlineData(20.0, 20.0 + 1.9e-8, 1e-9)] // relative above 1
    [InlineData(double.NaN, double.NaN, 1e-9)] // both undefined
    public void AssertClose_WithinTolerance_Passes(double expected, double actual, double tolerance) =>
        AssertClose(expected, actual, tolerance, "within");

    [Theory]
    [InlineData(0.5, 0.5 + 1.1e-9, 1e-9)]
    [InlineData(20.0, 20.0 + 2.1e-8, 1e-9)]
    [InlineData(1.0, double.NaN, 1e-9)]
    [InlineData(double.NaN, 1.0, 1e-9)]
    [InlineData(double.PositiveInfinity, double.PositiveInfinity, 1e-9)]
    public void AssertClose_OutsideTolerance_Fails(double expected, double actual, double tolerance)
    {
        var failure = Assert.ThrowsAny<XunitException>(() => AssertClose(expected, actual, tolerance, "the value"));
        Assert.StartsWith("the value: expected", failure.Message, StringComparison.Ordinal);
    }
}
