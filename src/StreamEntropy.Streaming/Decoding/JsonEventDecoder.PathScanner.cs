using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;

namespace StreamEntropy.Streaming.Decoding;

/// <content>
/// The path scanner: one pass over the event's bytes that follows the trie into the objects some path goes into and
/// only validates everything else (a skipped string is a search, 16 bytes at a time, for its closing quote; a skipped
/// container is walked byte by byte, without tokens). It accepts a subset of what the <see cref="Utf8JsonReader"/> walk
/// accepts (strict RFC 8259, as the reader is with default options) and, for what it accepts, stores exactly the
/// values the walk would store: raw bytes for numbers, literals and containers, unescaped text for strings, the last
/// of repeated keys. Whenever it is not sure (any syntax error, nesting deeper than it recurses, an escaped string
/// that does not unescape) it returns <see langword="false"/> and the reader walk decides, so errors, their positions
/// and their messages are the walk's. The scanner cannot stop once every path has a value: a malformed rest of the
/// event must still reject it, and a repeated key later on must still win.
/// </content>
public sealed partial class JsonEventDecoder
{
    // Recursion bound of the scanner; events nested deeper (never seen in practice) take the reader walk.
    private const int ScannerDepthLimit = 64;

    // Non-zero when a string scanned since the start of the event had a byte of 0x80 or more (or a byte near it did).
    private uint _highBits;

    // Returns true when the event is one well-formed object (whitespace around it allowed) and every configured
    // value was stored; false when the reader walk has to decide. Does not validate UTF-8: outside strings it accepts
    // ASCII only, and _highBits tells whether a string may hold other bytes.
    // Part of the per-event path: compiled fully optimized at its first call instead of tiered (see "Per-event path
    // and tiering" in the Streaming README).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryScan(ReadOnlySpan<byte> json)
    {
        int pos = SkipWhitespace(json, 0);
        if (pos >= json.Length || json[pos] != (byte)'{' || !ScanObject(json, ref pos, RootNode, depth: 1))
        {
            return false;
        }

        return SkipWhitespace(json, pos) == json.Length;
    }

    // json[pos] is the '{' of an object at nesting level `depth` whose trie node is `node` (Missing when no path goes
    // into it: then it is only validated); on success pos is just past its '}'.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool ScanObject(ReadOnlySpan<byte> json, ref int pos, int node, int depth)
    {
        // The node's children are entries [childFrom, childTo) of _children: looked up once, not once per key.
        int childFrom = node == Missing ? 0 : _childStart[node];
        int childTo = node == Missing ? 0 : childFrom + _childCount[node];
        if (!Enter(json, ref pos, depth, (byte)'}', out bool more))
        {
            return false;
        }

        while (more)
        {
            if (pos >= json.Length || json[pos] != (byte)'"')
            {
                return false;
            }

            int keyStart = pos;
            if (!ScanString(json, ref pos, out bool keyEscaped))
            {
                return false;
            }

            int child = Missing;
            if (childTo > childFrom && !TryFindChild(json, keyStart, pos, keyEscaped, childFrom, childTo, out child))
            {
                return false;
            }

            pos = SkipWhitespace(json, pos);
            if (pos >= json.Length || json[pos] != (byte)':')
            {
                return false;
            }

            pos = SkipWhitespace(json, pos + 1);

            // Most values are strings or numbers: a skipped one, or a string stored as the value of a path that no
            // other path goes below, is scanned here instead of through the general calls and their dispatch on the
            // first byte (0 past the end: SkipValue and ScanValue reject that).
            byte first = pos < json.Length ? json[pos] : (byte)0;
            bool scanned = child == Missing
                ? (first == (byte)'"' ? ScanString(json, ref pos, out _) : IsNumberStart(first) ? SkipNumber(json, ref pos) : SkipValue(json, ref pos, depth))
                : (first == (byte)'"' && _isLeaf[child] ? ScanLeafString(json, ref pos, child) : ScanValue(json, ref pos, child, depth));
            if (!scanned || !NextMember(json, ref pos, (byte)'}', out more))
            {
                return false;
            }
        }

        return true;
    }

    // json[pos] starts the value of `node`'s key inside an object at level `depth`; on success pos is just past it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool ScanValue(ReadOnlySpan<byte> json, ref int pos, int node, int depth)
    {
        // A repeated key replaces everything the earlier occurrence set below it (last one wins).
        int subtree = _subtreeEnd[node] - node;
        if (subtree == 1)
        {
            _valueLength[node] = Missing;
        }
        else
        {
            ClearLengths(_valueLength.AsSpan(node, subtree));
        }

        if (pos >= json.Length)
        {
            return false;
        }

        int start = pos;
        bool terminal = _isTerminal[node];
        switch (json[pos])
        {
            case (byte)'{' when _childCount[node] > 0:
                if (!ScanObject(json, ref pos, node, depth + 1))
                {
                    return false;
                }

                break;

            case (byte)'"':
                if (!ScanString(json, ref pos, out bool escaped))
                {
                    return false;
                }

                if (terminal)
                {
                    return escaped ? TryStoreUnescaped(node, json[start..pos]) : StoreRaw(node, json, start + 1, pos - start - 2);
                }

                return true;

            case (byte)'n':
                // null stays missing.
                return SkipValue(json, ref pos, depth);

            default:
                if (!SkipValue(json, ref pos, depth))
                {
                    return false;
                }

                break;
        }

        return !terminal || StoreRaw(node, json, start, pos - start);
    }

