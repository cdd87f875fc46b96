using System.Globalization;
using System.Text;

namespace StreamEntropy.Worker.Commands;

/// <summary>One <c>--inject 'field=value:from%->to%@row'</c> of <c>stream-entropy replay</c>: from row
/// <see cref="Row"/> on (0-based, data rows only), the share of <see cref="Value"/> in <see cref="Field"/> goes from
/// <see cref="From"/> to <see cref="To"/> (percent).</summary>
/// <remarks>
/// <para>Deterministic thinning or filling, decided per row by a hash of (seed, injection, row): when the share rises,
/// each row from <see cref="Row"/> on whose value is another one is set to <see cref="Value"/> with probability
/// (to − from) / (100 − from); when it falls, each row holding <see cref="Value"/> gets, with probability
/// (from − to) / from, the field's most recent other value (from an earlier row; while there is none the row is kept).
/// If the field's share before the injection is really <see cref="From"/>, the expected share after it is
/// <see cref="To"/>; the shares measured in the file, before and after, are reported. Rows without the field are left
/// as they are.</para>
/// <para>Not thread-safe: one replay reads one file on one thread.</para>
/// </remarks>
internal sealed class ReplayInjection
{
    private readonly byte[] _value;
    private readonly double _probability;
    private readonly ulong _stream;
    private byte[] _other = new byte[64];
    private int _otherLength = -1; // −1: no other value seen yet
    private (long Present, long Matching) _before;
    private (long Present, long Matching) _after;

    private ReplayInjection(string field, string value, double from, double to, long row, int seed, int index)
    {
        Field = field;
        Value = value;
        From = from;
        To = to;
        Row = row;
        _value = Encoding.UTF8.GetBytes(value);
        _probability = to >= from ? (from >= 100 ? 0 : (to - from) / (100 - from)) : (from - to) / from;
        _stream = Mix(((ulong)(uint)seed << 32) ^ (uint)index);
    }

    /// <summary>Gets the field's name (as configured, or a path that discovery finds).</summary>
    public string Field { get; }

    /// <summary>Gets the value whose share changes, as text (a JSON string or number's text, a CSV field).</summary>
    public string Value { get; }

    /// <summary>Gets the share (percent) the value is said to have before the injection.</summary>
    public double From { get; }

    /// <summary>Gets the share (percent) the value has from the injection on (expected).</summary>
    public double To { get; }

    /// <summary>Gets the first row (0-based, data rows only) that is rewritten.</summary>
    public long Row { get; }

    /// <summary>Gets how many rows before <see cref="Row"/> had the field, and how many of them held the value.</summary>
    public (long Present, long Matching) Before => (_before.Present, _before.Matching);

    /// <summary>Gets how many rows from <see cref="Row"/> on had the field, and how many held the value after rewriting.</summary>
    public (long Present, long Matching) After => (_after.Present, _after.Matching);

    /// <summary>Parses <c>field=value:from%->to%@row</c>: the last <c>@</c> starts the row, the last <c>:</c> before it
    /// the shares, the first <c>=</c> ends the field's name (so a value may hold <c>=</c> and <c>:</c>).</summary>
    /// <exception cref="UsageException">The text is not of that form, or a share is not in [0, 100].</exception>
    public static ReplayInjection Parse(string spec, int seed, int index)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string problem = $"--inject: '{spec}' is not field=value:from%->to%@row (for example 'country=DE:10%->30%@50000').";
        int at = spec.LastIndexOf('@');
        int colon = at > 0 ? spec.LastIndexOf(':', at - 1) : -1;
        int eq = colon > 0 ? spec.IndexOf('=', StringComparison.Ordinal) : -1;
        if (at < 0 || colon < 0 || eq <= 0 || eq > colon)
        {
            throw new UsageException(problem);
        }

        if (!long.TryParse(spec.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long row))
        {
            throw new UsageException($"--inject: '{spec}': the row after '@' must be a whole number ≥ 0 (0 is the first data row).");
        }

        string[] shares = spec[(colon + 1)..at].Split("->");
        if (shares.Length != 2 || ParsePercent(shares[0]) is not double from || ParsePercent(shares[1]) is not double to)
        {
            throw new UsageException($"--inject: '{spec}': the shares must be from%->to%, each a percentage from 0 to 100 (for example 10%->30%).");
        }

        return new ReplayInjection(spec[..eq], spec[(eq + 1)..colon], from, to, row, seed, index);
    }

    /// <summary>Decides row <paramref name="row"/>: the text the field gets, or null to keep its own.</summary>
    /// <param name="row">The row's 0-based index.</param>
    /// <param name="present">Whether the row has the field (a CSV field always has).</param>
    /// <param name="text">The field's text in the row, as read (before this injection).</param>
    public byte[]? Decide(long row, bool present, ReadOnlySpan<byte> text)
    {
        if (!present)
        {
            return null;
        }

        bool matching = text.SequenceEqual(_value);
        if (row < Row)
        {
            _before.Present++;
            _before.Matching += matching ? 1 : 0;
            RememberOther(matching, text);
            return null;
        }

        byte[]? result = null;
        bool chosen = _probability > 0 && Uniform(row) < _probability;
        if (To >= From && !matching && chosen)
        {
            result = _value;
            matching = true;
        }
        else if (To < From && matching && chosen && _otherLength >= 0)
        {
            result = _other.AsSpan(0, _otherLength).ToArray();
            matching = false;
        }

        RememberOther(matching || result is not null, text);
        _after.Present++;
        _after.Matching += matching ? 1 : 0;
        return result;
    }

    private static double? ParsePercent(string text)
    {
        string t = text.Trim();
        if (!t.EndsWith('%') || !double.TryParse(t.AsSpan(0, t.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double p) || !(p >= 0 && p <= 100))
        {
            return null;
        }

        return p;
    }

    // The last value seen that is not the injected one: what a thinned row gets, so the other values keep their mix.
    private void RememberOther(bool skip, ReadOnlySpan<byte> text)
    {
        if (skip || To >= From)
        {
            return;
        }

        if (_other.Length < text.Length)
        {
            _other = new byte[Math.Max(text.Length, _other.Length * 2)];
        }

        text.CopyTo(_other);
        _otherLength = text.Length;
    }

    // A uniform number in [0, 1) from (seed, injection, row) alone: the same rows are chosen whatever else the file holds.
    private double Uniform(long row) => (Mix(_stream ^ (ulong)row) >> 11) * (1.0 / (1UL << 53));

    // SplitMix64's finaliser.
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
