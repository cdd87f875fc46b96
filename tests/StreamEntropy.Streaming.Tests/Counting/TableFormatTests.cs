using CsCheck;
using StreamEntropy.Core.Counting;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Tests.Counting;

/// <summary>Saving puts tables in canonical form in place (<see cref="CountTable.Normalize"/>,
/// <see cref="PairCountTable.Normalize"/>); restoring builds them entry by entry
/// (<see cref="TableFormat.Load(CountTable, List{ValueTuple{int, long}})"/>). Both must leave the same table, bit for bit,
/// or a restored engine would report other numbers than the one that was saved.</summary>
public class TableFormatTests
{
    private const int Ids = 40;

    // (kind, id, amount): 0 adds one, 1 retracts one (when counted), 2 adds a bulk amount that can pass the large-value
    // threshold, 3 retracts a bulk amount (at most the count).
    private static readonly Gen<(int Kind, int Id, int Amount)[]> Operations =
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, Ids - 1], Gen.Int[1, 3 * CountTable.LargeCount]).Array[1, 300];

    private static void Apply(CountTable table, (int Kind, int Id, int Amount)[] operations) =>
        Apply(operations, id => (table[id], () => table.Add(id), () => table.Remove(id), amount => table.Add(id, amount)));

    private static void Apply(PairCountTable table, (int Kind, int Id, int Amount)[] operations) =>
        Apply(operations, id =>
        {
            // Pairs interned in an order unrelated to their values, so values become large in no particular id order.
            (int x, int y) = (id * 7 % 11, id % 5);
            int pairId = table.Pairs.GetOrAdd(x, y);
            return (table.Joint[pairId], () => table.Add(x, y), () => table.Remove(x, y), amount => table.AddPairCount(pairId, amount));
        });

    // Runs the operations against one kind of table: `of` gives an id's count and how to add one, retract one, and add
    // an amount.
    private static void Apply((int Kind, int Id, int Amount)[] operations, Func<int, (long Count, Action Add, Action Remove, Action<long> AddMany)> of)
    {
        foreach ((int kind, int id, int amount) in operations)
        {
            (long count, Action add, Action remove, Action<long> addMany) = of(id);
            switch (kind)
            {
                case 0:
                    add();
                    break;
                case 1 when count > 0:
                    remove();
                    break;
                case 2:
                    addMany(amount);
                    break;
                case 3 when count > 0:
                    addMany(-Math.Min(count, amount));
                    break;
                default:
                    break;
            }
        }
    }

    private static void AssertSame(CountTable expected, CountTable actual)
    {
        TableAssertions.AssertSameSums(expected, actual);
        int length = Math.Max(expected.Counts.Length, actual.Counts.Length);
        for (int id = 0; id < length; id++)
        {
            Assert.Equal(expected[id], actual[id]);
        }
    }

    [Fact]
    public void Normalize_LeavesTheTableLoadBuilds()
    {
        Gen.Select(Operations, Operations).Sample((before, after) =>
        {
            var loaded = new CountTable();
            var bulk = new CountTable();
            Apply(loaded, before);
            Apply(bulk, before);

            var entries = new List<(int Id, long Count)>();
            TableFormat.Extract(loaded.Counts, entries);
            TableFormat.Load(loaded, entries);
            bulk.Normalize();
            AssertSame(loaded, bulk);

            // And they go on identically (the large values' order shows in later sums).
            Apply(loaded, after);
            Apply(bulk, after);
            AssertSame(loaded, bulk);
        }, iter: 300);
    }

    [Fact]
    public void Normalize_PairTable_LeavesTheTableLoadBuilds()
    {
        Gen.Select(Operations, Operations).Sample((before, after) =>
        {
            var loaded = new PairCountTable(new PairInterner());
            var bulk = new PairCountTable(new PairInterner());
            Apply(loaded, before);
            Apply(bulk, before);
            _ = loaded.X; // marginals current in one and stale in the other: the canonical form is the same
            CanonicalizeBoth(loaded, bulk);

            Apply(loaded, after);
            Apply(bulk, after);
            AssertSame(loaded, bulk);
        }, iter: 300);
    }

    [Fact]
    public void Normalize_ManyMarginalsLargeOutOfIdOrder_LeavesTheTablesLoadBuilds()
    {
        // 60 x values, all large, becoming large in descending id order (pair ids follow first sight). The order of
        // their compensated sum rarely changes a bit, so this checks the construction more than it can catch a wrong
        // order; the marginals are derived in Load's order anyway, so that equality does not rest on rounding luck.
        var loaded = new PairCountTable(new PairInterner());
        var bulk = new PairCountTable(new PairInterner());
        foreach (PairCountTable table in (PairCountTable[])[loaded, bulk])
        {
            for (int i = 0; i < 60; i++)
            {
                int x = (60 - i) % 60;
                table.AddPairCount(table.Pairs.GetOrAdd(x, i % 3), CountTable.LargeCount + (i * 7919 % 1000));
            }
        }

        CanonicalizeBoth(loaded, bulk);
    }

    [Fact]
    public void Normalize_PairTableChangedBeforeItsMarginalsAreRead_GoesOnAsTheTableLoadBuilds()
    {
        // Normalize owes stale marginals (derives them at the next read); a change before that read must leave them
        // derived as in a table that was loaded and then changed, not re-based as the normalized form.
        Gen.Select(Operations, Operations, Gen.Bool).Sample((before, after, readBetween) =>
        {
            var loaded = new PairCountTable(new PairInterner());
            var normalized = new PairCountTable(new PairInterner());
            Apply(loaded, before);
            Apply(normalized, before);
            var entries = new List<(int Id, long Count)>();
            TableFormat.Extract(loaded.Joint.Counts, entries);
            TableFormat.Load(loaded, entries);
            normalized.Normalize();
            normalized.Normalize(); // twice changes nothing
            if (readBetween)
            {
                AssertSame(loaded, normalized);
            }

            Apply(loaded, after);
            Apply(normalized, after);
            AssertSame(loaded, normalized);
        }, iter: 300);
    }

    [Fact]
    public void Normalize_PairTableChangedBeforeItsMarginalsAreRead_DerivesThemWithoutTheReBase()
    {
        // Marginals of thousands of values with varied counts, whose running sums, derived entry by entry, differ in
        // the last bits from the re-based ones (checked first): so the comparison below sees which of the two it got.
        static PairCountTable Build()
        {
            var table = new PairCountTable(new PairInterner());
            for (int i = 0; i < 5_000; i++)
            {
                table.AddPairCount(table.Pairs.GetOrAdd(i, i % 7), 1 + (i * 7919 % 900));
            }

            return table;
        }

        PairCountTable probe = Build();
        long derived = BitConverter.DoubleToInt64Bits(probe.X.SumNLogN);
        probe.X.Merge(new CountTable());
        Assert.NotEqual(derived, BitConverter.DoubleToInt64Bits(probe.X.SumNLogN));

        // Read right after: derived and re-based, as loaded.
        CanonicalizeBoth(Build(), Build());

        // Changed first: derived only, as a loaded table changed before its marginals are read.
        PairCountTable loaded = Build();
        PairCountTable normalized = Build();
        var entries = new List<(int Id, long Count)>();
        TableFormat.Extract(loaded.Joint.Counts, entries);
        TableFormat.Load(loaded, entries);
        normalized.Normalize();
        foreach (PairCountTable table in (PairCountTable[])[loaded, normalized])
        {
            table.Add(3, 3);
        }

        AssertSame(loaded, normalized);
    }

    // Puts `loaded` in canonical form entry by entry (as a restore does) and `bulk` in place (as a save does), and
    // checks that both are the same tables.
    private static void CanonicalizeBoth(PairCountTable loaded, PairCountTable bulk)
    {
        var entries = new List<(int Id, long Count)>();
        TableFormat.Extract(loaded.Joint.Counts, entries);
        TableFormat.Load(loaded, entries);
        bulk.Normalize();
        AssertSame(loaded, bulk);
    }

    private static void AssertSame(PairCountTable expected, PairCountTable actual)
    {
        AssertSame(expected.Joint, actual.Joint);
        AssertSame(expected.X, actual.X);
        AssertSame(expected.Y, actual.Y);
    }
}
