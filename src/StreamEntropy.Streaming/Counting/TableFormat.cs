using System.Buffers;
using StreamEntropy.Core.Counting;

namespace StreamEntropy.Streaming.Counting;

/// <summary>The canonical form of count tables, which a saved table is put in and a restored one is built in, and the
/// guarded read of a list length that every saved form uses.</summary>
/// <remarks>A table's running sums depend on the order of its updates in the last bits. Restoring goes through
/// <see cref="Load(CountTable, List{ValueTuple{int, long}})"/>, which leaves the counts unchanged and the sums re-based
/// exactly; saving leaves the live table in that same state, in bulk (<see cref="Canonicalize(CountTable, ReadOnlySpan{long})"/>),
/// so a restored table reports bit-for-bit the numbers of the table that was saved.</remarks>
internal static class TableFormat
{
    // Never written to: Merge(Empty) adds nothing and re-bases the running sums from the fingerprint.
    private static readonly CountTable Empty = new();

    /// <summary>Rebuilds <paramref name="table"/> in the canonical form <see cref="Load(CountTable, List{ValueTuple{int, long}})"/>
    /// gives it from the non-zero entries of <paramref name="counts"/>, in bulk (what saving does).</summary>
    /// <param name="table">The table.</param>
    /// <param name="counts">A copy of the table's counts, indexed by id.</param>
    /// <remarks>Load clears the table, adds the entries one at a time in id order and re-bases the sums; AddCounts enters
    /// the same values in the same id order and re-bases: the same counts, fingerprint, set of large values (in the
    /// same order, which their sums follow) and sums, without Load's per-entry bookkeeping. Tests hold the two equal.</remarks>
    public static void Canonicalize(CountTable table, ReadOnlySpan<long> counts)
    {
        table.Clear();
        table.AddCounts(counts);
    }

    /// <summary>The same for a pair table: the form <see cref="Load(PairCountTable, List{ValueTuple{int, long}})"/>
    /// gives it from the joint counts <paramref name="joint"/>, in bulk.</summary>
    /// <param name="table">The table.</param>
    /// <param name="joint">A copy of its joint counts, indexed by pair id.</param>
    /// <param name="xIds">How many x values exist (an upper bound on the x ids of the pairs).</param>
    /// <param name="yIds">How many y values exist.</param>
    /// <remarks>Load leaves marginals that the table derives from the joint counts by adding each pair's count to its
    /// x and to its y in pair-id order, then re-bases. Their counts and sums depend only on the totals; what depends on
    /// that order is the order in which values became large (count ≥ <see cref="CountTable.LargeCount"/>), which
    /// their sums follow. So the totals and that order are worked out in one pass over the pairs, and each marginal
    /// is entered in bulk with its large values first, in that order.</remarks>
    public static void Canonicalize(PairCountTable table, ReadOnlySpan<long> joint, int xIds, int yIds)
    {
        table.Clear(); // the marginals are then current (empty), so X and Y below are not derived again
        table.Joint.AddCounts(joint);
        long[] xSums = ArrayPool<long>.Shared.Rent(xIds);
        long[] ySums = ArrayPool<long>.Shared.Rent(yIds);
        int[] xOrder = ArrayPool<int>.Shared.Rent(xIds);
        int[] yOrder = ArrayPool<int>.Shared.Rent(yIds);
        try
        {
            Array.Clear(xSums, 0, xIds);
            Array.Clear(ySums, 0, yIds);
            int xLarge = 0;
            int yLarge = 0;
            for (int pairId = 0; pairId < joint.Length; pairId++)
            {
                long c = joint[pairId];
                if (c != 0)
                {
                    (int x, int y) = table.Pairs.GetPair(pairId);
                    xLarge += Accumulate(xSums, xOrder, xLarge, x, c);
                    yLarge += Accumulate(ySums, yOrder, yLarge, y, c);
                }
            }

            EnterMarginal(table.X, xSums.AsSpan(0, xIds), xOrder, xLarge);
            EnterMarginal(table.Y, ySums.AsSpan(0, yIds), yOrder, yLarge);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(xSums);
            ArrayPool<long>.Shared.Return(ySums);
            ArrayPool<int>.Shared.Return(xOrder);
            ArrayPool<int>.Shared.Return(yOrder);
        }
    }

    /// <summary>Reads a count of items that cannot exceed <paramref name="limit"/>.</summary>
    public static int ReadCount(BinaryReader reader, int limit)
    {
        int n = reader.ReadInt32();
        if (n < 0 || n > limit)
        {
            throw new InvalidDataException($"A list claims {n} entries where at most {limit} can exist.");
        }

        return n;
    }

    /// <summary>Copies the non-zero counts of a table as (id, count) entries in id order.</summary>
    public static void Extract(ReadOnlySpan<long> counts, List<(int Id, long Count)> entries)
    {
        entries.Clear();
        for (int id = 0; id < counts.Length; id++)
        {
            if (counts[id] != 0)
            {
                entries.Add((id, counts[id]));
            }
        }
    }

    /// <summary>The one procedure that gives a table its canonical form, used both when saving and when restoring.</summary>
    public static void Load(CountTable table, List<(int Id, long Count)> entries)
    {
        table.Clear();
        foreach ((int id, long count) in entries)
        {
            table.Add(id, count);
        }

        table.Merge(Empty);
    }

    /// <summary>The same for a pair table: joint counts by pair id, marginals rebuilt from them.</summary>
    public static void Load(PairCountTable table, List<(int Id, long Count)> entries)
    {
        table.Clear();
        foreach ((int id, long count) in entries)
        {
            table.AddPairCount(id, count);
        }

        table.Joint.Merge(Empty);
        table.X.Merge(Empty);
        table.Y.Merge(Empty);
    }

    // Adds c to the total of value v; returns 1 (and notes v at order[large]) when that makes v large.
    private static int Accumulate(long[] sums, int[] order, int large, int v, long c)
    {
        long before = sums[v];
        sums[v] = before + c;
        if (before < CountTable.LargeCount && before + c >= CountTable.LargeCount)
        {
            order[large] = v;
            return 1;
        }

        return 0;
    }

    // Enters a marginal's totals into the empty table: the large values first, in the order they became large, then
    // the others in id order (their order does not matter: small counts are summed from the fingerprint).
    private static void EnterMarginal(CountTable marginal, Span<long> sums, int[] order, int large)
    {
        int n = large;
        for (int v = 0; v < sums.Length; v++)
        {
            if (sums[v] != 0 && sums[v] < CountTable.LargeCount)
            {
                order[n++] = v;
            }
        }

        // The totals in entry order, reusing the front of `sums` would overwrite totals still to be read: a new array.
        long[] counts = ArrayPool<long>.Shared.Rent(Math.Max(n, 1));
        try
        {
            for (int i = 0; i < n; i++)
            {
                counts[i] = sums[order[i]];
            }

            marginal.AddCounts(counts.AsSpan(0, n), order.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<long>.Shared.Return(counts);
        }
    }
}
