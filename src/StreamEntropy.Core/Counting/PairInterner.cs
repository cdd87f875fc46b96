using System.Runtime.CompilerServices;

namespace StreamEntropy.Core.Counting;

/// <summary>Interns pairs of value ids (x, y) to dense pair ids, with open addressing and a multiplicative hash.</summary>
/// <remarks>A pair key packs x in the high and y in the low 32 bits. The default <c>long</c> hash of such a key is
/// x ^ y, under which small id pairs collide massively, so the key is multiplied by the 64-bit golden-ratio constant
/// and the table is indexed by the top bits of the product (Fibonacci hashing). The table is a
/// <see cref="SlotTable"/> (12-byte slots holding the key and id + 1; past one page, load 3/5 to 3/4, grown page by
/// page without a second copy), and the keys by pair id lie in fixed chunks (<see cref="ChunkedArray{T}"/>): about
/// 16–20 + 8 bytes per pair, resident as well as live. Single writer.</remarks>
public sealed class PairInterner
{
    private const ulong GoldenRatio = 0x9E3779B97F4A7C15;
    private const int MinCapacity = 64;

    // Grown at 1/2 full while the table is one page (up to 32 768 pairs, where it fits the caches and a pair hit costs
    // little more than its probes: a probe that goes on past the home slot is a mispredicted branch; one-page tables
    // grown at 5/8 or 3/4 measured 1.6–2× the time per hit in random order), then at 3/4 like the value interner (where
    // a hit is a cache miss whatever the load, and memory is what counts). See "Memory per distinct value" in the Core
    // README.
    private SlotTable _slots = new(MinCapacity, maxLoadEighths: 6, onePageMaxLoadEighths: 4);
    private ChunkedArray<ulong> _pairs = new(16); // pair id → key, to enumerate and to recover (x, y)
    private int _count;

    /// <summary>Creates an empty pair dictionary.</summary>
    public PairInterner()
    {
    }

    /// <summary>Makes room for <paramref name="pairs"/> distinct pairs in all, so that adding that many does not grow the
    /// table step by step.</summary>
    public void EnsureCapacity(int pairs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pairs);
        _pairs.EnsureLength(pairs);
        if (pairs >= _slots.GrowAt)
        {
            _slots.Grow(default(KeyHash), pairs);
        }
    }

    /// <summary>Gets the number of distinct pairs seen.</summary>
    public int Count => _count;

    /// <summary>Returns the pair id of (<paramref name="x"/>, <paramref name="y"/>), adding the pair if it is new.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetOrAdd(int x, int y)
    {
        ulong key = Pack(x, y);
        ref InternSlot slot = ref FindSlot(key);
        uint entry = slot.IdPlusOne;
        return entry != 0 ? (int)entry - 1 : Insert(ref slot, key);
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

        SlotTable table = _slots; // a copy of the references: this pass only reads, and the loop keeps them in registers
        for (int i = 0; i < n; i++)
        {
            CacheHint.Prefetch(ref table[table.Home(Mix(Pack(xs[i], ys[i])))]);
        }

        for (int i = 0; i < n; i++)
        {
            ids[i] = GetOrAdd(xs[i], ys[i]);
        }
    }

    /// <summary>Looks a pair up without adding it.</summary>
    public bool TryGetId(int x, int y, out int pairId)
    {
        uint entry = FindSlot(Pack(x, y)).IdPlusOne;
        pairId = (int)entry - 1;
        return entry != 0;
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

    // Fibonacci hashing: the table uses the top 32 bits of the product, where every bit of the key has an effect.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong key) => key * GoldenRatio;

    /// <summary>The slot that holds <paramref name="key"/>, or the empty slot where it would go.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref InternSlot FindSlot(ulong key) => ref _slots.Find(Mix(key), new KeyMatch(key));

    // Called once per new pair, millions of times in a row when `profile` merges its parts: compiled optimized at its
    // first call, not in the first tier (see "Profiling a file in parts" in the Streaming README).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private int Insert(ref InternSlot slot, ulong key)
    {
        int id = _count;
        _pairs.EnsureLength(id + 1);
        _pairs[id] = key;
        slot = new InternSlot { Key = key, IdPlusOne = (uint)(id + 1) }; // nothing above moved the table
        _count = id + 1;
        if (_count >= _slots.GrowAt)
        {
            _slots.Grow(default(KeyHash));
        }

        return id;
    }

    /// <summary>What a lookup of a pair looks for in the table: a taken slot with its key.</summary>
    private readonly struct KeyMatch(ulong key) : ISlotMatch
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Matches(in InternSlot slot) => slot.Key == key;
    }

    private readonly struct KeyHash : ISlotHash
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong Hash(ulong key) => Mix(key);
    }
}
