namespace StreamEntropy.TestSupport;

/// <summary>The one tolerance comparison of the test projects (imported statically into every one).</summary>
internal static class NumericAssertions
{
    /// <summary>Asserts |expected − actual| ≤ tolerance · max(1, |expected|): relative for large values, absolute
    /// below 1 (where entropies near 0 make a relative error meaningless). NaN equals only NaN (both undefined).</summary>
    public static void AssertClose(double expected, double actual, double tolerance = 1e-9, string? what = null)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual))
        {
            Assert.True(double.IsNaN(expected) && double.IsNaN(actual), $"{what}: expected {expected:R}, actual {actual:R}");
            return;
        }

        double scale = Math.Max(1, Math.Abs(expected));
        Assert.True(
            Math.Abs(expected - actual) <= tolerance * scale,
            $"{what}: expected {expected:R}, actual {actual:R}, difference {expected - actual:R}, tolerance {tolerance:R} (relative to {scale:R}).");
    }

    /// <summary>The same with the default tolerance 1e-9 and a name for the failure message.</summary>
    public static void AssertClose(double expected, double actual, string what) => AssertClose(expected, actual, 1e-9, what);
}