    // json[pos] opens the string value of `node`, a leaf: the value is stored as ScanValue stores it (on failure the
    // whole event goes to the reader walk, so an earlier value of a repeated key need not be cleared first).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool ScanLeafString(ReadOnlySpan<byte> json, ref int pos, int node)
    {
        int start = pos;
        if (!ScanString(json, ref pos, out bool escaped))
        {
            return false;
        }

        return escaped ? TryStoreUnescaped(node, json[start..pos]) : StoreRaw(node, json, start + 1, pos - start - 2);
    }

    // Validates the value starting at json[pos] inside a container at level `depth` and moves pos just past it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool SkipValue(ReadOnlySpan<byte> json, ref int pos, int depth)
    {
        if (pos >= json.Length)
        {
            return false;
        }

        switch (json[pos])
        {
            case (byte)'"':
                return ScanString(json, ref pos, out _);
            case (byte)'{':
                return ScanObject(json, ref pos, Missing, depth + 1);
            case (byte)'[':
                return SkipArray(json, ref pos, depth + 1);
            case (byte)'t':
                return SkipLiteral(json, ref pos, "true"u8);
            case (byte)'f':
                return SkipLiteral(json, ref pos, "false"u8);
            case (byte)'n':
                return SkipLiteral(json, ref pos, "null"u8);
            default:
                return SkipNumber(json, ref pos);
        }
    }

    private bool SkipArray(ReadOnlySpan<byte> json, ref int pos, int depth)
    {
        if (!Enter(json, ref pos, depth, (byte)']', out bool more))
        {
            return false;
        }

        while (more)
        {
            if (!SkipValue(json, ref pos, depth) || !NextMember(json, ref pos, (byte)']', out more))
            {
                return false;
            }
        }

        return true;
    }

    // json[pos] opens a container at level `depth`: false when that is deeper than the scanner goes; otherwise pos
    // moves to its first member (`more`) or just past its closing byte (empty).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Enter(ReadOnlySpan<byte> json, ref int pos, int depth, byte closer, out bool more)
    {
        more = false;
        if (depth > _scannerMaxDepth)
        {
            return false;
        }

        pos = SkipWhitespace(json, pos + 1);
        if (pos < json.Length && json[pos] == closer)
        {
            pos++;
            return true;
        }

        more = true;
        return true;
    }

    // After a member of a container: whitespace, then ',' (another member follows; pos is at it) or the container's
    // closing byte (pos just past it).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool NextMember(ReadOnlySpan<byte> json, ref int pos, byte closer, out bool more)
    {
        pos = SkipWhitespace(json, pos);
        more = false;
        if (pos >= json.Length)
        {
            return false;
        }

        if (json[pos] == closer)
        {
            pos++;
            return true;
        }

        if (json[pos] != (byte)',')
        {
            return false;
        }

        pos = SkipWhitespace(json, pos + 1);
        more = true;
        return true;
    }

    // json[pos] is a string's opening quote; on success pos is just past its closing quote. Checks the escapes'
    // syntax (the reader's rules: one of "\/bfnrt or u and four hex digits) but does not unescape. Notes in
    // _highBits whether the string may hold a byte of 0x80 or more, whose UTF-8 Decode then checks (see TryScan).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool ScanString(ReadOnlySpan<byte> json, ref int pos, out bool escaped)
    {
        escaped = false;
        int p = pos + 1;
        uint high = 0;
        while (true)
        {
            p = FindStringStop(json, p, ref high);
            if (p >= json.Length)
            {
                return false;
            }

            byte b = json[p];
            if (b == (byte)'"')
            {
                pos = p + 1;
                _highBits |= high;
                return true;
            }

            if (b != (byte)'\\' || p + 1 >= json.Length)
            {
                return false; // a raw control character, or a backslash at the very end
            }

            escaped = true;
            switch (json[p + 1])
            {
                case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    p += 2;
                    break;
                case (byte)'u':
                    if (p + 6 > json.Length || !IsHex(json[p + 2]) || !IsHex(json[p + 3]) || !IsHex(json[p + 4]) || !IsHex(json[p + 5]))
                    {
                        return false;
                    }

                    p += 6;
                    break;
                default:
                    return false;
            }
        }
    }

