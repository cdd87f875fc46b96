using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace StreamEntropy.Core.Counting;

/// <summary>Interns one field's values (UTF-8 text) to dense ids 0, 1, 2, … in order of first sight.</summary>
/// <remarks>
/// <para>A lookup of a known value allocates nothing; a new value is copied once. Ids are never reused, so every
/// <see cref="CountTable"/> of the field (one per window) indexes its counts by the same ids. Single writer.</para>
/// <para>Layout: the values' bytes lie back to back in an arena of fixed chunks (<see cref="ByteArena"/>; value
/// <c>id</c> starts at <c>_starts[id]</c>), and an open-addressing table of 12-byte slots (<see cref="SlotTable"/>)
/// maps a value to its id. A slot holds a key word and id + 1 (0 = empty). A value of at most 7 bytes is stored whole
/// in the key word (bytes, then its length in the top byte), so is most of 8 bytes (see <see cref="KeyAndHash"/>); any
/// other value's key word is the top 56 bits of its 64-bit hash under a 0xFF marker. A short value is therefore found,
/// or known to be new, from its slot alone, without reading the arena; a long one is compared with the arena only when
/// 56 bits of hash match, so in practice only with itself. The table is indexed by the top bits of the hash, and a
/// slot's hash follows from its key word alone (a short value's is a function of it, a long one's is in it), so the
/// table grows without reading a value. No object per value: the garbage collector sees a few arrays per 128 KiB.</para>
/// <para>Memory per distinct value: a 12-byte slot at a load between 3/5 and 3/4 (16–20 bytes), a 4-byte position
/// and the value's bytes. Nothing grows by doubling past 128 KiB (the table grows by a quarter, page by page, reusing
/// each old page as it empties), so the resident memory stays close to these live bytes instead of reaching twice
/// them (see "Memory per distinct value" in the Core README).</para>
/// <para>The hash is seeded per instance from a random number, so no input chosen in advance can make every value
/// collide; the ids do not depend on it (they follow first sight only).</para>
/// </remarks>
public sealed class ValueInterner
{
    private const int MinCapacityBits = 4;
    private const ulong LongValueMarker = 0xFFUL << 56;

    // Mixing constants (odd, with well-spread bits) for the multiply-fold hash below.
    private const ulong Prime1 = 0xA0761D6478BD642F;
    private const ulong Prime2 = 0xE7037ED1A0B428DB;
    private const ulong Prime3 = 0x8EBC6AF09C88C6E3;

    private readonly ulong _seed;
    private readonly ulong _hashMask; // all ones; tests clear bits to force collisions
    private SlotTable _slots = new(1 << MinCapacityBits);
    private ByteArena _arena = new(64);
    private ChunkedArray<int> _starts = new(9); // _starts[id] = position of value id in _arena; _starts[id + 1] follows it
    private int _count;
    private ulong[] _batchKeys = [];
    private ulong[] _batchHashes = [];

    /// <summary>Creates an empty dictionary.</summary>
    public ValueInterner()
        : this(ulong.MaxValue)
    {
    }

    // Tests pass a mask with few bits set, so that many values share a hash and every probe path is exercised.
    internal ValueInterner(ulong hashMask)
    {
        _hashMask = hashMask;
        _seed = (ulong)Random.Shared.NextInt64();
    }

    /// <summary>Gets the number of distinct values interned so far.</summary>
    public int Count => _count;

    /// <summary>Returns the id of <paramref name="value"/>, adding it if it is new.</summary>
    /// <exception cref="InvalidOperationException">The field's distinct values would exceed 2 GiB of text.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetOrAdd(ReadOnlySpan<byte> value)
    {
        ulong key = KeyAndHash(value, out ulong hash);
        ref InternSlot slot = ref _slots.Find(hash, new ValueMatch(this, value, key));
        uint entry = slot.IdPlusOne;
        return entry != 0 ? (int)entry - 1 : Insert(ref slot, key, value);
    }

