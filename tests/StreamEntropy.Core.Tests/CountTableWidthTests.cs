using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Numerics;
using StreamEntropy.TestSupport;

namespace StreamEntropy.Core.Tests;

/// <summary>The count table keeps its counts as int until one passes int.MaxValue, then as long: the reference for the
/// narrow storage is a table widened before its first update, which must agree with it bit for bit after every
/// operation, and both with a plain array of longs.</summary>
public class CountTableWidthTests
{
    private const int Limit = CountTable.LargeCount;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void NarrowAndWideTables_RandomOperations_AgreeBitForBit(int seed)
    {
        var random = new Random(seed);
        var narrow = new CountTable(2);
        var wide = new CountTable(2);
        wide.Widen();
        long[] model = new long[5000];
        for (int step = 0; step < 4000; step++)
        {
            int roll = random.Next(100);
            if (roll < 40)
            {
                // Unit steps, mostly on a few ids so that their counts pass the large-count limit.
                int id = SkewedId(random);
                int times = random.Next(1, 200);
                for (int i = 0; i < times; i++)
                {
                    narrow.Add(id);
                    wide.Add(id);
                }

                model[id] += times;
            }
            else if (roll < 55)
            {
                int[] ids = [.. Enumerable.Range(0, random.Next(1, 100)).Select(_ => SkewedId(random))];
                narrow.AddMany(ids);
                wide.AddMany(ids);
                foreach (int id in ids)
                {
                    model[id]++;
                }
            }
            else if (roll < 70)
            {
                int id = SkewedId(random);
                for (int i = 0, times = random.Next(1, 50); i < times && model[id] > 0; i++)
                {
                    narrow.Remove(id);
                    wide.Remove(id);
                    model[id]--;
                }
            }
            else if (roll < 85)
            {
                int id = SkewedId(random);
                long delta = random.Next(2) == 0 ? random.Next(1, 3 * Limit) : -random.NextInt64(model[id] + 1);
                narrow.Add(id, delta);
                wide.Add(id, delta);
                model[id] += delta;
            }
            else if (roll < 93)
            {
                long[] counts = new long[random.Next(1, model.Length)];
                for (int i = 0, entries = random.Next(1, 20); i < entries; i++)
                {
                    counts[random.Next(counts.Length)] += random.Next(1, 2 * Limit);
                }

                narrow.AddCounts(counts);
                wide.AddCounts(counts);
                for (int id = 0; id < counts.Length; id++)
                {
                    model[id] += counts[id];
                }
            }
            else if (roll < 99)
            {
                narrow.Normalize();
                wide.Normalize();
            }
            else
            {
                narrow.Clear();
                wide.Clear();
                Array.Clear(model);
            }

            TableAssertions.AssertSameBits(wide, narrow);
            Assert.Equal(wide.LargeIds, narrow.LargeIds);
            for (int id = 0; id < model.Length; id++)
            {
                Assert.Equal(model[id], narrow[id]);
            }
        }

        Assert.False(narrow.IsWide);
        Assert.True(wide.IsWide);
    }

    [Theory]
    [InlineData("Add")]
    [InlineData("AddMany")]
    [InlineData("AddBulk")]
    [InlineData("AddCounts")]
    [InlineData("Merge")]
    [InlineData("AddRun")]
    public void Count_PassingIntMaxValue_WidensOnceAndCountsOnExactly(string path)
    {
        var table = new CountTable();
        var reference = new CountTable();
        reference.Widen();
        var model = new Dictionary<int, long>();
        void Both(Action<CountTable> update)
        {
            update(table);
            update(reference);
        }

        void Check(bool wide)
        {
            Assert.Equal(wide, table.IsWide);
            TableAssertions.AssertSameBits(reference, table);
            Assert.Equal(reference.LargeIds, table.LargeIds);
            Assert.Equal(model.Values.Sum(), table.Total);
            Assert.Equal(model.Count(e => e.Value != 0), table.Distinct);
            foreach ((int id, long count) in model)
            {
                Assert.Equal(count, table[id]);
                Assert.Equal(count, table.Counts[id]);
            }
        }

        for (int id = 0; id < 10; id++)
        {
            int times = id + 1;
            for (int i = 0; i < times; i++)
            {
                Both(t => t.Add(id));
            }

            model[id] = times;
        }

        Both(t => t.Add(5, int.MaxValue - 1L - model[5]));
        model[5] = int.MaxValue - 1L;
        Check(wide: false);

        // Two steps of one: the first reaches int.MaxValue (still an int), the second passes it.
        for (int step = 0; step < 2; step++)
        {
            Both(t => AddOne(t, path, 5));
            model[5]++;
            if (path == "AddMany")
            {
                model[1]++; // AddOne adds ids 1, 5, 2
                model[2]++;
            }

            Check(wide: step == 1);
        }

        Assert.Equal(int.MaxValue + 1L, table[5]);

        // Wide from now on: the other paths count on, a new id grows the wide counts, a retraction below int.MaxValue
        // keeps them wide.
        Both(t => t.Add(5));
        Both(t => t.AddMany([5, 3, 5]));
        Both(t => t.Add(5, 3L * int.MaxValue));
        Both(t => t.Add(4000));
        Both(t => t.Remove(0));
        model[5] += 3 + (3L * int.MaxValue);
        model[3]++;
        model[4000] = 1;
        model[0]--;
        Check(wide: true);
        Both(t => t.Add(5, -(4L * int.MaxValue)));
        model[5] -= 4L * int.MaxValue;
        Check(wide: true);
        Assert.Throws<InvalidOperationException>(() => table.Remove(4001));
        Assert.Throws<InvalidOperationException>(() => table.Add(6, -model[6] - 1));
        Check(wide: true);
        Both(t => t.Normalize());
        Check(wide: true);

        Both(t => t.Clear());
        model.Clear();
        Check(wide: true);
        Both(t => t.Add(7));
        model[7] = 1;
        Check(wide: true);
    }

