using StreamEntropy.Streaming.Decoding;

namespace StreamEntropy.Streaming.Counting;

/// <summary>The value texts of a decoded JSON event by field index, for a decoder that reads only the fields that are
/// not tuples (see <see cref="DecodedPaths"/>).</summary>
/// <param name="decoder">The decoder, after a successful decode.</param>
/// <param name="slots">The decoder's index of each field (see <see cref="DecodedPaths"/>).</param>
public readonly struct DecodedFieldTexts(JsonEventDecoder decoder, int[] slots) : IFieldTexts
{
    /// <summary>The paths a decoder of <paramref name="schema"/>'s events reads: those of the fields that are not tuples,
    /// in field order; <paramref name="slots"/> gets each field's index among them, −1 for a tuple. Without tuples the
    /// slots are the field indexes.</summary>
    public static string[] DecodedPaths(EventSchema schema, out int[] slots)
    {
        ArgumentNullException.ThrowIfNull(schema);
        slots = new int[schema.Fields.Count];
        var paths = new List<string>(slots.Length);
        for (int f = 0; f < slots.Length; f++)
        {
            if (schema.IsTuple(f))
            {
                slots[f] = -1;
            }
            else
            {
                slots[f] = paths.Count;
                paths.Add(schema.Fields[f].Path);
            }
        }

        return [.. paths];
    }

    /// <inheritdoc/>
    public bool TryGetText(int field, out ReadOnlySpan<byte> text) => decoder.TryGetValue(slots[field], out text);
}
