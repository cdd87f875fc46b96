using System.Text.Json;

namespace StreamEntropy.Streaming.Decoding;

/// <summary>Lists every leaf of one JSON event: its dotted path and its value's text, for fields found as events
/// arrive (discovered fields).</summary>
/// <remarks>
/// <para>A leaf is a member whose value is not an object: a string (its unescaped UTF-8 content), a number or
/// <c>true</c>/<c>false</c> (as written), an array (its raw JSON, one leaf), or <c>null</c> (a leaf without a value: the
/// field is missing in this event). Objects are walked into; an empty object has no leaves. These are the texts
/// <see cref="JsonEventDecoder"/> gives for the same paths, and the leaves <c>profile</c> lists for a file.</para>
/// <para>A key that a dotted path cannot name (empty, or containing a dot) is passed over with everything below it.
/// Paths longer than <see cref="MaxPathBytes"/> are passed over too (they are counted in <see cref="LongPaths"/>).
/// A repeated key gives its leaf again: the caller keeps the last, as the decoder does.</para>
/// <para>Run it on events the decoder accepted: it assumes well-formed JSON and stops (returning false) at the first
/// thing it cannot read. Buffers are reused, so after warm-up a scan allocates nothing. Not thread-safe.</para>
/// </remarks>
public sealed class JsonLeafScanner
{
    private readonly int _maxDepth;
    private byte[] _path = new byte[256];
    private byte[] _text = new byte[1024];
    private int _textUsed;
    private Leaf[] _leaves = new Leaf[32];

    /// <summary>Creates a scanner.</summary>
    /// <param name="maxPathBytes">The longest path reported, in UTF-8 bytes.</param>
    /// <param name="maxDepth">The deepest nesting read (the top-level object is depth 1).</param>
    public JsonLeafScanner(int maxPathBytes, int maxDepth = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPathBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDepth);
        MaxPathBytes = maxPathBytes;
        _maxDepth = maxDepth;
    }

    /// <summary>Gets the longest path reported, in UTF-8 bytes.</summary>
    public int MaxPathBytes { get; }

    /// <summary>Gets the number of leaves of the last scanned event.</summary>
    public int Count { get; private set; }

    /// <summary>Gets how many leaves of the last scanned event had a path longer than <see cref="MaxPathBytes"/>.</summary>
    public int LongPaths { get; private set; }

    /// <summary>Gets leaf <paramref name="index"/>'s dotted path, UTF-8.</summary>
    public ReadOnlySpan<byte> Path(int index) => _text.AsSpan(_leaves[index].PathStart, _leaves[index].PathLength);

    /// <summary>Gets leaf <paramref name="index"/>'s value text; false for <c>null</c>.</summary>
    public bool TryGetValue(int index, out ReadOnlySpan<byte> text)
    {
        Leaf leaf = _leaves[index];
        text = leaf.ValueLength < 0 ? default : _text.AsSpan(leaf.ValueStart, leaf.ValueLength);
        return leaf.ValueLength >= 0;
    }

    /// <summary>Forgets the last event's leaves.</summary>
    public void Clear()
    {
        Count = 0;
        LongPaths = 0;
        _textUsed = 0;
    }

    /// <summary>Lists the leaves of <paramref name="utf8Json"/>, a JSON object.</summary>
    /// <returns>False when the event is not an object or cannot be read (nothing is listed then).</returns>
    public bool Scan(ReadOnlySpan<byte> utf8Json)
    {
        Clear();
        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = _maxDepth + 1 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            ScanObject(ref reader, 0, 1, utf8Json);
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string (key or value) whose \u escapes form a lone surrogate is valid JSON
            // syntax but has no UTF-8 text; the decoder rejects it only where a configured path reads it.
            Count = 0;
            return false;
        }
    }

    // The reader is on the start of an object at nesting level `depth` (1 at the top); the object's path prefix is
    // _path[..prefixLength] (empty at the top). Under a key no dotted path can name (prefixLength −1) or a path already
    // too long (−2), every leaf inherits that mark.
    private void ScanObject(ref Utf8JsonReader reader, int prefixLength, int depth, ReadOnlySpan<byte> json)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            // On a property name.
            int pathLength = prefixLength < 0 ? prefixLength : AppendKey(ref reader, prefixLength);
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    if (depth + 1 > _maxDepth)
                    {
                        reader.Skip();
                    }
                    else
                    {
                        ScanObject(ref reader, pathLength, depth + 1, json);
                    }

                    break;
                case JsonTokenType.StartArray:
                    int start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    AddLeaf(pathLength, json[start..(int)reader.BytesConsumed], unescape: false, ref reader);
                    break;
                case JsonTokenType.String:
                    AddLeaf(pathLength, default, unescape: true, ref reader);
                    break;
                case JsonTokenType.Null:
                    AddLeaf(pathLength, default, unescape: false, ref reader, isNull: true);
                    break;
                default: // a number, true or false: as written
                    AddLeaf(pathLength, reader.ValueSpan, unescape: false, ref reader);
                    break;
            }
        }
    }

    // Appends ".key" (or "key" at the top) to the prefix; returns the new path length, −1 for a key no dotted path can
    // name and −2 for a path too long. The path buffer holds one path at a time: each key rewrites from its prefix.
    private int AppendKey(ref Utf8JsonReader reader, int prefixLength)
    {
        int separator = prefixLength > 0 ? 1 : 0;
        EnsureRoom(ref _path, prefixLength + separator + reader.ValueSpan.Length); // unescaping never lengthens
        if (separator == 1)
        {
            _path[prefixLength] = (byte)'.';
        }

        int written = reader.CopyString(_path.AsSpan(prefixLength + separator));
        ReadOnlySpan<byte> key = _path.AsSpan(prefixLength + separator, written);
        if (written == 0 || key.Contains((byte)'.'))
        {
            return -1;
        }

        int length = prefixLength + separator + written;
        return length > MaxPathBytes ? -2 : length;
    }

    private void AddLeaf(int pathLength, ReadOnlySpan<byte> raw, bool unescape, ref Utf8JsonReader reader, bool isNull = false)
    {
        if (pathLength == -2)
        {
            LongPaths++;
            return;
        }

        if (pathLength < 0)
        {
            return;
        }

        int valueMax = unescape ? reader.ValueSpan.Length : raw.Length;
        EnsureRoom(ref _text, _textUsed + pathLength + valueMax);
        int pathStart = _textUsed;
        _path.AsSpan(0, pathLength).CopyTo(_text.AsSpan(pathStart));
        _textUsed += pathLength;
        int valueStart = _textUsed;
        int valueLength;
        if (isNull)
        {
            valueLength = -1;
        }
        else if (unescape)
        {
            valueLength = reader.CopyString(_text.AsSpan(valueStart));
        }
        else
        {
            raw.CopyTo(_text.AsSpan(valueStart));
            valueLength = raw.Length;
        }

        _textUsed += Math.Max(valueLength, 0);
        if (Count == _leaves.Length)
        {
            Array.Resize(ref _leaves, _leaves.Length * 2);
        }

        _leaves[Count++] = new Leaf(pathStart, pathLength, valueStart, valueLength);
    }

    private static void EnsureRoom(ref byte[] buffer, int needed)
    {
        if (needed > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(needed, buffer.Length * 2));
        }
    }

    private readonly record struct Leaf(int PathStart, int PathLength, int ValueStart, int ValueLength);
}
