using System.Diagnostics;
using CsCheck;
using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Core.Tests;

public class CountTableTests
{
    private const int Limit = 1024; // CountFunctionTables.Limit: the dense fingerprint/large-set boundary
    private const int Ids = 12;
    private const long MaxCount = 60_000; // stays inside Naive.Grassberger's table

    private static readonly EntropyEstimator[] Estimators = Enum.GetValues<EntropyEstimator>();

    [Fact]
    public void Constructor_Empty_HasZeroStateAndNaNEntropy()
    {
        var table = new CountTable();
        Assert.Equal(0, table.Total);
        Assert.Equal(0, table.Distinct);
        Assert.Equal(0, table.Singletons);
        Assert.Equal(0.0, table.SumNLogN);
        Assert.Equal(0L, table[5]);
        Assert.Equal(0L, table[-1]);
        foreach (EntropyEstimator estimator in Estimators)
        {
            Assert.True(double.IsNaN(EntropyEstimators.Entropy(table, estimator)), estimator.ToName());
        }

        Assert.True(double.IsNaN(EntropyEstimators.PlugIn(table)));
        Assert.True(double.IsNaN(EntropyEstimators.StandardError(table)));
    }

    [Fact]
    public void Remove_ZeroCount_ThrowsAndLeavesStateUnchanged()
    {
        var table = new CountTable(4);
        table.Add(1);
        Assert.Throws<InvalidOperationException>(() => table.Remove(0)); // known slot, count 0
        Assert.Throws<InvalidOperationException>(() => table.Remove(1000)); // past the end
        Assert.Throws<InvalidOperationException>(() => table.Remove(-1));
        Assert.Throws<InvalidOperationException>(() => table.Add(1, -2));
        Assert.Throws<InvalidOperationException>(() => table.Add(500, -1));
        table.Remove(1);
        Assert.Throws<InvalidOperationException>(() => table.Remove(1));
        Assert.Equal(0, table.Total);
        Assert.Equal(0, table.Distinct);
        Assert.Equal(0.0, table.SumNLogN, 15);
    }

    [Fact]
    public void Add_ThirtyTwoEquallyLikelyValues_GivesFiveBits()
    {
        var table = new CountTable();
        for (int team = 0; team < 32; team++)
        {
            table.Add(team);
        }

        Assert.Equal(5.0, LogBase.Bits.FromNats(EntropyEstimators.PlugIn(table)), 14);
        Assert.Equal(32, table.Distinct);
        Assert.Equal(32, table.Singletons);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(1000)]
    [InlineData(5000)]
    public void Add_UniformOverK_GivesLogKInEveryBase(int k)
    {
        var table = new CountTable();
        for (int id = 0; id < k; id++)
        {
            table.Add(id, 7);
        }

        double nats = EntropyEstimators.PlugIn(table);
        AssertClose(Math.Log(k), nats, 1e-13, "nats");
        AssertClose(Math.Log2(k), LogBase.Bits.FromNats(nats), 1e-13, "bits");
        AssertClose(Math.Log10(k), LogBase.Bans.FromNats(nats), 1e-13, "bans");
        AssertClose(Math.Log(k), LogBase.Nats.FromNats(nats), 1e-13, "nats via LogBase");
    }

    [Fact]
    public void Add_SingleValue_HasZeroEntropyAndZeroStandardError()
    {
        var table = new CountTable();
        table.Add(3, 2000);
        Assert.Equal(0.0, EntropyEstimators.PlugIn(table));
        Assert.Equal(0.0, EntropyEstimators.StandardError(table), 12);
        Assert.Equal(1, table.Distinct);
        Assert.Equal(0, table.Singletons);
    }

    [Fact]
    public void Add_CrossingLargeCountLimitBothWays_KeepsSumsExact()
    {
        var table = new CountTable();
        table.Add(0, Limit - 2);
        table.Add(1, 3);
        for (int step = 0; step < 3; step++)
        {
            table.Add(0); // 1023 → 1024 → 1025 on the later steps
            AssertMatchesNaive(table, [table[0], table[1]]);
        }

        for (int step = 0; step < 4; step++)
        {
            table.Remove(0); // back below the limit
            AssertMatchesNaive(table, [table[0], table[1]]);
        }

        table.Add(0, 5000); // bulk jump over the limit, then bulk back under it
        AssertMatchesNaive(table, [table[0], table[1]]);
        table.Add(0, -5500);
        AssertMatchesNaive(table, [table[0], table[1]]);
        Assert.Equal(Limit - 2 + 3 - 4 + 5000 - 5500, table[0]);
    }

