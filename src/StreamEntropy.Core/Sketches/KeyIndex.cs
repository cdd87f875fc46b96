using System.Numerics;
using System.Runtime.CompilerServices;

namespace StreamEntropy.Core.Sketches;

/// <summary>A fixed-size open-addressing index from 64-bit keys to slot ids 0 … capacity − 1, for the bounded summaries.</summary>
/// <remarks>The keys themselves live in the owner's array (<c>keys[id]</c>); the index stores id + 1 per bucket (0 = empty),
/// 4 bytes per bucket at a load factor of at most ½. Linear probing with backward-shift deletion, so there are no
/// tombstones and probe lengths stay short however many keys come and go. The bucket is taken from the high bits of
/// the key times the golden-ratio constant: the keys are hashes already, but a bottom-k sample keeps the numerically
/// smallest ones, whose high bits are all zero.</remarks>
internal sealed class KeyIndex
{
    private readonly ulong[] _keys;
    private readonly int[] _buckets;
    private readonly int _mask;
    private readonly int _shift;

    public KeyIndex(ulong[] keys)
    {
        _keys = keys;
        int size = BucketCount(keys.Length);
        _buckets = new int[size];
        _mask = size - 1;
        _shift = 64 - BitOperations.Log2((uint)size);
    }

    /// <summary>The bytes held by an index for <paramref name="capacity"/> keys (bucket array and object).</summary>
    public static long BytesFor(int capacity) => 24 + (4L * BucketCount(capacity)) + 48;

    /// <summary>Returns the id stored for <paramref name="key"/>, or −1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(ulong key)
    {
        int i = Home(key);
        while (true)
        {
            int entry = _buckets[i];
            if (entry == 0)
            {
                return -1;
            }

            if (_keys[entry - 1] == key)
            {
                return entry - 1;
            }

            i = (i + 1) & _mask;
        }
    }

    /// <summary>Stores <paramref name="id"/> for its key <c>keys[id]</c>, which must not be present.</summary>
    public void Insert(int id)
    {
        int i = Home(_keys[id]);
        while (_buckets[i] != 0)
        {
            i = (i + 1) & _mask;
        }

        _buckets[i] = id + 1;
    }

    /// <summary>Removes <paramref name="key"/>, which must be present and still stored in <c>keys</c>.</summary>
    public void Remove(ulong key)
    {
        int i = Home(key);
        while (_keys[_buckets[i] - 1] != key)
        {
            i = (i + 1) & _mask;
        }

        // Backward shift: move later members of the probe run into the hole unless their home lies cyclically in (hole, j].
        int j = i;
        while (true)
        {
            j = (j + 1) & _mask;
            int entry = _buckets[j];
            if (entry == 0)
            {
                break;
            }

            int home = Home(_keys[entry - 1]);
            bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!stays)
            {
                _buckets[i] = entry;
                i = j;
            }
        }

        _buckets[i] = 0;
    }

    public void Clear() => Array.Clear(_buckets);

    // A power of two with load factor ≤ ½.
    private static int BucketCount(int capacity) => (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(4, capacity * 2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Home(ulong key) => (int)((key * 0x9e3779b97f4a7c15UL) >> _shift);
}