    [Fact]
    public void AddCounts_EntryPastIntMaxValue_WidensTheTarget()
    {
        var table = new CountTable();
        table.Add(1);
        table.AddCounts(new long[] { 0, int.MaxValue, 5 });
        Assert.True(table.IsWide);
        Assert.Equal(new long[] { 0, int.MaxValue + 1L, 5 }, table.Counts.ToArray()[..3]);
        Assert.Equal(int.MaxValue + 6L, table.Total);
        Assert.Equal(2, table.Distinct);

        var mapped = new CountTable();
        mapped.AddCounts(new long[] { int.MaxValue, int.MaxValue }, [3, 3]);
        Assert.True(mapped.IsWide);
        Assert.Equal(2L * int.MaxValue, mapped[3]);
        Assert.Equal(1, mapped.Distinct);
    }

    [Fact]
    public void CountSpan_NarrowAndWide_ReadTheSameCounts()
    {
        int[] ints = [0, 3, int.MaxValue, 7];
        long[] longs = [0, 3, int.MaxValue, 7];
        var narrow = new CountSpan(ints);
        CountSpan wide = longs;
        Assert.Equal(4, narrow.Length);
        Assert.Equal(4, wide.Length);
        for (int id = 0; id < ints.Length; id++)
        {
            Assert.Equal(longs[id], narrow[id]);
            Assert.Equal(longs[id], wide[id]);
        }

        Assert.Equal(longs, narrow.ToArray());
        Assert.Equal(longs, wide.ToArray());
        long[] destination = new long[6];
        narrow.CopyTo(destination);
        Assert.Equal([.. longs, 0, 0], destination);
        Assert.True(new CountSpan(ReadOnlySpan<int>.Empty).IsEmpty);
        Assert.False(narrow.IsEmpty);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CountSpan(ints).CopyTo(new long[3]));
        Assert.Throws<ArgumentException>(() => new CountSpan(longs).CopyTo(new long[3]));
        Assert.Throws<IndexOutOfRangeException>(() => new CountSpan(ints)[4]);
        Assert.Throws<IndexOutOfRangeException>(() => new CountSpan(longs)[4]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(511)]
    [InlineData(512)]
    [InlineData(513)]
    [InlineData(5000)]
    public void SumNLogNInt32_SameCountsAsLongs_SameSumsBitForBit(int length)
    {
        var random = new Random(length);
        int[] narrow = new int[length];
        for (int i = 0; i < length; i++)
        {
            narrow[i] = random.Next(4) switch
            {
                0 => 0,
                1 => random.Next(1, 10),
                2 => random.Next(1, 100_000),
                _ => random.Next(int.MaxValue - 1000, int.MaxValue) + 1,
            };
        }

        long[] wide = [.. narrow.Select(c => (long)c)];
        (double s1, double s2) = EntropyKernels.SumNLogNInt32(narrow);
        (double r1, double r2) = EntropyKernels.SumNLogN(wide);
        Assert.Equal(BitConverter.DoubleToInt64Bits(r1), BitConverter.DoubleToInt64Bits(s1));
        Assert.Equal(BitConverter.DoubleToInt64Bits(r2), BitConverter.DoubleToInt64Bits(s2));
        (double n1, double n2) = EntropyKernels.SumNLogNScalar(wide);
        Assert.Equal(n1, s1, n1 * 1e-12);
        Assert.Equal(n2, s2, n2 * 1e-12);
    }

    private static void AddOne(CountTable table, string path, int id)
    {
        switch (path)
        {
            case "Add":
                table.Add(id);
                break;
            case "AddMany":
                table.AddMany([1, id, 2]);
                break;
            case "AddBulk":
                table.Add(id, 1L);
                break;
            case "AddCounts":
                long[] counts = new long[id + 1];
                counts[id] = 1;
                table.AddCounts(counts);
                break;
            case "Merge":
                var other = new CountTable();
                other.Add(id);
                table.Merge(other);
                break;
            case "AddRun":
                table.AddRun([id], [1L], 1);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(path));
        }
    }

    // Mostly a handful of ids (counts past the large-count limit), sometimes ids far out (growth of the counts).
    private static int SkewedId(Random random) => random.Next(10) switch
    {
        < 6 => random.Next(4),
        < 9 => random.Next(300),
        _ => random.Next(5000),
    };
}
