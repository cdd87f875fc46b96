using CsCheck;
using StreamEntropy.Core.Counting;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Tests.Drift;

/// <summary>Random current and reference pair tables over five values of X and of Y, sharing one pair interner.</summary>
internal static class RandomPairTables
{
    /// <summary>Gets 1–80 random (x, y) cells, each coordinate in 0–4.</summary>
    public static Gen<(int X, int Y)[]> Cells { get; } = Gen.Int[0, 4].Select(Gen.Int[0, 4], (x, y) => (x, y)).Array[1, 80];

    /// <summary>Counts <paramref name="current"/> and <paramref name="reference"/> into two tables sharing a pair
    /// interner, with X's values named v0–v4.</summary>
    public static (PairCountTable Current, PairCountTable Reference, ValueInterner XValues) Build((int X, int Y)[] current, (int X, int Y)[] reference)
    {
        var pairs = new PairInterner();
        var values = new ValueInterner();
        for (int i = 0; i < 5; i++)
        {
            values.GetOrAdd($"v{i}");
        }

        var c = new PairCountTable(pairs);
        var r = new PairCountTable(pairs);
        foreach ((int x, int y) in current)
        {
            c.Add(x, y);
        }

        foreach ((int x, int y) in reference)
        {
            r.Add(x, y);
        }

        return (c, r, values);
    }
}
