using StreamEntropy.Core.Counting;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.State;

/// <summary>Writes and reads an encoder's dictionaries: each field's values and each pair's (x, y) list, in id order.</summary>
/// <remarks>Reading re-interns the entries in order, so every id means after a restore what it meant before.</remarks>
internal static class InternerState
{
    /// <summary>Defers the dictionaries of <paramref name="encoder"/> as they are now, with their exact length, to when
    /// the payload is built (see <see cref="StateWriter"/>), which may be on another thread while the encoder goes on
    /// interning.</summary>
    /// <remarks>
    /// <para>Only the dictionaries' sizes are read here (and the text of the values added since the last save, for the
    /// length: <see cref="DictionaryLengths"/>); the values and pairs themselves are read when the payload is built, by
    /// id below those sizes. That is safe beside the engine's thread because both dictionaries only grow and never
    /// change what they hold: <see cref="ValueInterner"/> appends a new value's bytes to its arena and its end to its
    /// offsets, and <see cref="PairInterner"/> a new pair's key to its list; when one of these arrays is full it is
    /// copied into a larger one and the old one is never written again. So the bytes and offsets of an id below the
    /// size read here were written before this call (which the hand-over to the other thread orders before the build),
    /// are never overwritten, and are the same in the old array and in every larger copy, whichever of them the
    /// building thread sees. Lookups (the hash slots, which do move) are not used. <c>TakenStateConcurrencyTests</c>
    /// holds this, with the engine counting new values while a state is built.</para>
    /// </remarks>
    public static void Write(StateWriter writer, EventEncoder encoder, DictionaryLengths lengths)
    {
        ValueInterner[] values = [.. encoder.Values];
        PairInterner[] pairs = [.. encoder.Pairs];
        int[] valueCounts = new int[values.Length];
        int[] pairCounts = new int[pairs.Length];
        long length = 0;
        for (int f = 0; f < values.Length; f++)
        {
            valueCounts[f] = values[f].Count;
            length += sizeof(int) + (sizeof(int) * (long)valueCounts[f]) + lengths.TextBytes(f, values[f], valueCounts[f]);
        }

        for (int p = 0; p < pairs.Length; p++)
        {
            pairCounts[p] = pairs[p].Count;
            length += sizeof(int) + (2L * sizeof(int) * pairCounts[p]);
        }

        writer.Defer(length, w => Write(w, values, valueCounts, pairs, pairCounts));
    }

    // The bytes of one BinaryWriter call per integer and value, buffered (BulkWriter): a dictionary of 10⁶ values is
    // 2 × 10⁶ of them. Reads only ids below the counts given (see the remarks above).
    private static void Write(BinaryWriter writer, ValueInterner[] values, int[] valueCounts, PairInterner[] pairs, int[] pairCounts)
    {
        using var bulk = new BulkWriter(writer);
        for (int f = 0; f < values.Length; f++)
        {
            ValueInterner field = values[f];
            int count = valueCounts[f];
            bulk.WriteInt32(count);
            for (int id = 0; id < count; id++)
            {
                bulk.WriteLengthAndBytes(field.GetValue(id));
            }
        }

        for (int p = 0; p < pairs.Length; p++)
        {
            PairInterner pair = pairs[p];
            int count = pairCounts[p];
            bulk.WriteInt32(count);
            for (int id = 0; id < count; id++)
            {
                (int x, int y) = pair.GetPair(id);
                bulk.WriteInt32Pair(x, y);
            }
        }
    }

    /// <summary>Reads into the empty dictionaries of <paramref name="encoder"/>.</summary>
    public static void Read(BinaryReader reader, EventEncoder encoder)
    {
        EventSchema schema = encoder.Schema;
        long remaining = reader.BaseStream.Length - reader.BaseStream.Position;
        for (int f = 0; f < schema.Fields.Count; f++)
        {
            ValueInterner values = encoder.Values[f];
            int count = TableFormat.ReadCount(reader, (int)Math.Min(int.MaxValue, remaining / sizeof(int)));
            for (int id = 0; id < count; id++)
            {
                int length = TableFormat.ReadCount(reader, (int)Math.Min(int.MaxValue, reader.BaseStream.Length - reader.BaseStream.Position));
                byte[] value = reader.ReadBytes(length);
                if (value.Length != length)
                {
                    throw new EndOfStreamException();
                }

                if (values.GetOrAdd(value) != id)
                {
                    throw new InvalidDataException($"Field '{schema.Fields[f].Name}': value {id} repeats an earlier value.");
                }
            }
        }

        for (int p = 0; p < schema.Pairs.Count; p++)
        {
            (int xf, int yf) = schema.PairIndexes(p);
            int xLimit = encoder.Values[xf].Count;
            int yLimit = encoder.Values[yf].Count;
            PairInterner pairs = encoder.Pairs[p];
            int count = TableFormat.ReadCount(reader, (int)Math.Min((long)xLimit * yLimit, int.MaxValue));
            for (int id = 0; id < count; id++)
            {
                int x = reader.ReadInt32();
                int y = reader.ReadInt32();
                if ((uint)x >= (uint)xLimit || (uint)y >= (uint)yLimit || pairs.GetOrAdd(x, y) != id)
                {
                    throw new InvalidDataException($"Pair '{schema.Pairs[p].Key}': entry {id} ({x}, {y}) refers to unknown values or repeats a pair.");
                }
            }
        }
    }
}
