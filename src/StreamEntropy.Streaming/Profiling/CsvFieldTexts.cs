using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Decoding;

namespace StreamEntropy.Streaming.Profiling;

/// <summary>The value texts of the current CSV record by field index (a CSV field is never missing).</summary>
/// <param name="csv">The reader, on a record.</param>
/// <param name="columns">Each field's column; −1 for a tuple.</param>
internal readonly struct CsvFieldTexts(CsvReader csv, int[] columns) : IFieldTexts
{
    public bool TryGetText(int field, out ReadOnlySpan<byte> text)
    {
        text = csv.GetField(columns[field]);
        return true;
    }
}
