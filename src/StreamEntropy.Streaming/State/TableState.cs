using System.Buffers;
using StreamEntropy.Core.Counting;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.State;

/// <summary>Writes and reads the counts of frequency sets and weighted tables, and puts live tables into the canonical
/// form that a restored table has.</summary>
/// <remarks>
/// <para>Integer tables are written as (id, count) pairs of their non-zero entries in id order; pair tables as joint
/// counts by pair id (their marginals are rebuilt with <see cref="PairCountTable.AddPairCount(int, long)"/>); weighted tables
/// as (id, weight) pairs, marginals included, since re-summing weights would round differently. A field or pair with a
/// MaxDistinct budget is followed by its bounded counts (<see cref="BoundedCounts.Write"/>); without budgets
/// nothing is added, so the format of unbounded states is unchanged.</para>
/// <para>A table's running sums depend on the order of its updates in the last bits. To make a restored engine report
/// bit-for-bit the same numbers as the engine that was saved, saving puts every live table into the state that the
/// procedure restoring uses (<see cref="TableFormat.Load(CountTable, List{ValueTuple{int, long}})"/>) leaves: the same
/// counts, the sums re-based exactly. It gets there in place (<see cref="CountTable.Normalize"/>,
/// <see cref="PairCountTable.Normalize"/>), after copying the counts that the entries are written from, later and
/// possibly on another thread (<see cref="StateWriter"/>); integers go through a <see cref="BulkWriter"/>.</para>
/// </remarks>
internal static class TableState
{
    /// <summary>Writes <paramref name="set"/>, then puts its tables in canonical form.</summary>
    /// <remarks>Each table's counts are copied (one copy of an array) and its (id, count) list is deferred to when the
    /// payload is built (<see cref="StateWriter.Defer"/>), from that copy: it is the table's non-zero counts, so its
    /// length is known from the table's distinct count. The table is then normalized in place
    /// (<see cref="CountTable.Normalize"/>, <see cref="PairCountTable.Normalize"/>: O(large values), not O(ids)).</remarks>
    public static void Write(StateWriter writer, FrequencySet set)
    {
        EventEncoder encoder = set.Encoder;
        EventSchema schema = encoder.Schema;
        writer.Write(set.Events);
        for (int f = 0; f < schema.Fields.Count; f++)
        {
            writer.Write(set.Missing(f));
            writer.Write(set.Invalid(f));
            CountTable table = set.Field(f);
            DeferEntries(writer, table);
            table.Normalize();
            set.BoundedField(f)?.Write(writer); // only with a budget: unbounded states keep their format
        }

        for (int p = 0; p < schema.Pairs.Count; p++)
        {
            PairCountTable table = set.Pair(p);
            DeferEntries(writer, table.Joint);
            table.Normalize();
            set.BoundedPair(p)?.Write(writer);
        }
    }

    /// <summary>Reads into <paramref name="set"/>, which must be empty and share the encoder the state was written with.</summary>
    /// <exception cref="InvalidDataException">The counts are inconsistent or refer to unknown ids.</exception>
    public static void Read(BinaryReader reader, FrequencySet set, List<(int Id, long Count)> scratch)
    {
        EventEncoder encoder = set.Encoder;
        EventSchema schema = encoder.Schema;
        long events = ReadNonNegative(reader, "event count");
        var missing = new long[schema.Fields.Count];
        var invalid = new long[schema.Fields.Count];
        for (int f = 0; f < missing.Length; f++)
        {
            missing[f] = ReadNonNegative(reader, "missing count");
            invalid[f] = ReadNonNegative(reader, "invalid count");
            ReadEntries(reader, encoder.Values[f].Count, scratch);
            CountTable table = set.Field(f);
            TableFormat.Load(table, scratch);
            long counted = table.Total;
            if (set.BoundedField(f) is { } bounded)
            {
                bounded.Read(reader, scratch);
                counted += bounded.Total;
            }

            // A discovered field is counted from its discovery on, so its counts may add up to fewer events.
            long seen = counted + missing[f] + invalid[f];
            if (f < schema.ConfiguredFieldCount ? seen != events : seen > events)
            {
                throw new InvalidDataException($"The counts of field '{schema.Fields[f].Name}' do not add up to the {events} events of their window.");
            }
        }

        for (int p = 0; p < schema.Pairs.Count; p++)
        {
            ReadEntries(reader, encoder.Pairs[p].Count, scratch);
            PairCountTable table = set.Pair(p);
            TableFormat.Load(table, scratch);
            long counted = table.Total;
            if (set.BoundedPair(p) is { } bounded)
            {
                bounded.Read(reader, scratch);
                counted += bounded.Total;
            }

            if (counted > events)
            {
                throw new InvalidDataException($"Pair '{schema.Pairs[p].Key}' counts more events than its window.");
            }
        }

        set.RestoreCounters(events, missing, invalid);
    }

