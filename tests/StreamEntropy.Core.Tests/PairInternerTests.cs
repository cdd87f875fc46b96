using CsCheck;
using StreamEntropy.Core.Counting;

namespace StreamEntropy.Core.Tests;

public class PairInternerTests
{
    [Fact]
    public void GetOrAdd_SmallIdGrid_IdsAreDenseAndRoundTrip()
    {
        // Under a plain x ^ y hash the 128 × 128 grid falls into 128 buckets; every pair must stay distinct.
        var pairs = new PairInterner();
        int expectedId = 0;
        for (int x = 0; x < 128; x++)
        {
            for (int y = 0; y < 128; y++)
            {
                Assert.Equal(expectedId++, pairs.GetOrAdd(x, y));
            }
        }

        Assert.Equal(128 * 128, pairs.Count);
        for (int x = 0; x < 128; x++)
        {
            for (int y = 0; y < 128; y++)
            {
                int id = (x * 128) + y;
                Assert.Equal(id, pairs.GetOrAdd(x, y));
                Assert.True(pairs.TryGetId(x, y, out int found));
                Assert.Equal(id, found);
                Assert.Equal((x, y), pairs.GetPair(id));
            }
        }

        Assert.False(pairs.TryGetId(128, 0, out int missing));
        Assert.Equal(-1, missing);
        Assert.Equal(128 * 128, pairs.Count);
    }

    [Fact]
    public void GetOrAdd_RandomPairs_MatchDictionaryModel()
    {
        Gen<(int, int)> pair = Gen.Frequency(
            (3, Gen.Select(Gen.Int[0, 40], Gen.Int[0, 40])),
            (1, Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue])));
        Gen.Select(pair.Array[0, 600], pair.Array[0, 50]).Sample(
            (inserted, probes) =>
            {
                var pairs = new PairInterner();
                var model = new Dictionary<(int, int), int>();
                foreach ((int x, int y) in inserted)
                {
                    AddAndCheck(pairs, model, x, y);
                }

                AssertMatchesModel(pairs, model);

                foreach ((int x, int y) in probes)
                {
                    Assert.Equal(model.TryGetValue((x, y), out int id), pairs.TryGetId(x, y, out int found));
                    Assert.Equal(model.ContainsKey((x, y)) ? id : -1, found);
                }
            },
            iter: 1500);
    }

    [Fact]
    public void EnsureCapacity_ThenAdding_KeepsIdsAndGrowsNoFurther()
    {
        var pairs = new PairInterner();
        Assert.Equal(0, pairs.GetOrAdd(5, 6));
        pairs.EnsureCapacity(10_000);
        for (int i = 0; i < 10_000; i++)
        {
            Assert.Equal(i == 0 ? 0 : i, pairs.GetOrAdd(i == 0 ? 5 : i, i == 0 ? 6 : i));
        }

        Assert.Equal(10_000, pairs.Count);
        Assert.Equal((5, 6), pairs.GetPair(0));
        Assert.Equal((9_999, 9_999), pairs.GetPair(9_999));
    }

    [Fact]
    public void GetOrAdd_NegativeOrUnknownIds_Throw()
    {
        var pairs = new PairInterner();
        Assert.Throws<ArgumentOutOfRangeException>(() => pairs.GetOrAdd(-1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => pairs.GetOrAdd(0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => pairs.GetPair(0));
        pairs.GetOrAdd(int.MaxValue, int.MaxValue);
        Assert.Equal((int.MaxValue, int.MaxValue), pairs.GetPair(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => pairs.GetPair(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => pairs.GetPair(-1));
    }

    [Fact]
    public void GetOrAddMany_RandomPairs_GivesTheIdsOfOneCallPerPair()
    {
        Gen<(int, int)> pair = Gen.Frequency(
            (3, Gen.Select(Gen.Int[0, 40], Gen.Int[0, 40])),
            (1, Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue])));
        Gen.Select(pair.Array[0, 2000], Gen.Int[1, 100]).Sample(
            (inserted, batch) =>
            {
                var one = new PairInterner();
                var many = new PairInterner();
                var model = new Dictionary<(int, int), int>();
                int[] expected = new int[inserted.Length];
                for (int i = 0; i < inserted.Length; i++)
                {
                    if (!model.TryGetValue(inserted[i], out expected[i]))
                    {
                        expected[i] = model.Count;
                        model[inserted[i]] = expected[i];
                    }

                    Assert.Equal(expected[i], one.GetOrAdd(inserted[i].Item1, inserted[i].Item2));
                }

                int[] xs = [.. inserted.Select(p => p.Item1)];
                int[] ys = [.. inserted.Select(p => p.Item2)];
                int[] got = new int[inserted.Length];
                for (int start = 0; start < inserted.Length; start += batch)
                {
                    int n = Math.Min(batch, inserted.Length - start);
                    many.GetOrAddMany(xs.AsSpan(start, n), ys.AsSpan(start, n), got.AsSpan(start, n));
                }

                Assert.Equal(expected, got);
                Assert.Equal(model.Count, many.Count);
            },
            iter: 100);
    }

    [Fact]
    public void GetOrAdd_ManyDistinctPairs_MatchDictionaryModelAcrossGrowth()
    {
        // 3·10⁵ draws from a 700 × 700 grid and from anywhere: the table grows page by page from 64 slots to ~50 pages
        // while pairs repeat, and the pair ids by id cross several chunks.
        Gen.Int.Sample(
            seed =>
            {
                var random = new Random(seed);
                var pairs = new PairInterner();
                var model = new Dictionary<(int, int), int>();
                for (int i = 0; i < 300_000; i++)
                {
                    (int x, int y) = random.Next(4) == 0 ? (random.Next(), random.Next()) : (random.Next(700), random.Next(700));
                    AddAndCheck(pairs, model, x, y);
                }

                AssertMatchesModel(pairs, model);

                Assert.False(pairs.TryGetId(700, 700, out int missing));
                Assert.Equal(-1, missing);
            },
            iter: 2);
    }

    // Interns (x, y) and checks its id against the model (ids in first-sight order).
    private static void AddAndCheck(PairInterner pairs, Dictionary<(int, int), int> model, int x, int y)
    {
        if (!model.TryGetValue((x, y), out int expected))
        {
            expected = model.Count;
            model[(x, y)] = expected;
        }

        Assert.Equal(expected, pairs.GetOrAdd(x, y));
    }

    // Every pair of the model round-trips through GetPair and TryGetId, and nothing else was added.
    private static void AssertMatchesModel(PairInterner pairs, Dictionary<(int, int), int> model)
    {
        Assert.Equal(model.Count, pairs.Count);
        foreach (((int x, int y), int id) in model)
        {
            Assert.Equal((x, y), pairs.GetPair(id));
            Assert.True(pairs.TryGetId(x, y, out int found));
            Assert.Equal(id, found);
        }
    }
}
