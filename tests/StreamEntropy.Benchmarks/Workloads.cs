using System.Text;

namespace StreamEntropy.Benchmarks;

/// <summary>Deterministic, Zipf-like synthetic data shared by the benchmarks.</summary>
/// <remarks>Real field values (countries, devices, user ids) are heavy-tailed: a few values take most events and a
/// long tail is seen rarely. Zipf(s) over K values, P(rank r) ∝ 1 / r^s, reproduces that; s = 1.1 is a common fit
/// for web traffic. Every generator is seeded so that runs and machines see identical input.</remarks>
internal static class Workloads
{
    public const double DefaultExponent = 1.1;

    /// <summary>Draws <paramref name="length"/> ids in [0, <paramref name="distinct"/>) with P(id = r) ∝ 1 / (r + 1)^s.</summary>
    public static int[] ZipfIds(int distinct, int length, int seed, double exponent = DefaultExponent)
    {
        double[] cumulative = ZipfCumulative(distinct, exponent);
        var random = new Random(seed);
        var ids = new int[length];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = Draw(cumulative, random.NextDouble());
        }

        return ids;
    }

    /// <summary>Returns the cumulative Zipf distribution over <paramref name="distinct"/> ranks, ending at exactly 1.</summary>
    public static double[] ZipfCumulative(int distinct, double exponent = DefaultExponent)
    {
        var cumulative = new double[distinct];
        double sum = 0;
        for (int r = 0; r < distinct; r++)
        {
            sum += 1 / Math.Pow(r + 1, exponent);
            cumulative[r] = sum;
        }

        for (int r = 0; r < distinct; r++)
        {
            cumulative[r] /= sum;
        }

        cumulative[^1] = 1;
        return cumulative;
    }

    /// <summary>Maps a uniform draw u in [0, 1) to a rank by binary search in the cumulative distribution.</summary>
    public static int Draw(double[] cumulative, double u)
    {
        int index = Array.BinarySearch(cumulative, u);
        return index >= 0 ? index : Math.Min(~index, cumulative.Length - 1);
    }

    /// <summary>Counts for a table with exactly <paramref name="distinct"/> values: Zipf-shaped, every count ≥ 1,
    /// about four observations per distinct value in total (so even the tail is not all singletons).</summary>
    public static long[] ZipfCounts(int distinct, double exponent = DefaultExponent)
    {
        double[] cumulative = ZipfCumulative(distinct, exponent);
        double extra = 3.0 * Math.Max(distinct, 16);
        var counts = new long[distinct];
        double previous = 0;
        for (int r = 0; r < distinct; r++)
        {
            counts[r] = 1 + (long)Math.Round(extra * (cumulative[r] - previous));
            previous = cumulative[r];
        }

        return counts;
    }

    /// <summary>The UTF-8 text of value <paramref name="id"/> of a field: a short prefix and the id, like "u0012345".</summary>
    public static byte[] ValueText(string prefix, int id) => Encoding.UTF8.GetBytes(FormattableString.Invariant($"{prefix}{id:D7}"));
}
