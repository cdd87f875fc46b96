using System.Buffers.Text;
using System.Text;
using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Core.Tests;

public class NumericBinningTests
{
    [Theory]
    [InlineData("-0.5", 1.0, "-1")]
    [InlineData("0.5", 1.0, "0")]
    [InlineData("-1", 1.0, "-1")]
    [InlineData("-1.0000001", 1.0, "-2")]
    [InlineData("12.5", 5.0, "2")]
    [InlineData("1e2", 10.0, "10")]
    [InlineData("-3e2", 7.0, "-43")]
    [InlineData("2.5E-3", 0.001, "2")]
    [InlineData(" 7 ", 2.0, "3")]
    [InlineData("0", 0.25, "0")]
    [InlineData("-0", 0.25, "0")]
    public void TryBin_Number_WritesFloorOfQuotient(string text, double width, string expected)
    {
        Span<byte> destination = stackalloc byte[NumericBinning.MaxBinTextLength];
        Assert.True(NumericBinning.TryBin(Encoding.UTF8.GetBytes(text), width, destination, out int written));
        Assert.Equal(expected, Encoding.UTF8.GetString(destination[..written]));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("1,5")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e400")]
    [InlineData("1e300")] // bin beyond 64 bits
    public void TryBin_NonNumericOrOutOfRange_ReturnsFalse(string text)
    {
        Span<byte> destination = stackalloc byte[NumericBinning.MaxBinTextLength];
        Assert.False(NumericBinning.TryBin(Encoding.UTF8.GetBytes(text), 1.0, destination, out _));
    }

    [Fact]
    public void TryBin_MostNegativeBin_FitsMaxLength()
    {
        Span<byte> destination = stackalloc byte[NumericBinning.MaxBinTextLength];
        Assert.True(NumericBinning.TryBin("-9.2233720368547758E18"u8, 1.0, destination, out int written));
        Assert.Equal(long.MinValue.ToString(System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetString(destination[..written]));
    }

    [Theory]
    [InlineData(1.0, true)]
    [InlineData(1e-9, true)]
    [InlineData(0.0, false)]
    [InlineData(-1.0, false)]
    [InlineData(double.NaN, false)]
    [InlineData(double.PositiveInfinity, false)]
    public void IsValidWidth_Values(double width, bool valid) => Assert.Equal(valid, NumericBinning.IsValidWidth(width));

    [Theory]
    [InlineData(0.0, 1.0, 0.01, 0.0)] // U[0,1): h = ln 1 = 0
    [InlineData(-50.0, 150.0, 0.5, 5.298317366548036)] // U[−50,150): h = ln 200
    public void DifferentialEntropy_UniformSamples_ApproachesLogOfRange(double low, double high, double width, double expected)
    {
        Assert.Equal(Math.Log(high - low), expected, 14);
        var interner = new ValueInterner();
        var table = new CountTable();
        var rng = new XorShift(42);
        Span<byte> text = stackalloc byte[32];
        Span<byte> bin = stackalloc byte[NumericBinning.MaxBinTextLength];
        for (int i = 0; i < 200_000; i++)
        {
            double value = low + ((high - low) * rng.NextDouble());
            Assert.True(Utf8Formatter.TryFormat(value, text, out int length));
            Assert.True(NumericBinning.TryBin(text[..length], width, bin, out int written));
            table.Add(interner.GetOrAdd(bin[..written]));
        }

        Assert.Equal((int)Math.Round((high - low) / width), table.Distinct);
        double h = NumericBinning.DifferentialEntropy(EntropyEstimators.Entropy(table, EntropyEstimator.MillerMadow), width);
        Assert.Equal(expected, h, 2);
    }
}
