using StreamEntropy.Core.Counting;

namespace StreamEntropy.TestSupport;

/// <summary>The bit-for-bit comparison of two count tables that the fast paths' tests share.</summary>
internal static class TableAssertions
{
    /// <summary>Asserts that two tables hold the same counts (the same array) and the same sums to the last bit.</summary>
    public static void AssertSameBits(CountTable expected, CountTable actual)
    {
        Assert.Equal(expected.Counts.ToArray(), actual.Counts.ToArray());
        AssertSameSums(expected, actual);
    }

    /// <summary>Asserts that two tables have the same N, K and singletons, and the same S1, S2 and SG to the last bit
    /// (the counts are left to the caller: some compare them id by id, past either table's length).</summary>
    public static void AssertSameSums(CountTable expected, CountTable actual)
    {
        Assert.Equal(expected.Total, actual.Total);
        Assert.Equal(expected.Distinct, actual.Distinct);
        Assert.Equal(expected.Singletons, actual.Singletons);
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.SumNLogN), BitConverter.DoubleToInt64Bits(actual.SumNLogN));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.SumNLog2N), BitConverter.DoubleToInt64Bits(actual.SumNLog2N));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.SumNG), BitConverter.DoubleToInt64Bits(actual.SumNG));
    }
}
