using CsCheck;
using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Core.Tests;

public class PairCountTableTests
{
    private static readonly Gen<(int X, int Y)[]> GenRecords = Gen.Select(Gen.Int[0, 6], Gen.Int[0, 6]).Array[0, 200];

    [Fact]
    public void Add_Pairs_KeepsJointAndMarginalsOverSameEvents()
    {
        var table = new PairCountTable(new PairInterner());
        table.Add(1, 2);
        table.Add(1, 3);
        table.Add(1, 2);
        Assert.Equal(3, table.Total);
        Assert.Equal(3, table.X[1]);
        Assert.Equal(2, table.Y[2]);
        Assert.Equal(1, table.Y[3]);
        Assert.Equal(2, table.Joint[table.Pairs.GetOrAdd(1, 2)]);
        table.Remove(1, 2);
        Assert.Equal(1, table.Joint[table.Pairs.GetOrAdd(1, 2)]);
        Assert.Equal(2, table.X[1]);
    }

    [Fact]
    public void Remove_UncountedPair_Throws()
    {
        var table = new PairCountTable(new PairInterner());
        Assert.Throws<InvalidOperationException>(() => table.Remove(0, 0));
        table.Add(0, 0);
        table.Remove(0, 0);
        Assert.Throws<InvalidOperationException>(() => table.Remove(0, 0)); // interned but at zero
        Assert.Equal(0, table.Total);
        Assert.Equal(0, table.X.Total);
        Assert.Equal(0, table.Y.Total);
    }

    [Fact]
    public void AddPairCount_PairId_AddsToJointAndMarginals()
    {
        var table = new PairCountTable(new PairInterner());
        int pairId = table.Pairs.GetOrAdd(3, 4);
        table.AddPairCount(pairId, 5);
        Assert.Equal(5, table.Total);
        Assert.Equal(5, table.Joint[pairId]);
        Assert.Equal(5, table.X[3]);
        Assert.Equal(5, table.Y[4]);
        table.AddPairCount(pairId, -2);
        Assert.Equal(3, table.X[3]);
        Assert.Equal(3, table.Y[4]);
    }

    [Fact]
    public void Merge_DifferentInterners_Throws()
    {
        var a = new PairCountTable(new PairInterner());
        Assert.Throws<ArgumentException>(() => a.Merge(new PairCountTable(new PairInterner())));
    }

    [Fact]
    public void Merge_RandomTables_EqualsTableOfConcatenatedData()
    {
        Gen.Select(GenRecords, GenRecords).Sample(
            (a, b) =>
            {
                var pairs = new PairInterner();
                PairCountTable left = FromRecords(a, pairs);
                PairCountTable right = FromRecords(b, pairs);
                PairCountTable concatenated = FromRecords([.. a, .. b], pairs);
                left.Merge(right);
                AssertSame(concatenated, left, 1e-12);
            },
            iter: 1500);
    }

    [Fact]
    public void Add_RecordOrderShuffled_GivesSameResults()
    {
        Gen.Select(GenRecords, Gen.ULong).Sample(
            (records, seed) =>
            {
                (int X, int Y)[] shuffled = ((int X, int Y)[])records.Clone();
                var rng = new XorShift(seed);
                for (int i = shuffled.Length - 1; i > 0; i--)
                {
                    int j = rng.Next(i + 1);
                    (shuffled[i], shuffled[j]) = (shuffled[j], shuffled[i]);
                }

                var pairs = new PairInterner();
                AssertSame(FromRecords(records, pairs), FromRecords(shuffled, pairs), 1e-12);
            },
            iter: 1500);
    }

    [Fact]
    public void Add_RandomAddRemoveAndBulk_MatchesRecount()
    {
        var ops = Gen.Select(Gen.Int[0, 9], Gen.Int[0, 4], Gen.Int[0, 4], Gen.Int[-1500, 1500]).Array[1, 80];
        ops.Sample(
            list =>
            {
                var pairs = new PairInterner();
                var table = new PairCountTable(pairs);
                var model = new Dictionary<(int, int), long>();
                foreach ((int kind, int x, int y, int amount) in list)
                {
                    long current = model.GetValueOrDefault((x, y));
                    if (kind < 5)
                    {
                        table.Add(x, y);
                        model[(x, y)] = current + 1;
                    }
                    else if (kind < 8)
                    {
                        if (current == 0)
                        {
                            Assert.Throws<InvalidOperationException>(() => table.Remove(x, y));
                        }
                        else
                        {
                            table.Remove(x, y);
                            model[(x, y)] = current - 1;
                        }
                    }
                    else if (current + amount >= 0)
                    {
                        table.AddPairCount(pairs.GetOrAdd(x, y), amount); // bulk, crossing the 1024 limit for large amounts
                        model[(x, y)] = current + amount;
                    }
                }

                var fresh = new PairCountTable(pairs);
                foreach (((int x, int y), long c) in model)
                {
                    for (long i = 0; i < c; i++)
                    {
                        fresh.Add(x, y);
                    }
                }

                AssertSame(fresh, table, 1e-9);
            },
            iter: 1000);
    }

