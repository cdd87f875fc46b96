using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Streaming.Counting;

/// <summary>Builds the value text of each tuple field (see <see cref="FieldDefinition.Components"/>) of an event from
/// its components' value texts.</summary>
/// <remarks>
/// <para>The text is a JSON array of strings, one per component in order: <c>["DE","ios"]</c>. Each component's text
/// is its value as the field counts it (a numeric component's bin, a string's unescaped content) with <c>"</c> and
/// <c>\</c> escaped as <c>\"</c> and <c>\\</c> and bytes below 0x20 as <c>\u00XX</c>; every other byte is copied. So
/// the text is unambiguous: the components can be read back from it, and distinct component values never give the same
/// text, whatever bytes they contain (a '+', a comma, a quote, a bracket). It is also valid JSON whenever the values are
/// valid UTF-8, which decoded events always are, and it is the same on every engine, so partials merge tuples by text
/// like any value.</para>
/// <para>A tuple is missing when any component is missing, else invalid when any (binned) component's value is not a
/// number. Composition reuses one buffer: allocation-free once the longest tuple text has been seen. Single writer.</para>
/// </remarks>
public sealed class TupleComposer
{
    /// <summary>The result of <see cref="Compose{TTexts}"/> when the tuple has a value.</summary>
    public const int Composed = 0;

    private readonly EventSchema _schema;
    private readonly int[] _tuples;
    private readonly double[] _binWidths; // NaN for categorical fields
    private byte[] _buffer = new byte[256];
    private int _length;

    /// <summary>Creates a composer for the tuple fields of <paramref name="schema"/>.</summary>
    public TupleComposer(EventSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        _schema = schema;
        _tuples = [.. Enumerable.Range(0, schema.Fields.Count).Where(schema.IsTuple)];
        _binWidths = [.. schema.Fields.Select(f => f.BinWidth ?? double.NaN)];
    }

    /// <summary>Gets the field indexes of the schema's tuple fields, in order.</summary>
    public ReadOnlySpan<int> Tuples => _tuples;

    /// <summary>Creates a composer when <paramref name="schema"/> has tuple fields; null when it has none.</summary>
    public static TupleComposer? For(EventSchema schema) => schema.HasTuples ? new TupleComposer(schema) : null;

    /// <summary>Composes the value text of tuple field <paramref name="tuple"/> in the current event.</summary>
    /// <param name="tuple">The tuple's field index.</param>
    /// <param name="texts">The components' value texts.</param>
    /// <param name="value">The tuple's text when composed; empty otherwise. Valid until the next call.</param>
    /// <returns><see cref="Composed"/>, <see cref="EventEncoder.Missing"/> (a component is missing) or
    /// <see cref="EventEncoder.Invalid"/> (no component is missing, and a numeric one is not a number).</returns>
    public int Compose<TTexts>(int tuple, in TTexts texts, out ReadOnlySpan<byte> value)
        where TTexts : IFieldTexts
    {
        value = default;
        ReadOnlySpan<int> components = _schema.ComponentIndexes(tuple);
        foreach (int c in components)
        {
            if (!texts.TryGetText(c, out _))
            {
                return EventEncoder.Missing;
            }
        }

        _length = 0;
        Append((byte)'[');
        Span<byte> bin = stackalloc byte[NumericBinning.MaxBinTextLength];
        for (int i = 0; i < components.Length; i++)
        {
            int c = components[i];
            if (i > 0)
            {
                Append((byte)',');
            }

            texts.TryGetText(c, out ReadOnlySpan<byte> text);
            double width = _binWidths[c];
            if (double.IsNaN(width))
            {
                AppendString(text);
            }
            else if (NumericBinning.TryBin(text, width, bin, out int written))
            {
                AppendString(bin[..written]);
            }
            else
            {
                return EventEncoder.Invalid;
            }
        }

        Append((byte)']');
        value = _buffer.AsSpan(0, _length);
        return Composed;
    }

    private void AppendString(ReadOnlySpan<byte> text)
    {
        Ensure((text.Length * 6) + 2); // at worst every byte becomes \u00XX
        Span<byte> buffer = _buffer;
        int n = _length;
        buffer[n++] = (byte)'"';
        foreach (byte b in text)
        {
            if (b == (byte)'"' || b == (byte)'\\')
            {
                buffer[n++] = (byte)'\\';
                buffer[n++] = b;
            }
            else if (b < 0x20)
            {
                buffer[n++] = (byte)'\\';
                buffer[n++] = (byte)'u';
                buffer[n++] = (byte)'0';
                buffer[n++] = (byte)'0';
                buffer[n++] = Hex(b >> 4);
                buffer[n++] = Hex(b & 0xF);
            }
            else
            {
                buffer[n++] = b;
            }
        }

        buffer[n++] = (byte)'"';
        _length = n;
    }

    private void Append(byte b)
    {
        Ensure(1);
        _buffer[_length++] = b;
    }

    private void Ensure(int more)
    {
        if (_buffer.Length - _length < more)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
        }
    }

    private static byte Hex(int digit) => (byte)(digit < 10 ? '0' + digit : 'a' + digit - 10);
}
