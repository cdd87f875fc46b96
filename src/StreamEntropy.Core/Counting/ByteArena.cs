using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StreamEntropy.Core.Counting;

/// <summary>The bytes of an interner's values back to back, in chunks of 128 KiB that are never moved once full.</summary>
/// <remarks>
/// <para>A value is kept whole in one chunk (so that it can be handed out as one span): a value that does not fit in
/// what is left of the current chunk starts the next one, and a value of a chunk or more gets an array of its own
/// length that takes as many chunk numbers as it spans. A value's position is <c>chunk · 128 Ki + offset</c>, an
/// <c>int</c>, so a field's text is bounded by 2 GiB of positions, as when it was one array. Only the first chunk
/// grows (by doubling, up to 128 KiB), so a small field stays small; see <see cref="ChunkedArray{T}"/> for why nothing
/// else is copied.</para>
/// <para>The owner keeps, per value, its position and the position that follows it (the next value's, or the end);
/// when the next value moved on to a later chunk, the value is the last of its chunk and ends where the chunk's
/// bytes end, which the arena records per chunk. A mutable struct kept in a field of its owner; never copied.</para>
/// </remarks>
internal struct ByteArena
{
    private const int ChunkBits = 17;
    private const int ChunkLength = 1 << ChunkBits;
    private const int OffsetMask = ChunkLength - 1;

    private byte[][] _chunks;
    private int[] _ends; // per chunk: the position just past its last value's bytes
    private int _current; // the chunk values are appended to (the last chunk number an own-array value spans)
    private int _used; // the position the next value would start at, if it fits
    private bool _closed; // the current chunk is an own-array value's: the next value starts a new chunk

    /// <summary>Creates an empty arena whose first chunk starts at <paramref name="length"/> bytes.</summary>
    public ByteArena(int length)
    {
        _chunks = [new byte[length]];
        _ends = [0];
    }

    /// <summary>Gets the bytes of the value at <paramref name="start"/>, given the position <paramref name="next"/> the
    /// owner recorded after it.</summary>
    /// <remarks>Unchecked (it runs on every hit of a long value): the positions are those <see cref="Append"/> returned,
    /// so their chunks exist and hold their bytes.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ReadOnlySpan<byte> Get(int start, int next)
    {
        int chunk = start >> ChunkBits;
        Debug.Assert(chunk < _chunks.Length && _chunks[chunk] is not null, "a position Append returned");
        int end = next >> ChunkBits == chunk ? next : Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_ends), chunk);
        byte[] bytes = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_chunks), chunk);
        Debug.Assert((start & OffsetMask) + (end - start) <= bytes.Length, "a value within its chunk");
        return MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(bytes), start & OffsetMask), end - start);
    }

    /// <summary>Copies <paramref name="value"/> in and returns its position; the position after it is that plus its length.</summary>
    /// <exception cref="InvalidOperationException">The positions would pass 2 GiB.</exception>
    public int Append(ReadOnlySpan<byte> value)
    {
        int length = value.Length;
        int start = _used;

        // Strictly less: a value never ends exactly on a chunk boundary, so the position after it is in its own chunk
        // unless it has an array of its own (whose end the arena records).
        if (!_closed && (long)start + length < (long)(_current + 1) << ChunkBits)
        {
            byte[] chunk = _chunks[_current];
            int offset = start & OffsetMask;
            if (offset + length > chunk.Length)
            {
                // Only the first chunk is shorter than a chunk: it doubles up to one.
                Array.Resize(ref chunk, Math.Min(Math.Max(2 * chunk.Length, offset + length + 1), ChunkLength));
                _chunks[_current] = chunk;
            }

            value.CopyTo(chunk.AsSpan(offset));
        }
        else
        {
            int first = _current + 1;
            int spans = length < ChunkLength ? 1 : (int)(((long)length + OffsetMask) >> ChunkBits);
            if (((long)first + spans) << ChunkBits > int.MaxValue)
            {
                throw new InvalidOperationException("A field's distinct values exceed 2 GiB of text.");
            }

            if (first + spans > _chunks.Length)
            {
                int size = Math.Max(first + spans, 2 * _chunks.Length); // references only
                Array.Resize(ref _chunks, size);
                Array.Resize(ref _ends, size);
            }

            byte[] chunk = new byte[length < ChunkLength ? ChunkLength : length];
            value.CopyTo(chunk);
            _chunks[first] = chunk;
            start = first << ChunkBits;
            _current = first + spans - 1;
        }

        int end = start + length;
        _ends[start >> ChunkBits] = end;
        _used = end;
        _closed = length >= ChunkLength;
        return start;
    }
}
