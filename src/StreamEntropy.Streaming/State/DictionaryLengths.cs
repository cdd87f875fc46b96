using StreamEntropy.Core.Counting;

namespace StreamEntropy.Streaming.State;

/// <summary>The text bytes of each field's dictionary up to the size it had at the last save, so that the next save
/// learns its dictionaries' length from the values added since (a saved state's length is known before it is built:
/// see <see cref="StateWriter"/>).</summary>
/// <remarks>An engine keeps one; a field whose dictionary is another object than last time (after a restore) is summed
/// afresh. Used on the engine's thread only.</remarks>
internal sealed class DictionaryLengths
{
    private ValueInterner?[] _values = [];
    private int[] _counted = [];
    private long[] _bytes = [];

    /// <summary>The total length of the values with ids below <paramref name="count"/> in <paramref name="values"/>,
    /// the dictionary of field <paramref name="field"/>.</summary>
    public long TextBytes(int field, ValueInterner values, int count)
    {
        if (field >= _values.Length)
        {
            int size = Math.Max(field + 1, _values.Length * 2);
            Array.Resize(ref _values, size);
            Array.Resize(ref _counted, size);
            Array.Resize(ref _bytes, size);
        }

        if (!ReferenceEquals(_values[field], values) || _counted[field] > count)
        {
            _values[field] = values;
            _counted[field] = 0;
            _bytes[field] = 0;
        }

        long bytes = _bytes[field];
        for (int id = _counted[field]; id < count; id++)
        {
            bytes += values.GetValue(id).Length;
        }

        _counted[field] = count;
        _bytes[field] = bytes;
        return bytes;
    }
}
