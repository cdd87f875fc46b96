using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace StreamEntropy.Core.Counting;

/// <summary>Interns one field's values (UTF-8 text) to dense ids 0, 1, 2, … in order of first sight.</summary>
/// <remarks>
/// <para>A lookup of a known value allocates nothing; a new value is copied once. Ids are never reused, so every
/// <see cref="CountTable"/> of the field (one per window) indexes its counts by the same ids. Single writer.</para>
/// <para>Layout: the values' bytes lie back to back in one arena (value <c>id</c> spans
/// <c>_starts[id] .. _starts[id + 1]</c>), and an open-addressing table of 8-byte slots maps a value to its id. A slot
/// holds the high 32 bits of the value's 64-bit hash and id + 1 (0 = empty). The table is indexed by the top bits of
/// that hash, so the stored half alone re-places a slot when the table grows (no value is re-hashed) and it rejects
/// almost every probe that is not the value before its bytes are compared. No object per value: a lookup touches one
/// slot and, on a hit, the value's bytes; the garbage collector sees four arrays whatever the count.</para>
/// <para>The hash is seeded per instance from a random number, so no input chosen in advance can make every value
/// collide; the ids do not depend on it (they follow first sight only).</para>
/// </remarks>
public sealed class ValueInterner
{
    private const int MinCapacityBits = 4;

    // Mixing constants (odd, with well-spread bits) for the multiply-fold hash below.
    private const ulong Prime1 = 0xA0761D6478BD642F;
    private const ulong Prime2 = 0xE7037ED1A0B428DB;
    private const ulong Prime3 = 0x8EBC6AF09C88C6E3;

    private readonly ulong _seed;
    private readonly ulong _hashMask; // all ones; tests clear bits to force collisions
    private ulong[] _slots;
    private int _shift; // 64 − log2(capacity)
    private int _growAt; // count at which the table doubles: 3/4 of its capacity
    private byte[] _arena = new byte[256];
    private int[] _starts = new int[17]; // _starts[id] = offset of value id in _arena; _starts[Count] = bytes used
    private int _count;

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
        _slots = new ulong[1 << MinCapacityBits];
        _shift = 64 - MinCapacityBits;
        _growAt = (1 << MinCapacityBits) * 3 / 4;
    }

    /// <summary>Gets the number of distinct values interned so far.</summary>
    public int Count => _count;

    /// <summary>Returns the id of <paramref name="value"/>, adding it if it is new.</summary>
    /// <exception cref="InvalidOperationException">The field's distinct values would exceed 2 GiB of text.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetOrAdd(ReadOnlySpan<byte> value)
    {
        ulong hash = Hash(value);
        int slot = FindSlot(value, hash);
        ulong entry = _slots[slot];
        return entry != 0 ? (int)(uint)entry - 1 : Insert(slot, hash, value);
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
        ulong entry = _slots[FindSlot(value, Hash(value))];
        id = (int)(uint)entry - 1;
        return entry != 0;
    }

    /// <summary>Gets the UTF-8 text of the value with id <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not an id given out so far.</exception>
    public ReadOnlySpan<byte> GetValue(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, _count);
        int start = _starts[id];
        return _arena.AsSpan(start, _starts[id + 1] - start);
    }

    /// <summary>Gets the value with id <paramref name="id"/> as a string (allocates; not for hot paths).</summary>
    public string GetString(int id) => Encoding.UTF8.GetString(GetValue(id));

    /// <summary>The slot that holds <paramref name="value"/>, or the empty slot where it would go.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int FindSlot(ReadOnlySpan<byte> value, ulong hash)
    {
        ulong[] slots = _slots;
        int mask = slots.Length - 1;
        ulong tag = hash & 0xFFFF_FFFF_0000_0000;
        int slot = (int)(hash >> _shift);
        while (true)
        {
            ulong entry = slots[slot];
            if (entry == 0 || ((entry & 0xFFFF_FFFF_0000_0000) == tag && Matches(value, (int)(uint)entry - 1)))
            {
                return slot;
            }

            slot = (slot + 1) & mask;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Matches(ReadOnlySpan<byte> value, int id)
    {
        int start = _starts[id];
        return _arena.AsSpan(start, _starts[id + 1] - start).SequenceEqual(value);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Insert(int slot, ulong hash, ReadOnlySpan<byte> value)
    {
        int id = _count;
        int used = _starts[id];
        if (value.Length > _arena.Length - used)
        {
            long needed = (long)used + value.Length;
            if (needed > Array.MaxLength)
            {
                throw new InvalidOperationException("A field's distinct values exceed 2 GiB of text.");
            }

            Array.Resize(ref _arena, (int)Math.Min(Math.Max(needed, 2L * _arena.Length), Array.MaxLength));
        }

        if (id + 2 > _starts.Length)
        {
            Array.Resize(ref _starts, checked(_starts.Length * 2));
        }

        value.CopyTo(_arena.AsSpan(used));
        _starts[id + 1] = used + value.Length;
        _slots[slot] = (hash & 0xFFFF_FFFF_0000_0000) | (uint)(id + 1);
        _count = id + 1;
        if (_count >= _growAt)
        {
            Grow();
        }

        return id;
    }

    // Doubles the table. The stored high half of each hash holds the slot index bits of every capacity up to 2³²,
    // so entries move without their values being read.
    private void Grow()
    {
        ulong[] old = _slots;
        int capacity = checked(old.Length * 2);
        var slots = new ulong[capacity];
        int shift = 64 - BitOperations.Log2((uint)capacity);
        int mask = capacity - 1;
        foreach (ulong entry in old)
        {
            if (entry != 0)
            {
                int slot = (int)(entry >> shift);
                while (slots[slot] != 0)
                {
                    slot = (slot + 1) & mask;
                }

                slots[slot] = entry;
            }
        }

        _slots = slots;
        _shift = shift;
        _growAt = (int)Math.Min(capacity * 3L / 4, int.MaxValue - 1);
    }

    /// <summary>A 64-bit hash of the bytes: 8-byte words folded by 64×64→128-bit multiplication (high ⊕ low).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Hash(ReadOnlySpan<byte> value)
    {
        ref byte p = ref MemoryMarshal.GetReference(value);
        int length = value.Length;
        ulong h = _seed ^ ((ulong)length * Prime1);
        if (length >= 8)
        {
            int i = 0;
            for (; i + 8 < length; i += 8)
            {
                h = Fold(h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)), Prime2);
            }

            // The last 8 bytes, overlapping the previous word when the length is not a multiple of 8.
            h = Fold(h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, length - 8)), Prime3);
        }
        else if (length >= 4)
        {
            ulong word = ((ulong)Unsafe.ReadUnaligned<uint>(ref p) << 32) | Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, length - 4));
            h = Fold(h ^ word, Prime3);
        }
        else if (length > 0)
        {
            ulong word = ((ulong)p << 16) | ((ulong)Unsafe.Add(ref p, length >> 1) << 8) | Unsafe.Add(ref p, length - 1);
            h = Fold(h ^ word, Prime3);
        }

        return Fold(h, Prime1) & _hashMask;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Fold(ulong a, ulong b)
    {
        ulong high = Math.BigMul(a, b, out ulong low);
        return high ^ low;
    }
}
