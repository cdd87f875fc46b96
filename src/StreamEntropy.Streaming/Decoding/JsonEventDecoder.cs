using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace StreamEntropy.Streaming.Decoding;

/// <summary>
/// Extracts the values of configured dotted paths (<c>user.country</c>, <c>amount</c>) from one JSON
/// event given as UTF-8 bytes, without allocating per event.
/// </summary>
/// <remarks>
/// <para>
/// A value's text is a JSON string's unescaped UTF-8 content; a number or <c>true</c>/<c>false</c>
/// exactly as written (<c>1.50</c> stays <c>1.50</c>); an object or array as its raw JSON bytes.
/// <c>null</c>, an absent key and a path through a non-object are all "missing".
/// Keys are compared after unescaping; when a key repeats, its last occurrence wins. A path segment
/// cannot contain a dot, so keys with dots in them cannot be addressed.
/// </para>
/// <para>
/// The paths form a trie of segments: the decoder walks only into objects that some path goes into
/// and skips every other subtree. A byte-level path scanner (<c>JsonEventDecoder.PathScanner.cs</c>)
/// decodes well-formed events; it validates what it skips without tokenising it, and hands any event it
/// is not sure of (malformed, too deep, an escape it cannot unescape) to the <see cref="Utf8JsonReader"/>
/// walk below, which decides the result and the error. Values are copied into one growable buffer owned by the decoder,
/// so after warm-up a decode allocates nothing; only a rejected event allocates (its
/// <see cref="LastErrorDetail"/>). An instance is not thread-safe: use one per consuming thread.
/// </para>
/// </remarks>
public sealed partial class JsonEventDecoder
{
    private const int RootNode = 0;
    private const int Missing = -1;

    private readonly int _maxDepth;
    private readonly int _maxEventBytes;
    private readonly JsonReaderOptions _readerOptions;
    private readonly bool _useScanner;
    private readonly int _scannerMaxDepth;

    // The trie, flattened in depth-first pre-order so that the subtree of node n is the node range
    // [n, _subtreeEnd[n]). Node 0 is the root (the event object itself) and has no segment.
    private readonly byte[][] _segments;
    private readonly int[] _childStart;
    private readonly int[] _childCount;
    private readonly int[] _children;
    private readonly ulong[] _childHeads;  // per entry of _children: its segment's first 8 bytes (see KeyHead)
    private readonly int[] _childLengths;  // per entry of _children: its segment's length
    private readonly int[] _subtreeEnd;
    private readonly bool[] _isTerminal;
    private readonly bool[] _isLeaf; // terminal, and no path goes deeper
    private readonly int[] _fieldNode;

    // Per node: where its value lies in _values, or _valueLength == Missing.
    private readonly int[] _valueStart;
    private readonly int[] _valueLength;

    private byte[] _values = new byte[256];
    private int _valuesUsed;
    private byte[] _keyScratch = new byte[64];

    /// <summary>Creates a decoder for the given dotted paths; field index i of the results is path i.</summary>
    /// <param name="dottedPaths">The paths to extract, e.g. <c>user.country</c>. Duplicates are allowed.</param>
    /// <param name="maxDepth">The deepest nesting of objects and arrays accepted; the top-level object is depth 1.</param>
    /// <param name="maxEventBytes">The longest event accepted, in bytes.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dottedPaths"/> or one of its items is null.</exception>
    /// <exception cref="ArgumentException">A path is empty or has an empty segment (<c>a..b</c>, <c>.a</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDepth"/> or <paramref name="maxEventBytes"/> is not positive.</exception>
    public JsonEventDecoder(IReadOnlyList<string> dottedPaths, int maxDepth = 64, int maxEventBytes = 1 << 20)
        : this(dottedPaths, maxDepth, maxEventBytes, useScanner: true)
    {
    }