    // The index of the first byte at or after `p` that ends a string's plain run (see IsStringStop), or json.Length.
    // Sixteen bytes at a time: three compares and a mask settle a typical key or value in one step, where a byte loop
    // takes a compare chain per byte. Where less than a vector is left, the event's last vector is loaded instead (it
    // ends at the event's last byte, and the bytes before `p` are shifted out of the masks), so that the strings near
    // the event's end, which every event has, do not go byte by byte; only an event shorter than a vector does. Ors
    // into `high` the top bit of every byte it reads from `p` on (some past the stop: that only makes the UTF-8 check
    // run when it need not).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FindStringStop(ReadOnlySpan<byte> json, int p, ref uint high)
    {
        int last = json.Length - Vector128<byte>.Count;
        if (Vector128.IsHardwareAccelerated && last >= 0)
        {
            ref byte start = ref MemoryMarshal.GetReference(json);
            while (p <= last)
            {
                uint mask = StopMask(Vector128.LoadUnsafe(ref start, (nuint)(uint)p), ref high, 0);
                if (mask != 0)
                {
                    return p + BitOperations.TrailingZeroCount(mask);
                }

                p += Vector128<byte>.Count;
            }

            if (p < json.Length)
            {
                uint mask = StopMask(Vector128.LoadUnsafe(ref start, (nuint)(uint)last), ref high, p - last);
                return mask != 0 ? p + BitOperations.TrailingZeroCount(mask) : json.Length;
            }

            return p;
        }

        while (p < json.Length && !IsStringStop(json[p]))
        {
            high |= json[p] & 0x80u;
            p++;
        }

        return p;
    }

    // One bit per byte of `v` from byte `skip` on (bit 0: byte `skip`) that ends a string's plain run; ors the same
    // bytes' top bits into `high`.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint StopMask(Vector128<byte> v, ref uint high, int skip)
    {
        // Unsigned compare: UTF-8 bytes of 0x80 and above are not stops.
        Vector128<byte> stops = Vector128.Equals(v, Vector128.Create((byte)'"'))
            | Vector128.Equals(v, Vector128.Create((byte)'\\'))
            | Vector128.LessThan(v, Vector128.Create((byte)0x20));
        high |= v.ExtractMostSignificantBits() >> skip;
        return stops.ExtractMostSignificantBits() >> skip;
    }

    // JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?. What may follow is checked by the
    // caller (whitespace, ',' or the container's end).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool SkipNumber(ReadOnlySpan<byte> json, ref int pos)
    {
        int p = pos;
        if (p < json.Length && json[p] == (byte)'-')
        {
            p++;
        }

        if (p >= json.Length || !IsDigit(json[p]))
        {
            return false;
        }

        if (json[p++] != (byte)'0')
        {
            p = SkipDigits(json, p);
        }

        if (p < json.Length && json[p] == (byte)'.')
        {
            if (++p >= json.Length || !IsDigit(json[p]))
            {
                return false;
            }

            p = SkipDigits(json, p);
        }

        if (p < json.Length && (json[p] | 0x20) == (byte)'e')
        {
            if (++p < json.Length && json[p] is (byte)'+' or (byte)'-')
            {
                p++;
            }

            if (p >= json.Length || !IsDigit(json[p]))
            {
                return false;
            }

            p = SkipDigits(json, p);
        }

        pos = p;
        return true;
    }

    private static bool SkipLiteral(ReadOnlySpan<byte> json, ref int pos, ReadOnlySpan<byte> literal)
    {
        if (!json[pos..].StartsWith(literal))
        {
            return false;
        }

        pos += literal.Length;
        return true;
    }

    // json[keyStart..keyEnd] is a key with its quotes. Sets `child` to the child among entries [from, to) of
    // _children whose segment equals the unescaped key, or Missing; false when an escaped key cannot be unescaped (the
    // reader walk reports that).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryFindChild(ReadOnlySpan<byte> json, int keyStart, int keyEnd, bool escaped, int from, int to, out int child)
    {
        if (escaped)
        {
            return TryFindEscapedChild(json[keyStart..keyEnd], from, to, out child);
        }

        child = FindChild(json, keyStart + 1, keyEnd - keyStart - 2, from, to);
        return true;
    }

