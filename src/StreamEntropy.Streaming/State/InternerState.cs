using StreamEntropy.Core.Counting;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.State;

/// <summary>Writes and reads an encoder's dictionaries: each field's values and each pair's (x, y) list, in id order.</summary>
/// <remarks>Reading re-interns the entries in order, so every id means after a restore what it meant before.</remarks>
internal static class InternerState
{
    public static void Write(BinaryWriter writer, EventEncoder encoder)
    {
        // The bytes of one BinaryWriter call per integer and value, buffered (BulkWriter): a dictionary of 10⁶ values
        // is 2 × 10⁶ of them.
        using var bulk = new BulkWriter(writer);
        foreach (ValueInterner values in encoder.Values)
        {
            bulk.WriteInt32(values.Count);
            for (int id = 0; id < values.Count; id++)
            {
                bulk.WriteLengthAndBytes(values.GetValue(id));
            }
        }

        foreach (PairInterner pairs in encoder.Pairs)
        {
            bulk.WriteInt32(pairs.Count);
            for (int id = 0; id < pairs.Count; id++)
            {
                (int x, int y) = pairs.GetPair(id);
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