    /// <summary>Checks a dotted path: it must be non-empty and have no empty segment (<c>a..b</c>, <c>.a</c>).</summary>
    /// <returns>The problem, or null when the path is valid.</returns>
    public static string? ValidatePath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.Split('.').Any(segment => segment.Length == 0) ? $"Path '{path}' has an empty segment." : null;
    }

    /// <summary>Creates a decoder; without the scanner every event takes the <see cref="Utf8JsonReader"/> walk (the
    /// reference the tests compare the scanner with).</summary>
    internal JsonEventDecoder(IReadOnlyList<string> dottedPaths, int maxDepth, int maxEventBytes, bool useScanner)
    {
        ArgumentNullException.ThrowIfNull(dottedPaths);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDepth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEventBytes);
        _maxDepth = maxDepth;
        _maxEventBytes = maxEventBytes;

        // We check depth ourselves (to report TooDeep rather than a generic reader error), so the
        // reader's own limit is one level looser and never fires first.
        _readerOptions = new JsonReaderOptions { MaxDepth = maxDepth == int.MaxValue ? maxDepth : maxDepth + 1 };
        _useScanner = useScanner;

        // The scanner recurses once per nesting level; deeper events go to the reader, which does not.
        _scannerMaxDepth = Math.Min(maxDepth, ScannerDepthLimit);

        var root = new TrieBuilderNode([]);
        var leaves = new TrieBuilderNode[dottedPaths.Count];
        for (int f = 0; f < dottedPaths.Count; f++)
        {
            string path = dottedPaths[f] ?? throw new ArgumentNullException(nameof(dottedPaths), $"Path {f} is null.");
            if (ValidatePath(path) is { } problem)
            {
                throw new ArgumentException(problem, nameof(dottedPaths));
            }

            TrieBuilderNode node = root;
            foreach (string segment in path.Split('.'))
            {
                node = node.GetOrAddChild(Encoding.UTF8.GetBytes(segment));
            }

            node.IsTerminal = true;
            leaves[f] = node;
        }

        var order = new List<TrieBuilderNode>();
        root.Flatten(order);
        int nodeCount = order.Count;
        _segments = new byte[nodeCount][];
        _childStart = new int[nodeCount];
        _childCount = new int[nodeCount];
        _subtreeEnd = new int[nodeCount];
        _isTerminal = new bool[nodeCount];
        _isLeaf = new bool[nodeCount];
        _valueStart = new int[nodeCount];
        _valueLength = new int[nodeCount];
        _children = new int[nodeCount - 1];
        _childHeads = new ulong[nodeCount - 1];
        _childLengths = new int[nodeCount - 1];
        int childCursor = 0;
        for (int n = 0; n < nodeCount; n++)
        {
            TrieBuilderNode node = order[n];
            _segments[n] = node.Segment;
            _subtreeEnd[n] = node.SubtreeEnd;
            _isTerminal[n] = node.IsTerminal;
            _isLeaf[n] = node.IsTerminal && node.Children.Count == 0;
            _childStart[n] = childCursor;
            _childCount[n] = node.Children.Count;
            foreach (TrieBuilderNode child in node.Children)
            {
                _childHeads[childCursor] = KeyHead(child.Segment);
                _childLengths[childCursor] = child.Segment.Length;
                _children[childCursor++] = child.Index;
            }
        }

        _fieldNode = new int[leaves.Length];
        for (int f = 0; f < leaves.Length; f++)
        {
            _fieldNode[f] = leaves[f].Index;
        }

        _valueLength.AsSpan().Fill(Missing);
    }

    /// <summary>Gets the number of configured paths.</summary>
    public int FieldCount => _fieldNode.Length;

    /// <summary>Gets why the last <see cref="Decode"/> failed, with the byte position; empty after success.</summary>
    public string LastErrorDetail { get; private set; } = string.Empty;

    /// <summary>Parses one event and extracts the configured values from it.</summary>
    /// <param name="utf8Event">The whole event, UTF-8 encoded JSON.</param>
    /// <returns><see cref="DecodeError.None"/>, or why the event was rejected (then every value is missing).</returns>
    /// <remarks>Never throws for any input bytes. Values stay readable until the next call.</remarks>
    // Part of the per-event path: compiled fully optimized at its first call instead of tiered (see "Per-event path
    // and tiering" in the Streaming README).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public DecodeError Decode(ReadOnlySpan<byte> utf8Event)
    {
        ClearValues();
        if (LastErrorDetail.Length != 0)
        {
            LastErrorDetail = string.Empty; // only then: a reference store costs a write barrier per event
        }

        LastDecodeScanned = false;

        if (utf8Event.Length > _maxEventBytes)
        {
            return Fail(DecodeError.TooLarge, $"event is {utf8Event.Length} bytes, more than the limit of {_maxEventBytes}");
        }

        if (_useScanner)
        {
            // The scanner accepts nothing but ASCII outside strings, so an event it accepts needs its UTF-8 checked
            // only when a string may hold other bytes; an all-ASCII event is not read a second time.
            _highBits = 0;
            if (TryScan(utf8Event) && (_highBits == 0 || Utf8.IsValid(utf8Event)))
            {
                LastDecodeScanned = true;
                return DecodeError.None;
            }

            // The scanner gave up part way (or the UTF-8 is invalid): start again from nothing.
            ClearValues();
        }

        // Utf8JsonReader validates UTF-8 only inside strings; this vectorized pass covers the rest and
        // lets us report the error kind precisely.
        if (!Utf8.IsValid(utf8Event))
        {
            return Fail(DecodeError.InvalidUtf8, $"invalid UTF-8 at byte {FindInvalidUtf8(utf8Event)}");
        }
        var reader = new Utf8JsonReader(utf8Event, _readerOptions);
        try
        {
            if (!reader.Read())
            {
                return Fail(DecodeError.InvalidJson, "invalid JSON at byte 0: the event contains no JSON value");
            }

            bool isObject = reader.TokenType == JsonTokenType.StartObject;
            JsonTokenType topLevelToken = reader.TokenType;

            // For a non-object, finish reading the value first: a malformed one is InvalidJson, not NotAnObject.
            DecodeError error = isObject ? WalkObject(ref reader, utf8Event, RootNode) : SkipValue(ref reader);
            if (error != DecodeError.None)
            {
                return error;
            }

            // Anything after the object is an error; the reader throws for it, except where the
            // object itself never closed.
            if (reader.Read())
            {
                return Fail(DecodeError.InvalidJson, $"invalid JSON at byte {reader.TokenStartIndex}: content after the top-level value");
            }

            return isObject
                ? DecodeError.None
                : Fail(DecodeError.NotAnObject, $"the top-level value is {topLevelToken}, not an object (at byte {FindFirstToken(utf8Event)})");
        }
        catch (JsonException e)
        {
            long position = AbsolutePosition(utf8Event, e.LineNumber ?? 0, e.BytePositionInLine ?? 0);
            return Fail(DecodeError.InvalidJson, $"invalid JSON at byte {position}: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // Unescaping a string whose \u escapes form a lone surrogate: valid JSON syntax, but no
            // UTF-8 text exists for it.
            return Fail(DecodeError.InvalidUtf8, $"string at byte {reader.TokenStartIndex} cannot be unescaped to UTF-8: {e.Message}");
        }
    }

    /// <summary>Gets whether the last <see cref="Decode"/> was decided by the path scanner alone (for tests).</summary>
    internal bool LastDecodeScanned { get; private set; }

    /// <summary>Gets the text of field <paramref name="fieldIndex"/> from the last successful <see cref="Decode"/>.</summary>
    /// <param name="fieldIndex">The index of the path in the list given to the constructor.</param>
    /// <param name="text">The value's UTF-8 text; valid until the next <see cref="Decode"/>.</param>
    /// <returns><see langword="false"/> when the value is absent or JSON <c>null</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fieldIndex"/> is not a field index.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryGetValue(int fieldIndex, out ReadOnlySpan<byte> text)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fieldIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(fieldIndex, _fieldNode.Length);
        int node = _fieldNode[fieldIndex];
        int length = _valueLength[node];
        if (length == Missing)
        {
            text = default;
            return false;
        }

        text = _values.AsSpan(_valueStart[node], length);
        return true;
    }

    // The reader is on the StartObject of an object whose trie node is `node`; returns with the
    // reader on its EndObject.
    private DecodeError WalkObject(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8Event, int node)
    {
        if (reader.CurrentDepth >= _maxDepth)
        {
            return TooDeep(reader.TokenStartIndex);
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int child = FindChild(ref reader, node);
            if (!reader.Read())
            {
                break;
            }

            DecodeError error = child == Missing ? SkipValue(ref reader) : ReadValue(ref reader, utf8Event, child);
            if (error != DecodeError.None)
            {
                return error;
            }
        }

        // With isFinalBlock the reader throws rather than stopping inside an object; this is a guard.
        return reader.TokenType == JsonTokenType.EndObject
            ? DecodeError.None
            : Fail(DecodeError.InvalidJson, $"invalid JSON at byte {reader.BytesConsumed}: unexpected end of object");
    }

    // The reader is on the first token of the value of `node`'s key; returns with the reader on the
    // value's last token.
    private DecodeError ReadValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8Event, int node)
    {
        // A repeated key replaces everything the earlier occurrence set below it (last one wins).
        _valueLength.AsSpan(node, _subtreeEnd[node] - node).Fill(Missing);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            case JsonTokenType.StartArray:
                {
                    int start = (int)reader.TokenStartIndex;
                    DecodeError error = reader.TokenType == JsonTokenType.StartObject && _childCount[node] > 0
                        ? WalkObject(ref reader, utf8Event, node)
                        : SkipValue(ref reader);
                    if (error == DecodeError.None && _isTerminal[node])
                    {
                        Store(node, utf8Event[start..(int)reader.BytesConsumed]);
                    }

                    return error;
                }

            case JsonTokenType.String:
                if (_isTerminal[node])
                {
                    if (reader.ValueIsEscaped)
                    {
                        // Unescaped text is never longer than the escaped text.
                        EnsureValueCapacity(reader.ValueSpan.Length);
                        int written = reader.CopyString(_values.AsSpan(_valuesUsed));
                        _valueStart[node] = _valuesUsed;
                        _valueLength[node] = written;
                        _valuesUsed += written;
                    }
                    else
                    {
                        Store(node, reader.ValueSpan);
                    }
                }

                return DecodeError.None;

            case JsonTokenType.Number:
            case JsonTokenType.True:
            case JsonTokenType.False:
                if (_isTerminal[node])
                {
                    Store(node, reader.ValueSpan);
                }

                return DecodeError.None;

            default:
                // Null: stays missing.
                return DecodeError.None;
        }
    }

    // Like Utf8JsonReader.Skip, but enforces _maxDepth so that deep nesting is reported as TooDeep.
    private DecodeError SkipValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return DecodeError.None;
        }

        int depth = reader.CurrentDepth;
        if (depth >= _maxDepth)
        {
            return TooDeep(reader.TokenStartIndex);
        }

        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    if (reader.CurrentDepth >= _maxDepth)
                    {
                        return TooDeep(reader.TokenStartIndex);
                    }

                    break;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    if (reader.CurrentDepth == depth)
                    {
                        return DecodeError.None;
                    }

                    break;
            }
        }

        return Fail(DecodeError.InvalidJson, $"invalid JSON at byte {reader.BytesConsumed}: unexpected end of data");
    }

    // The reader is on a PropertyName; returns the child of `node` whose segment equals the
    // unescaped key, or Missing.
    private int FindChild(ref Utf8JsonReader reader, int node)
    {
        int start = _childStart[node];
        int end = start + _childCount[node];
        if (start == end)
        {
            return Missing;
        }

        if (!reader.ValueIsEscaped)
        {
            for (int i = start; i < end; i++)
            {
                int child = _children[i];
                if (reader.ValueTextEquals(_segments[child]))
                {
                    return child;
                }
            }

            return Missing;
        }

        // Unescape once, then compare against every child.
        int escapedLength = reader.ValueSpan.Length;
        if (_keyScratch.Length < escapedLength)
        {
            _keyScratch = new byte[Math.Max(escapedLength, _keyScratch.Length * 2)];
        }

        ReadOnlySpan<byte> key = _keyScratch.AsSpan(0, reader.CopyString(_keyScratch));
        for (int i = start; i < end; i++)
        {
            int child = _children[i];
            if (key.SequenceEqual(_segments[child]))
            {
                return child;
            }
        }

        return Missing;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Store(int node, ReadOnlySpan<byte> value)
    {
        EnsureValueCapacity(value.Length);
        value.CopyTo(_values.AsSpan(_valuesUsed));
        _valueStart[node] = _valuesUsed;
        _valueLength[node] = value.Length;
        _valuesUsed += value.Length;
    }

    private void EnsureValueCapacity(int additional)
    {
        int needed = _valuesUsed + additional;
        if (needed > _values.Length)
        {
            Array.Resize(ref _values, Math.Max(needed, _values.Length * 2));
        }
    }

    private DecodeError TooDeep(long position) =>
        Fail(DecodeError.TooDeep, $"nesting deeper than {_maxDepth} at byte {position}");

    private DecodeError Fail(DecodeError error, string detail)
    {
        ClearValues();
        LastErrorDetail = detail;
        return error;
    }

    private void ClearValues()
    {
        ClearLengths(_valueLength);
        _valuesUsed = 0;
    }

    // Marks every node of `lengths` missing: a plain loop, as a trie has a handful of nodes, where Span.Fill costs a
    // call per event.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ClearLengths(Span<int> lengths)
    {
        for (int i = 0; i < lengths.Length; i++)
        {
            lengths[i] = Missing;
        }
    }

    private static int FindFirstToken(ReadOnlySpan<byte> utf8Event)
    {
        int index = utf8Event.IndexOfAnyExcept(" \t\r\n"u8);
        return index < 0 ? 0 : index;
    }

    private static long FindInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        int position = 0;
        while (position < utf8.Length)
        {
            if (Rune.DecodeFromUtf8(utf8[position..], out _, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                return position;
            }

            position += consumed;
        }

        return position;
    }

    // JsonException reports (line, byte in line) with lines split at '\n'; convert to an offset.
    private static long AbsolutePosition(ReadOnlySpan<byte> utf8Event, long lineNumber, long bytePositionInLine)
    {
        int lineStart = 0;
        for (long line = 0; line < lineNumber; line++)
        {
            int newline = utf8Event[lineStart..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                break;
            }

            lineStart += newline + 1;
        }

        return lineStart + bytePositionInLine;
    }

    private sealed class TrieBuilderNode(byte[] segment)
    {
        public byte[] Segment { get; } = segment;

        public List<TrieBuilderNode> Children { get; } = [];

        public bool IsTerminal { get; set; }

        public int Index { get; private set; }

        public int SubtreeEnd { get; private set; }

        public TrieBuilderNode GetOrAddChild(byte[] segment)
        {
            foreach (TrieBuilderNode child in Children)
            {
                if (child.Segment.AsSpan().SequenceEqual(segment))
                {
                    return child;
                }
            }

            var added = new TrieBuilderNode(segment);
            Children.Add(added);
            return added;
        }

        public void Flatten(List<TrieBuilderNode> order)
        {
            Index = order.Count;
            order.Add(this);
            foreach (TrieBuilderNode child in Children)
            {
                child.Flatten(order);
            }

            SubtreeEnd = order.Count;
        }
    }
}