    [Fact]
    public void Add_SteadyState_AllocatesNothing()
    {
        var table = new PairCountTable(new PairInterner());
        for (int x = 0; x < 10; x++)
        {
            for (int y = 0; y < 10; y++)
            {
                for (int i = 0; i < 5; i++)
                {
                    table.Add(x, y);
                }
            }
        }

        Churn(table, 1_000_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Churn(table, 1_000_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(500, table.Total);

        static void Churn(PairCountTable table, int n)
        {
            for (int i = 0; i < n; i++)
            {
                int x = i % 10;
                int y = (i / 10) % 10;
                table.Add(x, y);
                table.Remove(y, x);
                table.Add(y, x);
                table.Remove(x, y);
            }
        }
    }

    internal static PairCountTable FromRecords(IEnumerable<(int X, int Y)> records, PairInterner? pairs = null)
    {
        var table = new PairCountTable(pairs ?? new PairInterner());
        foreach ((int x, int y) in records)
        {
            table.Add(x, y);
        }

        return table;
    }

    private static void AssertSame(PairCountTable expected, PairCountTable actual, double tolerance)
    {
        CountTableTests.AssertSameTables(expected.Joint, actual.Joint, tolerance);
        CountTableTests.AssertSameTables(expected.X, actual.X, tolerance);
        CountTableTests.AssertSameTables(expected.Y, actual.Y, tolerance);
        foreach (EntropyEstimator estimator in Enum.GetValues<EntropyEstimator>())
        {
            PairEntropies e = PairEntropies.Compute(expected, estimator);
            PairEntropies a = PairEntropies.Compute(actual, estimator);
            AssertClose(e.MutualInformation, a.MutualInformation, tolerance, "I");
            AssertClose(e.ConditionalYGivenX, a.ConditionalYGivenX, tolerance, "H(Y|X)");
        }
    }

    [Fact]
    public void AddMany_RandomEvents_EqualsOneAddPerEventBitForBit()
    {
        Gen<(int, int)> pair = Gen.Frequency(
            (3, Gen.Select(Gen.Int[0, 30], Gen.Int[0, 30])),
            (1, Gen.Select(Gen.Int[0, 5000], Gen.Int[0, 5000])));
        Gen.Select(pair.Array[0, 3000], Gen.Int[1, 200]).Sample(
            (events, batch) =>
            {
                var one = new PairCountTable(new PairInterner());
                var many = new PairCountTable(new PairInterner());
                int[] xs = [.. events.Select(e => e.Item1)];
                int[] ys = [.. events.Select(e => e.Item2)];
                foreach ((int x, int y) in events)
                {
                    one.Add(x, y);
                }

                for (int start = 0; start < events.Length; start += batch)
                {
                    int n = Math.Min(batch, events.Length - start);
                    many.AddMany(xs.AsSpan(start, n), ys.AsSpan(start, n));
                }

                Assert.Equal(one.Pairs.Count, many.Pairs.Count);
                for (int id = 0; id < one.Pairs.Count; id++)
                {
                    Assert.Equal(one.Pairs.GetPair(id), many.Pairs.GetPair(id));
                }

                CountTableTests.AssertSameBits(one.Joint, many.Joint);
                CountTableTests.AssertSameBits(one.X, many.X);
                CountTableTests.AssertSameBits(one.Y, many.Y);
            },
            iter: 100);
    }

    [Fact]
    public void AddMany_MismatchedLengths_Throws()
    {
        var table = new PairCountTable(new PairInterner());
        Assert.Throws<ArgumentException>(() => table.AddMany([1, 2], [1]));
        Assert.Equal(0, table.Total);
    }
}
