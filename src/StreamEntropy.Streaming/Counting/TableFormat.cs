using StreamEntropy.Core.Counting;

namespace StreamEntropy.Streaming.Counting;

/// <summary>The canonical form of count tables, which a saved table is put in and a restored one is built in, and the
/// guarded read of a list length that every saved form uses.</summary>
/// <remarks>A table's running sums depend on the order of its updates in the last bits. Restoring goes through
/// <see cref="Load(CountTable, List{ValueTuple{int, long}})"/>, which leaves the counts unchanged and the sums re-based
/// exactly; saving leaves the live table in that same state, in place (<see cref="CountTable.Normalize"/>,
/// <see cref="PairCountTable.Normalize"/>), so a restored table reports bit-for-bit the numbers of the table that was
/// saved.</remarks>
internal static class TableFormat
{
    // Never written to: Merge(Empty) adds nothing and re-bases the running sums from the fingerprint.
    private static readonly CountTable Empty = new();

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
    public static void Extract(CountSpan counts, List<(int Id, long Count)> entries)
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
}
