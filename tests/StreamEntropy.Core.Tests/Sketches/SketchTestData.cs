using CsCheck;
using StreamEntropy.Core.Sketches;

namespace StreamEntropy.Core.Tests.Sketches;

/// <summary>Shared generators and brute-force references for the sketch tests.</summary>
internal static class SketchTestData
{
    /// <summary>Small skewed streams: value v in [0, 400) drawn uniformly and then bent by a power, so some values are heavy.</summary>
    public static readonly Gen<int[]> Streams =
        Gen.Select(Gen.Int[0, 399].Array[0, 1500], Gen.Int[1, 5], Gen.Int[10, 400])
            .Select(t => Array.ConvertAll(t.Item1, v => (int)(t.Item3 * Math.Pow(v / 400.0, t.Item2))));

    public static ulong Key(int value) => StableHash64.Hash((ulong)value);

    public static Dictionary<ulong, long> CountKeys(IEnumerable<int> values)
    {
        var counts = new Dictionary<ulong, long>();
        foreach (int v in values)
        {
            ulong k = Key(v);
            counts[k] = counts.GetValueOrDefault(k) + 1;
        }

        return counts;
    }

    public static double PlugIn(IEnumerable<int> values) => Naive.PlugIn(Naive.Count(values).Values);
}