    [Fact]
    public void Clear_AfterUse_BehavesLikeNewTable()
    {
        var table = new CountTable();
        table.Add(0, 3000);
        table.Add(7, 2);
        table.Clear();
        Assert.Equal(0, table.Total);
        Assert.Equal(0, table.Distinct);
        Assert.Equal(0.0, table.SumNLogN);
        Assert.Equal(0.0, table.SumNLog2N);
        Assert.Equal(0.0, table.SumNG);
        Assert.True(double.IsNaN(EntropyEstimators.PlugIn(table)));
        table.Add(7);
        table.Add(8);
        Assert.Equal(Math.Log(2), EntropyEstimators.PlugIn(table), 15);
        Assert.Equal(2, table.Singletons);
    }

    [Fact]
    public void SumOverCounts_CustomTerm_VisitsEveryValue()
    {
        var table = new CountTable();
        long[] counts = [1, 1, 2, 3, 5, 2000, 1024, 1023];
        for (int id = 0; id < counts.Length; id++)
        {
            table.Add(id, counts[id]);
        }

        Assert.Equal(counts.Sum(c => (double)c * c), table.SumOverCounts(new SquareTerm()));
        Assert.Equal(counts.Length, table.SumOverCounts(new OneTerm()));
    }

    private enum OpKind
    {
        Add,
        Remove,
        AddMany,
        JumpNearLimit,
    }

    private readonly record struct Op(OpKind Kind, int Id, int Amount);

    private static readonly Gen<Op> GenOp = Gen.Select(Gen.Int[0, 99], Gen.Int[0, Ids - 1], Gen.Int[-1200, 1200], (k, id, amount) => k switch
    {
        < 35 => new Op(OpKind.Add, id, 1 + (Math.Abs(amount) % 8)),
        < 70 => new Op(OpKind.Remove, id, 1 + (Math.Abs(amount) % 8)),
        < 85 => new Op(OpKind.AddMany, id, amount),
        _ => new Op(OpKind.JumpNearLimit, id, amount % 5),
    });

    [Fact]
    public void Add_RandomOperationSequences_MatchModelAndRecount()
    {
        GenOp.Array[1, 120].Sample(
            ops =>
            {
                var table = new CountTable(2);
                long[] model = new long[Ids];
                double s1Scale = 1, s2Scale = 1, sgScale = 1;
                foreach (Op op in ops)
                {
                    Apply(table, model, op);
                    Assert.Equal(model.Sum(), table.Total);
                    Assert.Equal(model.Count(c => c > 0), table.Distinct);
                    Assert.Equal(model.Count(c => c == 1), table.Singletons);
                    for (int id = 0; id < Ids; id++)
                    {
                        Assert.Equal(model[id], table[id]);
                    }

                    // The sums are kept incrementally (between exact re-bases every 2^16 updates): each step adds a
                    // tabulated difference f(n+1) - f(n) whose rounding is relative to f(n), so after large counts are
                    // removed again the error is relative to the largest sum the sequence reached, not to the final one.
                    s1Scale = CloseToRunningScale(Naive.SumNLogN(model), table.SumNLogN, s1Scale, "S1");
                    s2Scale = CloseToRunningScale(Naive.SumNLog2N(model), table.SumNLog2N, s2Scale, "S2");
                    sgScale = CloseToRunningScale(Naive.SumNG(model), table.SumNG, sgScale, "SG");
                }

                var fresh = new CountTable();
                for (int id = 0; id < Ids; id++)
                {
                    fresh.Add(id, model[id]);
                }

                (long total, int distinct, double s1, double s2) = table.RecomputeFromCounts();
                Assert.Equal(model.Sum(), total);
                Assert.Equal(model.Count(c => c > 0), distinct);
                AssertClose(Naive.SumNLogN(model), s1, 1e-12, "recomputed S1");
                AssertClose(Naive.SumNLog2N(model), s2, 1e-12, "recomputed S2");
                AssertSameTables(fresh, table, 1e-9);
                foreach (EntropyEstimator estimator in Estimators)
                {
                    AssertClose(Naive.Entropy(model, estimator.ToName()), EntropyEstimators.Entropy(table, estimator), 1e-9, estimator.ToName());
                }

                // Compare variances: sqrt is ill-conditioned at 0, where the textbook Σp ln²p − H² leaves ~1e-17 of noise.
                AssertClose(Math.Pow(Naive.StandardError(model), 2), Math.Pow(EntropyEstimators.StandardError(table), 2), 1e-12, "squared standard error");
            },
            iter: 1500);
    }