    /// <summary>Interns several values at once: value i is <c>bytes[starts[i] .. starts[i] + lengths[i]]</c>, and its id
    /// goes to <c>ids[i]</c>; the ids are those of <see cref="GetOrAdd(ReadOnlySpan{byte})"/> called in order.</summary>
    /// <remarks>Faster than one call per value when the table is larger than the cache: a first pass hashes every value
    /// and prefetches its slot, so that the cache misses of the whole batch overlap instead of following one another.</remarks>
    public void GetOrAddMany(ReadOnlySpan<byte> bytes, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths, Span<int> ids)
    {
        int n = starts.Length;
        if (lengths.Length != n || ids.Length < n)
        {
            throw new ArgumentException("starts, lengths and ids must have one entry per value.", nameof(lengths));
        }

        if (_batchKeys.Length < n)
        {
            _batchKeys = new ulong[n];
            _batchHashes = new ulong[n];
        }

        ulong[] keys = _batchKeys;
        ulong[] hashes = _batchHashes;
        SlotTable table = _slots; // a copy of the references: this pass only reads, and the loop keeps them in registers
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<byte> value = bytes.Slice(starts[i], lengths[i]);
            keys[i] = KeyAndHash(value, out ulong hash);
            hashes[i] = hash;
            CacheHint.PrefetchTwoLines(ref table[table.Home(hash)]);
        }

        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<byte> value = bytes.Slice(starts[i], lengths[i]);
            // The table read again, not kept from the first pass: an insertion above may have grown it.
            ref InternSlot slot = ref _slots.Find(hashes[i], new ValueMatch(this, value, keys[i]));
            uint entry = slot.IdPlusOne;
            ids[i] = entry != 0 ? (int)entry - 1 : Insert(ref slot, keys[i], value);
        }
    }

    /// <summary>Returns the id of <paramref name="value"/>, adding it if it is new.</summary>
    public int GetOrAdd(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return GetOrAdd(Encoding.UTF8.GetBytes(value));
    }

    /// <summary>Looks a value up without adding it.</summary>
    public bool TryGetId(ReadOnlySpan<byte> value, out int id)
    {
        ulong key = KeyAndHash(value, out ulong hash);
        uint entry = _slots.Find(hash, new ValueMatch(this, value, key)).IdPlusOne;
        id = (int)entry - 1;
        return entry != 0;
    }

    /// <summary>Gets the UTF-8 text of the value with id <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not an id given out so far.</exception>
    public ReadOnlySpan<byte> GetValue(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, _count);
        return _arena.Get(_starts[id], _starts[id + 1]);
    }

    /// <summary>Gets the value with id <paramref name="id"/> as a string (allocates; not for hot paths).</summary>
    public string GetString(int id) => Encoding.UTF8.GetString(GetValue(id));

    /// <summary>The key word of a value's slot, and the value's 64-bit hash.</summary>
    /// <remarks>The key word: a value of up to 7 bytes whole (little-endian) with its length in the top byte; a value of
    /// 8 bytes whose last byte is 8–0xFE whole (that byte on top); any other value's hash (top 56 bits) under a 0xFF top
    /// byte. Key words below the marker stand for exactly one value each (the top byte tells the three kinds apart), so
    /// two such values are equal exactly when their key words are, and their hash is a function of the key word.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong KeyAndHash(ReadOnlySpan<byte> value, out ulong hash)
    {
        ref byte p = ref MemoryMarshal.GetReference(value);
        int length = value.Length;
        ulong key;
        if (length >= 8)
        {
            ulong first = Unsafe.ReadUnaligned<ulong>(ref p);

            // A value of exactly 8 bytes is its key word whole when its last byte cannot be mistaken for a short
            // value's length (0–7) or the marker (0xFF, which UTF-8 never has): ids and codes of 8 characters are
            // common, and this spares them the arena comparison (and its cache misses) on every lookup.
            if (length == 8 && (first >> 56) - 8 < 0xFF - 8)
            {
                key = first;
            }
            else
            {
                hash = LongHash(value);
                return LongValueMarker | (hash >> 8);
            }
        }
        else if (length >= 4)
        {
            // Two overlapping 4-byte reads; the bytes they share are the same in both, so OR-ing them is exact.
            key = Unsafe.ReadUnaligned<uint>(ref p) | ((ulong)Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, length - 4)) << ((length - 4) * 8));
            key |= (ulong)length << 56;
        }
        else if (length > 0)
        {
            key = p | ((ulong)Unsafe.Add(ref p, length >> 1) << ((length >> 1) * 8)) | ((ulong)Unsafe.Add(ref p, length - 1) << ((length - 1) * 8));
            key |= (ulong)length << 56;
        }
        else
        {
            key = 0;
        }

        hash = ShortHash(key);
        return key;
    }

    /// <summary>The hash a slot's key word stands for: the one <see cref="KeyAndHash"/> gave its value, but for the
    /// low 8 bits of a long value's hash, which no table of fewer than 2⁵⁶ slots uses.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong HashOfKey(ulong key) => new KeyHash(_seed, _hashMask).Hash(key);

    // Reached only when 56 bits of a long value's hash match, so in practice only by the value itself. The value has
    // 8 bytes or more (shorter ones are their key word); up to 16 it is compared as two overlapping words, in line,
    // rather than through a call to SequenceEqual (codes and names of 9–16 bytes are common, and this runs per hit).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Matches(ReadOnlySpan<byte> value, int id)
    {
        ReadOnlySpan<byte> stored = _arena.Get(_starts[id], _starts[id + 1]);
        int length = value.Length;
        if (stored.Length != length)
        {
            return false;
        }

        if (length <= 16)
        {
            Debug.Assert(length >= 8, "a long value");
            ref byte a = ref MemoryMarshal.GetReference(value);
            ref byte b = ref MemoryMarshal.GetReference(stored);
            return Unsafe.ReadUnaligned<ulong>(ref a) == Unsafe.ReadUnaligned<ulong>(ref b)
                && Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, length - 8)) == Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, length - 8));
        }

        return stored.SequenceEqual(value);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Insert(ref InternSlot slot, ulong key, ReadOnlySpan<byte> value)
    {
        int id = _count;
        int start = _arena.Append(value);
        _starts.EnsureLength(id + 2);
        _starts[id] = start;
        _starts[id + 1] = start + value.Length;
        slot = new InternSlot { Key = key, IdPlusOne = (uint)(id + 1) }; // nothing above moved the table
        _count = id + 1;
        if (_count >= _slots.GrowAt)
        {
            // Each slot's hash follows from its key word, so entries move without their values being read.
            _slots.Grow(new KeyHash(_seed, _hashMask));
        }

        return id;
    }

    /// <summary>The hash of a value whose key word is the value itself: the key word folded once with the seed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong ShortHash(ulong key) => ShortHash(key, _seed, _hashMask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ShortHash(ulong key, ulong seed, ulong hashMask) => Fold(seed ^ key, Prime1) & hashMask;

    /// <summary>A 64-bit hash of a value of 8 bytes or more: 8-byte words folded by 64×64→128-bit multiplication
    /// (high ⊕ low).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong LongHash(ReadOnlySpan<byte> value)
    {
        int length = value.Length;
        ref byte p = ref MemoryMarshal.GetReference(value);
        ulong h = _seed ^ ((ulong)length * Prime1);
        for (int i = 0; i + 8 < length; i += 8)
        {
            h = Fold(h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)), Prime2);
        }

        // The last 8 bytes, overlapping the previous word when the length is not a multiple of 8.
        h = Fold(h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, length - 8)), Prime3);
        return Fold(h, Prime1) & _hashMask;
    }

    // The high half by MULX and the low half by a plain multiply, which run side by side: Math.BigMul hands its low half
    // out through memory, which the JIT stores to the stack and loads back (a store-to-load forward in the hash's
    // dependency chain, once per fold). The same bits either way.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Fold(ulong a, ulong b)
    {
        if (Bmi2.X64.IsSupported)
        {
            return Bmi2.X64.MultiplyNoFlags(a, b) ^ (a * b);
        }

        ulong high = Math.BigMul(a, b, out ulong low);
        return high ^ low;
    }

    /// <summary>Gets the mean distance of the values from the slot their hash names (0 when each is in its own);
    /// linear probing at a load of at most 3/4 keeps it near 1 unless the hash clusters.</summary>
    internal double MeanProbeDistance()
    {
        long sum = 0;
        for (int slot = 0; slot < _slots.Capacity; slot++)
        {
            ref InternSlot entry = ref _slots[slot];
            if (entry.IdPlusOne != 0)
            {
                sum += _slots.Distance(_slots.Home(HashOfKey(entry.Key)), slot);
            }
        }

        return _count == 0 ? 0 : (double)sum / _count;
    }

    /// <summary>What a lookup of <paramref name="value"/> (key word <paramref name="key"/>) looks for in the table: a slot
    /// with its key word, and, if that is a long value's hash, its bytes in the arena.</summary>
    private readonly ref struct ValueMatch(ValueInterner owner, ReadOnlySpan<byte> value, ulong key) : ISlotMatch
    {
        private readonly ReadOnlySpan<byte> _value = value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Matches(in InternSlot slot) =>
            slot.Key == key && (key < LongValueMarker || owner.Matches(_value, (int)slot.IdPlusOne - 1));
    }

    /// <summary>The hash a slot's key word stands for (see <see cref="HashOfKey"/>), for the table to grow by.</summary>
    private readonly struct KeyHash(ulong seed, ulong hashMask) : ISlotHash
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong Hash(ulong key) => key >= LongValueMarker ? key << 8 : ShortHash(key, seed, hashMask);
    }
}
