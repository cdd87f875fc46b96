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

                TableAssertions.AssertSameBits(one.Joint, many.Joint);
                TableAssertions.AssertSameBits(one.X, many.X);
                TableAssertions.AssertSameBits(one.Y, many.Y);
            },
            iter: 100);
    }

    [Fact]
    public void Marginals_AfterCountingRandomPairs_EqualEntryByEntryDerivationBitForBit()
    {
        // Counts from 1 to several times CountTable.LargeCount, up to ~6000 distinct pairs (a re-base every 1024 entries:
        // several inside one derivation, and a remainder after the last), some pairs retracted to zero before the read.
        Gen<long> count = Gen.Frequency(
            (6, Gen.Long[1, 4]),
            (2, Gen.Long[5, 1100]),
            (1, Gen.Long[CountTable.LargeCount - 2, 5 * CountTable.LargeCount]));
        Gen<(int X, int Y, long Count)> entry = Gen.Frequency(
            (3, Gen.Select(Gen.Int[0, 3000], Gen.Int[0, 40], count)),
            (1, Gen.Select(Gen.Int[0, 20], Gen.Int[0, 3], count)));
        Gen.Select(entry.Array[0, 6000], Gen.Int[0, 100], Gen.Bool).Sample(
            (entries, retractPercent, readBefore) =>
            {
                var table = new PairCountTable(new PairInterner());
                if (readBefore)
                {
                    // Marginals derived once already: the second derivation starts from cleared, grown tables.
                    table.Add(0, 0);
                    _ = table.X;
                }

                for (int i = 0; i < entries.Length; i++)
                {
                    (int x, int y, long c) = entries[i];
                    int pairId = table.Pairs.GetOrAdd(x, y);
                    table.AddPairCount(pairId, c);
                    if (i % 100 < retractPercent / 10)
                    {
                        table.AddPairCount(pairId, -table.Joint[pairId]);
                    }
                    else if (i % 7 == 0)
                    {
                        table.Remove(x, y);
                    }
                }

                AssertMarginalsAsEntryByEntry(table);
            },
            iter: 60);
    }

    [Fact]
    public void Marginals_MoreThan65536Pairs_EqualEntryByEntryDerivationBitForBit()
    {
        // 70 000 distinct pairs: x mostly distinct (small counts), y with 30 values that all become large; 68 re-bases.
        var table = new PairCountTable(new PairInterner());
        var random = new Random(11);
        var xs = new int[70_000];
        var ys = new int[70_000];
        for (int i = 0; i < xs.Length; i++)
        {
            xs[i] = i < 60_000 ? i : random.Next(60_000);
            ys[i] = random.Next(30);
        }

        table.AddMany(xs, ys);
        for (int i = 0; i < 5_000; i++)
        {
            table.AddPairCount(random.Next(table.Pairs.Count), random.Next(1, 3 * CountTable.LargeCount));
            table.Remove(xs[i * 3], ys[i * 3]);
        }

        AssertMarginalsAsEntryByEntry(table);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1023)]
    [InlineData(1024)]
    [InlineData(1025)]
    [InlineData(2047)]
    [InlineData(2048)]
    [InlineData(2049)]
    [InlineData(3070)]
    [InlineData(3071)]
    public void Marginals_PairCountsAroundRebaseBoundaries_EqualEntryByEntryDerivationBitForBit(int pairs)
    {
        // A re-base every 1024 entries: the last entries before and after the last one are where skipped sum updates and
        // skipped re-bases would show. x values small and large, y values all large (countries of many users).
        var table = new PairCountTable(new PairInterner());
        for (int i = 0; i < pairs; i++)
        {
            long c = i % 5 == 0 ? CountTable.LargeCount + i : 1 + (i % 3);
            table.AddPairCount(table.Pairs.GetOrAdd(i / 2, i % 7), c);
        }

        AssertMarginalsAsEntryByEntry(table);
    }

    // The marginals the table derives against the reference derivation (a fresh table per marginal, one Add(id, count)
    // per non-zero pair in pair-id order): counts, sums to the last bit, the large values' order, the updates towards the
    // next re-base, and, as what the sums' compensation holds is not visible, the same sums after the same further updates.
    private static void AssertMarginalsAsEntryByEntry(PairCountTable table)
    {
        var x = new CountTable();
        var y = new CountTable();
        CountSpan joint = table.Joint.Counts;
        for (int pairId = 0; pairId < joint.Length; pairId++)
        {
            if (joint[pairId] != 0)
            {
                (int xId, int yId) = table.Pairs.GetPair(pairId);
                x.Add(xId, joint[pairId]);
                y.Add(yId, joint[pairId]);
            }
        }

        foreach ((CountTable expected, CountTable actual) in new[] { (x, table.X), (y, table.Y) })
        {
            AssertSameState(expected, actual);
            var random = new Random(expected.Distinct);
            int ids = Math.Max(expected.Counts.Length, 1);
            for (int i = 0; i < 300; i++)
            {
                int id = random.Next(ids);
                if (i % 3 == 2 && expected[id] > 0)
                {
                    expected.Remove(id);
                    actual.Remove(id);
                }
                else if (i % 5 == 4)
                {
                    long c = random.Next(1, 2 * CountTable.LargeCount);
                    expected.Add(id, c);
                    actual.Add(id, c);
                }
                else
                {
                    expected.Add(id);
                    actual.Add(id);
                }
            }

            AssertSameState(expected, actual);
        }
    }

    private static void AssertSameState(CountTable expected, CountTable actual)
    {
        Assert.Equal(expected.UpdatesSinceRebase, actual.UpdatesSinceRebase);
        Assert.Equal(expected.LargeIds.ToArray(), actual.LargeIds.ToArray());
        TableAssertions.AssertSameBits(expected, actual);
    }

    [Fact]
    public void AddMany_MismatchedLengths_Throws()
    {
        var table = new PairCountTable(new PairInterner());
        Assert.Throws<ArgumentException>(() => table.AddMany([1, 2], [1]));
        Assert.Equal(0, table.Total);
    }
}
