using System.Text;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Profiling;

/// <summary>Where a file first had an invalid value in each binned field (see <see cref="Core.Estimation.NumericBinning.TryBin"/>):
/// such a value is counted as <c>invalid</c>, as the worker counts it in an event, and this says where to look.</summary>
public sealed class InvalidValues
{
    private readonly SortedDictionary<int, string> _first = [];

    /// <summary>Gets, per field index, "FILE:LINE: field 'x' has bin width W but its value 'v' is not a finite number
    /// …" for the first invalid value of that field.</summary>
    public IReadOnlyDictionary<int, string> First => _first;

    internal void Note(FieldDefinition field, int index, string path, long line, ReadOnlySpan<byte> text)
    {
        if (!_first.ContainsKey(index))
        {
            _first[index] = $"{path}:{line}: field '{field.Name}' has bin width {field.BinWidth} but its value '{Encoding.UTF8.GetString(text)}' is not a finite number whose bin fits in 64 bits";
        }
    }
}