    // Asserts |expected - actual| <= 1e-12 * max(1, the largest |expected| so far) and returns that largest value.
    private static double CloseToRunningScale(double expected, double actual, double scale, string what)
    {
        scale = Math.Max(scale, Math.Abs(expected));
        Assert.True(
            Math.Abs(expected - actual) <= 1e-12 * scale,
            $"{what}: expected {expected:R}, got {actual:R} (difference {Math.Abs(expected - actual):G3}, allowed {1e-12 * scale:G3})");
        return scale;
    }

    private static void Apply(CountTable table, long[] model, Op op)
    {
        int id = op.Id;
        switch (op.Kind)
        {
            case OpKind.Add:
                for (int i = 0; i < op.Amount && model[id] < MaxCount; i++)
                {
                    table.Add(id);
                    model[id]++;
                }

                break;
            case OpKind.Remove:
                for (int i = 0; i < op.Amount; i++)
                {
                    if (model[id] == 0)
                    {
                        Assert.Throws<InvalidOperationException>(() => table.Remove(id));
                        break;
                    }

                    table.Remove(id);
                    model[id]--;
                }

                break;
            case OpKind.AddMany:
                long next = model[id] + op.Amount;
                if (next < 0)
                {
                    Assert.Throws<InvalidOperationException>(() => table.Add(id, op.Amount));
                }
                else if (next <= MaxCount)
                {
                    table.Add(id, op.Amount);
                    model[id] = next;
                }

                break;
            case OpKind.JumpNearLimit:
                long target = Limit + op.Amount; // 1020 … 1028: later unit steps cross the limit
                table.Add(id, target - model[id]);
                model[id] = target;
                break;
        }
    }

    private static readonly Gen<int[]> GenCounts = Gen.Frequency((4, Gen.Int[0, 4]), (1, Gen.Int[0, 1500])).Array[0, 20];

    [Fact]
    public void Merge_RandomTables_EqualsTableOfConcatenatedData()
    {
        Gen.Select(GenCounts, GenCounts).Sample(
            (a, b) =>
            {
                CountTable left = FromRecords(Records(a), 1);
                CountTable right = FromRecords(Records(b), 64);
                CountTable concatenated = FromRecords([.. Records(a), .. Records(b)], 1);
                left.Merge(right);
                AssertSameTables(concatenated, left, 1e-11);
                long[] combined = Enumerable.Range(0, Math.Max(a.Length, b.Length)).Select(i => (long)(i < a.Length ? a[i] : 0) + (i < b.Length ? b[i] : 0)).ToArray();
                AssertClose(Naive.SumNLogN(combined), left.SumNLogN, 1e-12, "S1");
                AssertClose(Naive.SumNG(combined), left.SumNG, 1e-12, "SG");
            },
            iter: 800);
    }