    // The child among entries [from, to) of _children whose segment is text[start .. start + length] (plain bytes),
    // or Missing. Most keys fit in 8
    // bytes: one load of the key's head (masked to its length) and a compare of head and length per child settle them
    // without a call; only a longer key whose head and length match compares its tail.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int FindChild(ReadOnlySpan<byte> text, int start, int length, int from, int to)
    {
        // The load may read past the key (its closing quote and what follows), never past the text; near the text's
        // end the head is assembled byte by byte.
        ulong head = start <= text.Length - sizeof(ulong)
            ? BinaryPrimitives.ReadUInt64LittleEndian(text[start..]) & HeadMask(length)
            : KeyHead(text.Slice(start, length));
        int[] children = _children;
        ulong[] heads = _childHeads;
        int[] lengths = _childLengths;
        for (int i = from; i < to; i++)
        {
            if (heads[i] == head && lengths[i] == length &&
                (length <= sizeof(ulong) || text.Slice(start + sizeof(ulong), length - sizeof(ulong)).SequenceEqual(_segments[children[i]].AsSpan(sizeof(ulong)))))
            {
                return children[i];
            }
        }

        return Missing;
    }

    // `quoted` is a key with its quotes and at least one escape: unescaped into _keyScratch, then matched as FindChild
    // matches a plain key.
    private bool TryFindEscapedChild(ReadOnlySpan<byte> quoted, int from, int to, out int child)
    {
        if (_keyScratch.Length < quoted.Length)
        {
            _keyScratch = new byte[Math.Max(quoted.Length, _keyScratch.Length * 2)];
        }

        if (!TryUnescape(quoted, _keyScratch, out int written))
        {
            child = Missing;
            return false;
        }

        child = FindChild(_keyScratch, 0, written, from, to);
        return true;
    }

    // The first 8 bytes of a key or segment, little-endian, zero past its end: equal heads and lengths mean equal keys
    // of up to 8 bytes.
    private static ulong KeyHead(ReadOnlySpan<byte> key)
    {
        ulong head = 0;
        for (int i = Math.Min(key.Length, sizeof(ulong)) - 1; i >= 0; i--)
        {
            head = (head << 8) | key[i];
        }

        return head;
    }

    // The bits of an 8-byte little-endian load that hold the first `length` bytes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong HeadMask(int length) => length >= sizeof(ulong) ? ulong.MaxValue : (1UL << (length * 8)) - 1;

    // Stores json[start .. start + length] as the value of `node`. A value of up to 16 bytes (most are) is copied as
    // one vector when 16 bytes can be read from the event and written to the buffer: the bytes past its length are
    // the event's next bytes, never read as part of this value and overwritten by the next one stored.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool StoreRaw(int node, ReadOnlySpan<byte> json, int start, int length)
    {
        int used = _valuesUsed;
        byte[] values = _values;
        if (length <= Vector128<byte>.Count && start <= json.Length - Vector128<byte>.Count && used <= values.Length - Vector128<byte>.Count)
        {
            Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(json), (nuint)(uint)start)
                .StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(values), (nuint)(uint)used);
            _valueStart[node] = used;
            _valueLength[node] = length;
            _valuesUsed = used + length;
        }
        else
        {
            Store(node, json.Slice(start, length));
        }

        return true;
    }

    // `quoted` is a string token with its quotes and at least one escape.
    private bool TryStoreUnescaped(int node, ReadOnlySpan<byte> quoted)
    {
        // Unescaped text is never longer than the escaped text.
        EnsureValueCapacity(quoted.Length);
        if (!TryUnescape(quoted, _values.AsSpan(_valuesUsed), out int written))
        {
            return false;
        }

        _valueStart[node] = _valuesUsed;
        _valueLength[node] = written;
        _valuesUsed += written;
        return true;
    }

    // Unescapes one validated string token with the reader's own code (a string alone is a JSON document), so the
    // text is byte for byte the walk's. False for an escaped lone surrogate, which has no UTF-8 text.
    private static bool TryUnescape(ReadOnlySpan<byte> quoted, Span<byte> destination, out int written)
    {
        var reader = new Utf8JsonReader(quoted);
        try
        {
            reader.Read();
            written = reader.CopyString(destination);
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or JsonException)
        {
            // InvalidOperationException: a lone surrogate. JsonException cannot happen for a token the scanner
            // validated, but if the reader ever disagreed, the walk must decide rather than Decode throw.
            written = 0;
            return false;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipWhitespace(ReadOnlySpan<byte> json, int pos)
    {
        // Events seldom have whitespace between tokens: one test settles the usual case.
        if (pos < json.Length && json[pos] > (byte)' ')
        {
            return pos;
        }

        while (pos < json.Length && json[pos] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            pos++;
        }

        return pos;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int SkipDigits(ReadOnlySpan<byte> json, int pos)
    {
        while (pos < json.Length && IsDigit(json[pos]))
        {
            pos++;
        }

        return pos;
    }

    private static bool IsStringStop(byte b) => b == (byte)'"' || b == (byte)'\\' || b < 0x20;

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static bool IsNumberStart(byte b) => IsDigit(b) || b == (byte)'-';

    private static bool IsHex(byte b) => IsDigit(b) || (uint)((b | 0x20) - 'a') <= 'f' - 'a';
}
