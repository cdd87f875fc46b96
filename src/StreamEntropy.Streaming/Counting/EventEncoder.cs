using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Streaming.Counting;

/// <summary>Turns the text of each field's value into a dense value id, binning numeric fields first.</summary>
/// <remarks>Owns the interners, which are shared by every window's tables, so ids agree across windows. A known value
/// is encoded without allocating. Single writer.</remarks>
public sealed class EventEncoder
{
    /// <summary>The id marking a field that is absent or null in an event.</summary>
    public const int Missing = -1;

    /// <summary>The id marking a value that a numeric field could not parse.</summary>
    public const int Invalid = -2;

    private readonly double[] _binWidths; // NaN for categorical fields
    private readonly ValueInterner[] _values;
    private readonly PairInterner[] _pairs;

    /// <summary>Creates an encoder with empty interners for <paramref name="schema"/>.</summary>
    public EventEncoder(EventSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
        _values = new ValueInterner[schema.Fields.Count];
        _binWidths = new double[schema.Fields.Count];
        for (int i = 0; i < _values.Length; i++)
        {
            _values[i] = new ValueInterner();
            _binWidths[i] = schema.Fields[i].BinWidth ?? double.NaN;
        }

        _pairs = new PairInterner[schema.Pairs.Count];
        for (int i = 0; i < _pairs.Length; i++)
        {
            _pairs[i] = new PairInterner();
        }
    }

    /// <summary>Gets the schema.</summary>
    public EventSchema Schema { get; }

    /// <summary>Gets each field's value interner, by field index.</summary>
    public IReadOnlyList<ValueInterner> Values => _values;

    /// <summary>Gets each pair's pair interner, by pair index.</summary>
    public IReadOnlyList<PairInterner> Pairs => _pairs;

    /// <summary>Encodes one value of field <paramref name="field"/>; returns its id or <see cref="Invalid"/>.</summary>
    public int Encode(int field, ReadOnlySpan<byte> text)
    {
        double width = _binWidths[field];
        if (double.IsNaN(width))
        {
            return _values[field].GetOrAdd(text);
        }

        Span<byte> bin = stackalloc byte[NumericBinning.MaxBinTextLength];
        return NumericBinning.TryBin(text, width, bin, out int written)
            ? _values[field].GetOrAdd(bin[..written])
            : Invalid;
    }
}
