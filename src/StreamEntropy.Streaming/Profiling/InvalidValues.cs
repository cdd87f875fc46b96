using System.Globalization;
using System.Text;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Profiling;

/// <summary>Where a file first had an invalid value in each binned field (see <see cref="Core.Estimation.NumericBinning.TryBin"/>):
/// such a value is counted as <c>invalid</c>, as the worker counts it in an event, and this says where to look.</summary>
/// <remarks>A value comes from the file, so it is shown cut to <see cref="MaxShownChars"/> characters with control
/// characters escaped: a warning line can neither flood nor steer the terminal it is printed on.</remarks>
public sealed class InvalidValues
{
    /// <summary>The most characters of a value a warning shows.</summary>
    public const int MaxShownChars = 64;

    private readonly SortedDictionary<int, Entry> _first = [];

    /// <summary>Gets, per field index, "FILE:LINE: field 'x' has bin width W but its value 'v' is not a finite number
    /// …" for the first invalid value of that field.</summary>
    public IReadOnlyDictionary<int, string> First =>
        _first.ToDictionary(e => e.Key, e => e.Value.Describe());

    internal void Note(FieldDefinition field, int index, string path, long line, ReadOnlySpan<byte> text)
    {
        if (!_first.TryGetValue(index, out Entry? known) || line < known.Line)
        {
            _first[index] = new Entry(field, path, line, Shown(text));
        }
    }

    // Takes in the notes of a part of the file counted on its own, whose lines were numbered from 1.
    internal void AddFrom(InvalidValues part, long lineOffset)
    {
        foreach ((int index, Entry entry) in part._first)
        {
            if (!_first.TryGetValue(index, out Entry? known) || entry.Line + lineOffset < known.Line)
            {
                _first[index] = entry with { Line = entry.Line + lineOffset };
            }
        }
    }

    private static string Shown(ReadOnlySpan<byte> text)
    {
        string value = Encoding.UTF8.GetString(text[..Math.Min(text.Length, MaxShownChars * 4)]);
        var shown = new StringBuilder(Math.Min(value.Length, MaxShownChars) + 8);
        int chars = 0;
        foreach (char c in value)
        {
            if (chars++ == MaxShownChars)
            {
                shown.Append('…');
                break;
            }

            if (char.IsControl(c))
            {
                shown.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                shown.Append(c);
            }
        }

        return shown.ToString();
    }

    private sealed record Entry(FieldDefinition Field, string Path, long Line, string Value)
    {
        public string Describe() => string.Create(
            CultureInfo.InvariantCulture,
            $"{Path}:{Line}: field '{Field.Name}' has bin width {Field.BinWidth} but its value '{Value}' is not a finite number whose bin fits in 64 bits");
    }
}
