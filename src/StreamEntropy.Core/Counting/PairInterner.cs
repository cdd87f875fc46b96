using System.Numerics;
using System.Runtime.CompilerServices;

namespace StreamEntropy.Core.Counting;

/// <summary>Interns pairs of value ids (x, y) to dense pair ids, with open addressing and a multiplicative hash.</summary>
/// <remarks>A pair key packs x in the high and y in the low 32 bits. The default <c>long</c> hash of such a key is
/// x ^ y, under which small id pairs collide massively, so the key is mixed with the 64-bit golden-ratio constant
/// and the table is indexed by the high bits of the product (Fibonacci hashing). Single writer.</remarks>
public sealed class PairInterner
{
    private const ulong GoldenRatio = 0x9E3779B97F4A7C15;
    private const ulong EmptySlot = ulong.MaxValue; // (x, y) = (-1, -1) never occurs: ids are non-negative

    private ulong[] _keys;
    private int[] _slotIds;
    private int _shift;
    private ulong[] _pairs = new ulong[16]; // pair id → key, to enumerate and to recover (x, y)
    private int _count;

    /// <summary>Creates an empty pair dictionary.</summary>
    public PairInterner()
    {
        _keys = new ulong[64];
        _slotIds = new int[64];
        _keys.AsSpan().Fill(EmptySlot);
        _shift = 64 - 6;
    }

    /// <summary>Makes room for <paramref name="pairs"/> distinct pairs in all, so that adding that many does not grow the
    /// table step by step.</summary>
    public void EnsureCapacity(int pairs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pairs);
        if (pairs > _pairs.Length)
        {
            Array.Resize(ref _pairs, pairs);
        }

        if ((long)pairs * 2 > _keys.Length)
        {
            Grow((int)Math.Min(BitOperations.RoundUpToPowerOf2((uint)pairs * 2), 1 << 30));
        }
    }

    /// <summary>Gets the number of distinct pairs seen.</summary>
    public int Count => _count;

    /// <summary>Returns the pair id of (<paramref name="x"/>, <paramref name="y"/>), adding the pair if it is new.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetOrAdd(int x, int y)
    {
        ulong key = Pack(x, y);
        ulong[] keys = _keys;
        int mask = keys.Length - 1;
        int slot = (int)((key * GoldenRatio) >> _shift);
        while (true)
        {
            ulong k = keys[slot];
            if (k == key)
            {
                return _slotIds[slot];
            }

            if (k == EmptySlot)
            {
                return Insert(slot, key);
            }

            slot = (slot + 1) & mask;
        }
    }

    /// <summary>Interns several pairs at once: the id of (<paramref name="xs"/>[i], <paramref name="ys"/>[i]) goes to
    /// <c>ids[i]</c>; the ids are those of <see cref="GetOrAdd(int, int)"/> called in order.</summary>
    /// <remarks>Faster than one call per pair when the table is larger than the cache: a first pass prefetches every pair's
    /// slot, so that the cache misses of the whole batch overlap instead of following one another. Batches of a few
    /// dozen pairs suit it best (their slots stay in the first-level cache between the passes).</remarks>
    public void GetOrAddMany(ReadOnlySpan<int> xs, ReadOnlySpan<int> ys, Span<int> ids)
    {
        int n = xs.Length;
        if (ys.Length != n || ids.Length < n)
        {
            throw new ArgumentException("xs, ys and ids must have one entry per pair.", nameof(ys));
        }

        ulong[] keys = _keys;
        int[] slotIds = _slotIds;
        int shift = _shift;
        for (int i = 0; i < n; i++)
        {
            int slot = (int)((Pack(xs[i], ys[i]) * GoldenRatio) >> shift);
            CacheHint.Prefetch(ref keys[slot]);
            CacheHint.Prefetch(ref slotIds[slot]);
        }

        for (int i = 0; i < n; i++)
        {
            ids[i] = GetOrAdd(xs[i], ys[i]);
        }
    }

    /// <summary>Looks a pair up without adding it.</summary>
    public bool TryGetId(int x, int y, out int pairId)
    {
        ulong key = Pack(x, y);
        int mask = _keys.Length - 1;
        int slot = (int)((key * GoldenRatio) >> _shift);
        while (true)
        {
            ulong k = _keys[slot];
            if (k == key)
            {
                pairId = _slotIds[slot];
                return true;
            }

            if (k == EmptySlot)
            {
                pairId = -1;
                return false;
            }

            slot = (slot + 1) & mask;
        }
    }

    /// <summary>Gets the value ids of the pair with id <paramref name="pairId"/>.</summary>
    // Called per pair when the marginals are derived: compiled optimized at once (see Insert).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (int X, int Y) GetPair(int pairId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pairId);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(pairId, _count);
        ulong key = _pairs[pairId];
        return ((int)(key >> 32), (int)(uint)key);
    }

    private static ulong Pack(int x, int y)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        ArgumentOutOfRangeException.ThrowIfNegative(y);
        return ((ulong)(uint)x << 32) | (uint)y;
    }

    // Called once per new pair, millions of times in a row when `profile` merges its parts: compiled optimized at its
    // first call, not in the first tier (see "Profiling a file in parts" in the Streaming README).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Insert(int slot, ulong key)
    {
        int id = _count++;
        if (id == _pairs.Length)
        {
            Array.Resize(ref _pairs, _pairs.Length * 2);
        }

        _pairs[id] = key;
        _keys[slot] = key;
        _slotIds[slot] = id;
        if (_count * 2 > _keys.Length)
        {
            Grow(_keys.Length * 2); // load factor ≤ 1/2 keeps linear probes short
        }

        return id;
    }

    private void Grow(int capacity)
    {
        _keys = new ulong[capacity];
        _slotIds = new int[capacity];
        _keys.AsSpan().Fill(EmptySlot);
        _shift = 64 - BitOperations.Log2((uint)capacity);
        int mask = capacity - 1;
        for (int id = 0; id < _count; id++)
        {
            ulong key = _pairs[id];
            int slot = (int)((key * GoldenRatio) >> _shift);
            while (_keys[slot] != EmptySlot)
            {
                slot = (slot + 1) & mask;
            }

            _keys[slot] = key;
            _slotIds[slot] = id;
        }
    }
}