    [Fact]
    public void Merge_RecordOrderShuffled_GivesSameResults()
    {
        Gen.Select(Gen.Frequency((3, Gen.Int[0, 20]), (1, Gen.Int[0, 400])).Array[1, 400], Gen.ULong).Sample(
            (records, seed) =>
            {
                int[] shuffled = (int[])records.Clone();
                var rng = new XorShift(seed);
                for (int i = shuffled.Length - 1; i > 0; i--)
                {
                    int j = rng.Next(i + 1);
                    (shuffled[i], shuffled[j]) = (shuffled[j], shuffled[i]);
                }

                CountTable original = FromRecords(records, 16);
                CountTable permuted = FromRecords(shuffled, 16);
                AssertSameTables(original, permuted, 1e-12);
                AssertClose(Naive.PlugIn(Naive.Count(records).Values), EntropyEstimators.PlugIn(permuted), 1e-12, "naive −Σ p ln p");
            },
            iter: 1500);
    }

    [Fact]
    public void Merge_IntoEmptyAndFromEmpty_KeepsCounts()
    {
        var source = new CountTable();
        source.Add(2, 3);
        source.Add(2000, 1500);
        var empty = new CountTable(1);
        empty.Merge(source);
        AssertSameTables(source, empty, 1e-14);
        source.Merge(new CountTable());
        AssertSameTables(empty, source, 1e-14);
        Assert.Equal(1500, empty[2000]);
    }