    /// <summary>Writes the weights and Σ δ² of <paramref name="table"/>, after re-basing it (its canonical form).</summary>
    /// <remarks>As for integer tables, the weights are copied here and their (id, weight) list deferred to the building
    /// of the payload (<see cref="StateWriter.Defer"/>).</remarks>
    public static void Write(StateWriter writer, WeightedCountTable table)
    {
        table.Rebase();
        ReadOnlySpan<double> weights = table.Weights;
        int n = weights.Length - weights.Count(0d); // Count compares with Equals, under which −0 is 0 too, as `!= 0` says
        double[] copy = ArrayPool<double>.Shared.Rent(Math.Max(weights.Length, 1));
        weights.CopyTo(copy);
        int length = weights.Length;
        writer.Defer(sizeof(int) + ((sizeof(int) + sizeof(double)) * (long)n), w =>
        {
            using (var bulk = new BulkWriter(w))
            {
                bulk.WriteInt32(n);
                for (int id = 0; id < length; id++)
                {
                    if (copy[id] != 0)
                    {
                        bulk.WriteIdAndWeight(id, copy[id]);
                    }
                }
            }

            ArrayPool<double>.Shared.Return(copy);
        });
        writer.Write(table.SumOfSquaredWeights);
    }

    /// <summary>Reads weights and Σ δ² into <paramref name="table"/>.</summary>
    public static void Read(BinaryReader reader, WeightedCountTable table, int idLimit)
    {
        int n = TableFormat.ReadCount(reader, idLimit);
        var ids = new int[n];
        var weights = new double[n];
        for (int i = 0; i < n; i++)
        {
            ids[i] = reader.ReadInt32();
            weights[i] = reader.ReadDouble();
            if ((i > 0 && ids[i] <= ids[i - 1]) || ids[i] < 0 || ids[i] >= idLimit || !(weights[i] > 0 && weights[i] <= double.MaxValue))
            {
                throw new InvalidDataException($"Weight entry {i} (id {ids[i]}, weight {weights[i]}) is out of order, refers to an unknown id or is not a positive number.");
            }
        }

        double sumOfSquares = reader.ReadDouble();
        if (!(sumOfSquares >= 0 && sumOfSquares <= double.MaxValue))
        {
            throw new InvalidDataException($"The sum of squared weights {sumOfSquares} is not a finite non-negative number.");
        }

        table.Restore(ids, weights, sumOfSquares);
    }

    /// <summary>Reads a 64-bit counter that must not be negative.</summary>
    public static long ReadNonNegative(BinaryReader reader, string what)
    {
        long value = reader.ReadInt64();
        if (value < 0)
        {
            throw new InvalidDataException($"The {what} is negative ({value}).");
        }

        return value;
    }

    // Copies the counts of `table` and defers the (id, count) entries of the non-zero ones in id order, after their
    // number (what one BinaryWriter call per integer wrote, buffered), to the building of the payload, which returns the
    // copy to its pool.
    private static void DeferEntries(StateWriter writer, CountTable table)
    {
        var counts = CountsCopy.Of(table.Counts);
        int n = table.Distinct; // the ids with a non-zero count
        writer.Defer(sizeof(int) + ((sizeof(int) + sizeof(long)) * (long)n), w =>
        {
            using (counts)
            {
                WriteEntries(w, n, counts.Span);
            }
        });
    }

    private static void WriteEntries(BinaryWriter writer, int n, ReadOnlySpan<long> counts)
    {
        using var bulk = new BulkWriter(writer);
        bulk.WriteInt32(n);
        for (int id = 0; id < counts.Length; id++)
        {
            if (counts[id] != 0)
            {
                bulk.WriteEntry(id, counts[id]);
            }
        }
    }

    private static void ReadEntries(BinaryReader reader, int idLimit, List<(int Id, long Count)> entries)
    {
        entries.Clear();
        int n = TableFormat.ReadCount(reader, idLimit);
        int previous = -1;
        for (int i = 0; i < n; i++)
        {
            int id = reader.ReadInt32();
            long count = reader.ReadInt64();
            if (id <= previous || id >= idLimit || count <= 0)
            {
                throw new InvalidDataException($"Count entry {i} (id {id}, count {count}) is out of order, refers to an unknown id or is not positive.");
            }

            entries.Add((id, count));
            previous = id;
        }
    }
}
