using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StreamEntropy.Core.Counting;

/// <summary>Interns pairs of value ids (x, y) to dense pair ids 0, 1, 2, … in order of first sight.</summary>
/// <remarks>
/// <para>A pair key packs x in the high and y in the low 32 bits. Open addressing with linear probing over one array of
/// 12-byte slots, each holding the key and its pair id together, so a lookup touches one slot (one cache line, nearly
/// always) rather than a key array and then an id array. The slot is chosen by the top bits of a strong 64-bit mix of
/// the key (the finaliser of MurmurHash3): dense ids on both sides, the common case, would cluster under a weaker mix,
/// and the table runs up to 3/4 full. Ids never depend on the mix (they follow first sight only). Single writer.</para>
/// </remarks>
public sealed class PairInterner
{
    private const ulong EmptySlot = ulong.MaxValue; // (x, y) = (-1, -1) never occurs: ids are non-negative
    private const int MinCapacity = 64;

    private readonly ulong _hashMask; // all ones; tests clear bits to force collisions
    private Slot[] _slots;
    private int _shift; // 64 − log2(capacity)
    private int _growAt; // count at which the table doubles: 3/4 of its capacity
    private ulong[] _pairs = new ulong[16]; // pair id → key, to enumerate and to recover (x, y)
    private int _count;

    /// <summary>Creates an empty pair dictionary.</summary>
    public PairInterner()
        : this(ulong.MaxValue)
    {
    }

    // Tests pass a mask with few bits set, so that many pairs share a slot and every probe path is exercised.
    internal PairInterner(ulong hashMask)
    {
        _hashMask = hashMask;
        _slots = NewSlots(MinCapacity);
        SetCapacity(MinCapacity);
    }

    /// <summary>Gets the number of distinct pairs seen.</summary>
    public int Count => _count;

    /// <summary>Makes room for <paramref name="pairs"/> distinct pairs in all, so that adding that many does not grow the
    /// table step by step.</summary>
    public void EnsureCapacity(int pairs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pairs);
        if (pairs > _pairs.Length)
        {
            Array.Resize(ref _pairs, pairs);
        }

        if (pairs >= _growAt)
        {
            // The smallest power of two that holds `pairs` under 3/4 full.
            Grow((int)Math.Min(BitOperations.RoundUpToPowerOf2((uint)((pairs * 4L / 3) + 1)), 1 << 30));
        }
    }

    /// <summary>Returns the pair id of (<paramref name="x"/>, <paramref name="y"/>), adding the pair if it is new.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetOrAdd(int x, int y)
    {
        ulong key = Pack(x, y);
        Slot[] slots = _slots;
        int mask = slots.Length - 1;
        int slot = (int)(Mix(key) >> _shift);
        while (true)
        {
            ref Slot s = ref slots[slot];
            if (s.Key == key)
            {
                return s.Id;
            }

            if (s.Key == EmptySlot)
            {
                return Insert(slot, key);
            }

            slot = (slot + 1) & mask;
        }
    }

    /// <summary>Looks a pair up without adding it.</summary>
    public bool TryGetId(int x, int y, out int pairId)
    {
        ulong key = Pack(x, y);
        Slot[] slots = _slots;
        int mask = slots.Length - 1;
        int slot = (int)(Mix(key) >> _shift);
        while (true)
        {
            ref Slot s = ref slots[slot];
            if (s.Key == key)
            {
                pairId = s.Id;
                return true;
            }

            if (s.Key == EmptySlot)
            {
                pairId = -1;
                return false;
            }

            slot = (slot + 1) & mask;
        }
    }

    /// <summary>Gets the value ids of the pair with id <paramref name="pairId"/>.</summary>
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

    private static Slot[] NewSlots(int capacity)
    {
        var slots = new Slot[capacity];
        MemoryMarshal.Cast<Slot, uint>(slots.AsSpan()).Fill(uint.MaxValue); // every key EmptySlot (ids -1, unused)
        return slots;
    }

    // MurmurHash3's 64-bit finaliser: every input bit reaches every output bit, so the top bits that pick the slot
    // depend on both ids' low bits.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Mix(ulong key)
    {
        key ^= key >> 33;
        key *= 0xFF51AFD7ED558CCD;
        key ^= key >> 33;
        key *= 0xC4CEB9FE1A85EC53;
        key ^= key >> 33;
        return key & _hashMask;
    }

    private int Insert(int slot, ulong key)
    {
        int id = _count++;
        if (id == _pairs.Length)
        {
            Array.Resize(ref _pairs, _pairs.Length * 2);
        }

        _pairs[id] = key;
        _slots[slot] = new Slot(key, id);
        if (_count >= _growAt)
        {
            Grow(_slots.Length * 2);
        }

        return id;
    }

    private void Grow(int capacity)
    {
        Slot[] slots = NewSlots(capacity);
        SetCapacity(capacity);
        int mask = capacity - 1;
        for (int id = 0; id < _count; id++)
        {
            ulong key = _pairs[id];
            int slot = (int)(Mix(key) >> _shift);
            while (slots[slot].Key != EmptySlot)
            {
                slot = (slot + 1) & mask;
            }

            slots[slot] = new Slot(key, id);
        }

        _slots = slots;
    }

    private void SetCapacity(int capacity)
    {
        _shift = 64 - BitOperations.Log2((uint)capacity);
        _growAt = capacity / 4 * 3;
    }

    // 12 bytes: the key and its pair id side by side (Pack = 4 drops the 4 bytes of padding a ulong would align to).
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private readonly struct Slot(ulong key, int id)
    {
        public readonly ulong Key = key;
        public readonly int Id = id;
    }
}
