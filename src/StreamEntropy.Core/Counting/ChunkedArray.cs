using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StreamEntropy.Core.Counting;

/// <summary>An array indexed by dense id that grows without copying: fixed chunks of 128 KiB taken as needed.</summary>
/// <remarks>An array that doubles holds the old and the new copy during the copy, and the runtime keeps the memory of
/// every array it outgrew resident, so it costs about twice its live size in resident memory. Here only the first
/// chunk grows by doubling, up to 128 KiB, so that a small table stays small; later chunks are allocated whole and
/// never moved (128 KiB is above the large-object threshold, so collections do not copy them either). Access is a shift
/// and a mask. A mutable struct kept in a field of its owner; never copied.</remarks>
/// <typeparam name="T">The element type (a power-of-two size of at most 16 bytes).</typeparam>
internal struct ChunkedArray<T>
{
    private const int ChunkBytesLog2 = 17;

    private static readonly int ChunkBits = ChunkBytesLog2 - BitOperations.Log2((uint)Unsafe.SizeOf<T>());

    private T[][] _chunks;
    private int _length; // elements addressable: the first chunk's length, or every allocated chunk's

    /// <summary>Creates an array with room for <paramref name="length"/> elements (at most one chunk's).</summary>
    public ChunkedArray(int length)
    {
        _length = Math.Min(length, 1 << ChunkBits);
        _chunks = [new T[_length]];
    }

    /// <summary>Gets element <paramref name="index"/>, which must be below the length made room for.</summary>
    /// <remarks>Unchecked: the owners index only below what they made room for (an interner's ids and the position after
    /// the last), and the chunks cover that length. Two checked accesses cost two loads of array lengths on a value
    /// interner's hit path (see "Interner hit path" in the Benchmarks README).</remarks>
    public readonly ref T this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            Debug.Assert((uint)index < (uint)_length, "an index below the length made room for");
            T[] chunk = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_chunks), index >> ChunkBits);
            return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(chunk), index & ((1 << ChunkBits) - 1));
        }
    }

    /// <summary>Makes room for <paramref name="length"/> elements (indexes 0 to length − 1), keeping the contents.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void EnsureLength(int length)
    {
        if (length > _length)
        {
            Grow(length);
        }
    }

    private void Grow(int length)
    {
        int chunkLength = 1 << ChunkBits;
        T[] first = _chunks[0];
        if (first.Length < chunkLength)
        {
            // The first chunk doubles up to a full chunk: small tables stay small.
            Array.Resize(ref first, (int)Math.Min(Math.Max(2L * first.Length, length), chunkLength));
            _chunks[0] = first;
            _length = first.Length;
        }

        while (_length < length)
        {
            int chunk = _length >> ChunkBits;
            if (chunk == _chunks.Length)
            {
                Array.Resize(ref _chunks, 2 * chunk); // references only: a few KiB at most
            }

            _chunks[chunk] = new T[chunkLength];
            _length = checked(_length + chunkLength);
        }
    }
}