    /// <summary>The soundness requirement: 10⁸ mixed updates, then the incremental plug-in H equals a recount.</summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void Add_HundredMillionMixedUpdates_IncrementalEntropyMatchesRecompute()
    {
        // A sliding window: each step adds a skewed random id and retracts the id that leaves the window.
        // Heavy ids are chosen so that their counts hover around the 1024 limit or far above it, and the
        // heavy set rotates every few million steps, so counts go from thousands back down to tens.
        const int Window = 50_000;
        const long Steps = 50_000_000; // two updates per step
        const int LightIds = 4000;
        var table = new CountTable();
        int[] ring = new int[Window];
        var rng = new XorShift(20240601);
        var stopwatch = Stopwatch.StartNew();
        int heavyBase = LightIds;
        for (long step = 0; step < Steps; step++)
        {
            if (step % 5_000_000 == 0)
            {
                heavyBase = LightIds + (int)(step / 5_000_000 % 7 * 3);
            }

            ulong r = rng.Next();
            uint u = (uint)(r >> 40); // 24 bits
            int id;
            if (u < 344_000)
            {
                id = heavyBase; // p ≈ 2.05% ⇒ ≈ 1025 of 50 000: crosses the limit constantly
            }
            else if (u < 344_000 + 1_677_722)
            {
                id = heavyBase + 1; // p ≈ 10% ⇒ ≈ 5000
            }
            else if (u < 344_000 + 1_677_722 + 335_544)
            {
                id = heavyBase + 2; // p ≈ 2% ⇒ ≈ 1000
            }
            else
            {
                // Skewed light ids: the square of a uniform concentrates mass on small ids.
                uint v = (uint)r & 0xFFFF;
                id = (int)((ulong)v * v * LightIds >> 32);
            }

            int slot = (int)(step % Window);
            if (step >= Window)
            {
                table.Remove(ring[slot]);
            }

            ring[slot] = id;
            table.Add(id);
        }

        stopwatch.Stop();
        (long total, int distinct, double s1, double s2) = table.RecomputeFromCounts();
        Assert.Equal(Window, table.Total);
        Assert.Equal(total, table.Total);
        Assert.Equal(distinct, table.Distinct);
        double recomputed = Math.Log(total) - (s1 / total);
        double incremental = EntropyEstimators.PlugIn(table);
        Assert.True(Math.Abs(incremental - recomputed) <= 1e-9 * recomputed, $"incremental {incremental:R} vs recomputed {recomputed:R}");
        AssertClose(s1, table.SumNLogN, 1e-12, "S1");
        AssertClose(s2, table.SumNLog2N, 1e-12, "S2");
        long[] counts = table.Counts.ToArray();
        AssertClose(Naive.SumNG(counts), table.SumNG, 1e-12, "SG");
        Assert.Contains(counts, c => c >= Limit);
        AssertSameTables(FromCounts(counts), table, 1e-9);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"10⁸ updates took {stopwatch.Elapsed}");
    }

    [Fact]
    public void Add_SteadyState_AllocatesNothing()
    {
        var table = new CountTable();
        for (int id = 0; id < 100; id++)
        {
            table.Add(id, 5);
        }

        table.Add(100, Limit - 1); // id 100 crosses the limit on every other update

        Churn(table, 1_000_000); // warm up: JIT tiers, HashSet capacity
        long before = GC.GetAllocatedBytesForCurrentThread();
        Churn(table, 1_000_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal((100 * 5) + Limit - 1, table.Total);

        static void Churn(CountTable table, int n)
        {
            for (int i = 0; i < n; i++)
            {
                int id = i % 101;
                table.Add(id);
                table.Remove(id == 100 ? 100 : (id + 37) % 100);
                if (id != 100)
                {
                    table.Remove(id);
                    table.Add((id + 37) % 100);
                }
            }
        }
    }

    internal static CountTable FromRecords(IEnumerable<int> records, int capacity)
    {
        var table = new CountTable(capacity);
        foreach (int r in records)
        {
            table.Add(r);
        }

        return table;
    }

    private static CountTable FromCounts(long[] counts)
    {
        var table = new CountTable();
        for (int id = 0; id < counts.Length; id++)
        {
            table.Add(id, counts[id]);
        }

        return table;
    }

    private static IEnumerable<int> Records(int[] counts)
    {
        for (int id = 0; id < counts.Length; id++)
        {
            for (int i = 0; i < counts[id]; i++)
            {
                yield return id;
            }
        }
    }

    internal static void AssertSameTables(CountTable expected, CountTable actual, double tolerance)
    {
        Assert.Equal(expected.Total, actual.Total);
        Assert.Equal(expected.Distinct, actual.Distinct);
        Assert.Equal(expected.Singletons, actual.Singletons);
        int length = Math.Max(expected.Counts.Length, actual.Counts.Length);
        for (int id = 0; id < length; id++)
        {
            Assert.Equal(expected[id], actual[id]);
        }

        AssertClose(expected.SumNLogN, actual.SumNLogN, tolerance, "S1");
        AssertClose(expected.SumNLog2N, actual.SumNLog2N, tolerance, "S2");
        AssertClose(expected.SumNG, actual.SumNG, tolerance, "SG");
        foreach (EntropyEstimator estimator in Estimators)
        {
            AssertClose(EntropyEstimators.Entropy(expected, estimator), EntropyEstimators.Entropy(actual, estimator), tolerance, estimator.ToName());
        }

        AssertClose(EntropyEstimators.StandardError(expected), EntropyEstimators.StandardError(actual), tolerance, "standard error");
    }

    private static void AssertMatchesNaive(CountTable table, long[] counts)
    {
        Assert.Equal(counts.Sum(), table.Total);
        AssertClose(Naive.SumNLogN(counts), table.SumNLogN, 1e-13, "S1");
        AssertClose(Naive.SumNLog2N(counts), table.SumNLog2N, 1e-13, "S2");
        AssertClose(Naive.SumNG(counts), table.SumNG, 1e-13, "SG");
        AssertClose(Naive.PlugIn(counts), EntropyEstimators.PlugIn(table), 1e-13, "H");
    }

    private readonly struct SquareTerm : ICountTerm
    {
        public double Evaluate(long count) => (double)count * count;
    }

    private readonly struct OneTerm : ICountTerm
    {
        public double Evaluate(long count) => 1;
    }

    [Fact]
    public void AddMany_RandomIds_EqualsOneAddPerIdBitForBit()
    {
        // Skewed ids so that some pass the large-count limit (1 024) and the periodic re-base (2¹⁶ updates) happens.
        Gen<int> id = Gen.Frequency((6, Gen.Int[0, 3]), (3, Gen.Int[0, 300]), (1, Gen.Int[0, 100_000]));
        Gen.Select(id.Array[0, 80_000], Gen.Int[1, 300]).Sample(
            (ids, batch) =>
            {
                var one = new CountTable();
                var many = new CountTable();
                foreach (int i in ids)
                {
                    one.Add(i);
                }

                for (int start = 0; start < ids.Length; start += batch)
                {
                    many.AddMany(ids.AsSpan(start, Math.Min(batch, ids.Length - start)));
                }

                TableAssertions.AssertSameBits(one, many);
            },
            iter: 20);
    }
}
