using CsCheck;
using StreamEntropy.Core.Numerics;

namespace StreamEntropy.Core.Tests;

public class EntropyKernelsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(513)]
    [InlineData(4096)]
    public void SumNLogN_RandomCounts_MatchesScalarReference(int length)
    {
        Gen.Frequency((2, Gen.Long[0, 0]), (5, Gen.Long[1, 50]), (2, Gen.Long[0, 100_000]), (1, Gen.Long[0, 1L << 40])).Array[length].Sample(
            counts =>
            {
                (double s1, double s2) = EntropyKernels.SumNLogN(counts);
                (double r1, double r2) = EntropyKernels.SumNLogNScalar(counts);
                AssertClose(r1, s1, 1e-9, "S1 vs scalar");
                AssertClose(r2, s2, 1e-9, "S2 vs scalar");
                AssertClose(Naive.SumNLogN(counts), s1, 1e-9, "S1 vs naive");
                AssertClose(Naive.SumNLog2N(counts), s2, 1e-9, "S2 vs naive");
            },
            iter: length > 1000 ? 300 : 2000);
    }

    [Fact]
    public void SumNLogN_KnownCounts_MatchesHandValues()
    {
        long[] counts = [0, 1, 2, 0, 4];
        (double s1, double s2) = EntropyKernels.SumNLogN(counts);
        Assert.Equal((2 * Math.Log(2)) + (4 * Math.Log(4)), s1, 14);
        Assert.Equal((2 * Math.Log(2) * Math.Log(2)) + (4 * Math.Log(4) * Math.Log(4)), s2, 13);
        Assert.Equal((0.0, 0.0), EntropyKernels.SumNLogN([]));
        Assert.Equal((0.0, 0.0), EntropyKernels.SumNLogN(new long[1000]));
    }
}
