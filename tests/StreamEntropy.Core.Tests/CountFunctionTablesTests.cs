using StreamEntropy.Core.Numerics;

namespace StreamEntropy.Core.Tests;

public sealed class CountFunctionTablesTests
{
    // Exact values from mpmath at 50 digits (an independent computation, not this code):
    // n, (n+1)ln(n+1) − n ln n, (n+1)ln²(n+1) − n ln² n, (n+1)G(n+1) − nG(n), nG(n).
    public static TheoryData<long, double, double, double, double> LargeCounts => new()
    {
        { 1023, 7.9309833653260779742, 61.900497220629496859, 8.9314719645450663877, 7088.89581972960291463 },
        { 1024, 7.9319599279812984625, 61.91598837849640061, 6.9314719645450663877, 7097.827291694147981017 },
        { 1025, 7.9329355378921626509, 61.931466327592964407, 8.9334231840572615097, 7104.758763658693047405 },
        { 2047, 8.6243748057882644334, 73.379840810593284173, 9.6246190258958216221, 15605.59514600874686048 },
        { 4096, 9.3178882270989487324, 85.823041017675031315, 8.3177661766534507611, 34069.57025957253431742 },
        { 65537, 12.090377776871087391, 145.1772347874776591, 13.090385406110400876, 726828.5883602573422075 },
        { 1000000, 14.815511057964107438, 218.49936790865682938, 13.815510557964440771, 13815510.55796444077077 },
        { 123456789, 19.631401770218018059, 384.39193546371913313, 20.631401774268018085, 2300173035.620032338172 },
        { 10000000000, 24.02585092999045684, 576.24151291012329983, 23.02585092994045684, 230258509299.4045684018 },
    };

    [Theory]
    [MemberData(nameof(LargeCounts))]
    public void LargeDeltas_LargeCount_MatchHighPrecisionValues(long n, double d1Exact, double d2Exact, double dgExact, double fgExact)
    {
        CountFunctionTables.LargeDeltas(n, out double d1, out double d2, out double dg);

        AssertRelative(d1Exact, d1, 1e-14);
        AssertRelative(d2Exact, d2, 1e-14);
        AssertRelative(dgExact, dg, 1e-14);
        AssertRelative(fgExact, CountFunctionTables.FNG(n), 1e-14);
    }

    [Theory]
    [MemberData(nameof(LargeCounts))]
    public void ComputeDeltas_LargeCount_MatchHighPrecisionValues(long n, double d1Exact, double d2Exact, double dgExact, double fgExact)
    {
        _ = fgExact;
        AssertRelative(d1Exact, CountFunctionTables.ComputeDeltaNLogN(n), 1e-14);
        AssertRelative(d2Exact, CountFunctionTables.ComputeDeltaNLog2N(n), 1e-14);
        AssertRelative(dgExact, CountFunctionTables.ComputeDeltaNG(n), 1e-14);
    }

    [Fact]
    public void LargeDeltas_ConsecutiveCounts_TelescopeToDifferenceOfF()
    {
        // Σ_{n=a}^{b−1} Δf(n) = f(b) − f(a): the deltas are differences of the same function.
        const long a = 5000;
        const long b = 6000;
        double sum1 = 0;
        double sumG = 0;
        for (long n = a; n < b; n++)
        {
            CountFunctionTables.LargeDeltas(n, out double d1, out _, out double dg);
            sum1 += d1;
            sumG += dg;
        }

        AssertRelative((b * Math.Log(b)) - (a * Math.Log(a)), sum1, 1e-11);
        AssertRelative(CountFunctionTables.FNG(b) - CountFunctionTables.FNG(a), sumG, 1e-11);
    }

    private static void AssertRelative(double expected, double actual, double tolerance) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");
}
