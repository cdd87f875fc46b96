using System.Numerics;
using System.Runtime.CompilerServices;
using StreamEntropy.Core.Counting;

namespace StreamEntropy.Streaming.Profiling;

/// <summary>Raw counts of (x, y) value-id pairs for a batch (a file's part): one open-addressing table whose slot holds
/// the pair and its count, and the pairs in order of first sight.</summary>
/// <remarks>The streaming path interns a pair to a pair id and then counts the id in a <c>CountTable</c>: three arrays
/// touched per event, each a cache miss once there are 10⁶ pairs. A file is read once and its tables are built at the
/// end, so here an event touches one slot. The order of first sight is kept so that the pairs can be interned at the
/// end with the ids one streaming pass would have given them.</remarks>
internal sealed class PairAccumulator
{
    private const ulong GoldenRatio = 0x9E3779B97F4A7C15;

    private Entry[] _slots = new Entry[64];
    private int[] _orderOfSlot = new int[64]; // the index in _order of each occupied slot's pair (not read by Add)
    private int _shift = 64 - 6;
    private ulong[] _order = new ulong[16];
    private int _count;

    /// <summary>Gets the number of distinct pairs seen.</summary>
    public int Count => _count;

    /// <summary>Counts one event of the pair (<paramref name="x"/>, <paramref name="y"/>); both ids are non-negative.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int x, int y)
    {
        ulong key = ((ulong)(uint)x << 32) | (uint)y;
        Entry[] slots = _slots;
        int mask = slots.Length - 1;
        int slot = (int)((key * GoldenRatio) >> _shift);
        while (true)
        {
            ref Entry e = ref slots[slot];
            if (e.Count == 0)
            {
                Insert(slot, key);
                return;
            }

            if (e.Key == key)
            {
                e.Count++;
                return;
            }

            slot = (slot + 1) & mask;
        }
    }

    /// <summary>Starts loading the slot where the pair's probe starts, so that a later <see cref="Add"/> finds it in the
    /// cache.</summary>
    /// <remarks>A prefetch, not a load: it retires at once, so a block's misses all overlap, and it never faults. A load
    /// of a slot on a page never written maps the shared zero page, and the first write to that page then faults again
    /// and flushes the page from every core's TLB (an interrupt to the other core): ~11 % of the cycles of a 4 M-row
    /// profile went there.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Touch(int x, int y)
    {
        ulong key = ((ulong)(uint)x << 32) | (uint)y;
        int slot = (int)((key * GoldenRatio) >> _shift);
        CacheHint.Prefetch(ref _slots[slot]);
        CacheHint.Prefetch(ref _orderOfSlot[slot]); // written when the pair is new, as is often the case
    }

    /// <summary>Gets the i-th distinct pair in order of first sight.</summary>
    public (int X, int Y) PairAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        ulong key = _order[index];
        return ((int)(key >> 32), (int)(uint)key);
    }

    /// <summary>Writes the count of the i-th pair (in order of first sight) to <c>counts[i]</c>, reading the table in
    /// slot order rather than probing for each pair.</summary>
    public void CopyCountsInOrder(Span<long> counts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(counts.Length, _count, nameof(counts));
        Entry[] slots = _slots;
        for (int s = 0; s < slots.Length; s++)
        {
            if (slots[s].Count != 0)
            {
                counts[_orderOfSlot[s]] = slots[s].Count;
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Insert(int slot, ulong key)
    {
        _slots[slot] = new Entry { Key = key, Count = 1 };
        if (_count == _order.Length)
        {
            Array.Resize(ref _order, _order.Length * 2);
        }

        _orderOfSlot[slot] = _count;
        _order[_count++] = key;
        if (_count * 4 > _slots.Length * 3)
        {
            Grow(); // load factor ≤ 3/4
        }
    }

    private void Grow()
    {
        Entry[] old = _slots;
        int[] oldOrder = _orderOfSlot;
        var slots = new Entry[old.Length * 2];
        var order = new int[slots.Length];

        // Written once before the probes below read it: fresh pages that are read first map the zero page, and each
        // later write to one then faults again and flushes the TLB of the other core (see Touch).
        slots.AsSpan().Clear();
        int shift = 64 - BitOperations.Log2((uint)slots.Length);
        int mask = slots.Length - 1;
        for (int s = 0; s < old.Length; s++)
        {
            Entry e = old[s];
            if (e.Count != 0)
            {
                int slot = (int)((e.Key * GoldenRatio) >> shift);
                while (slots[slot].Count != 0)
                {
                    slot = (slot + 1) & mask;
                }

                slots[slot] = e;
                order[slot] = oldOrder[s];
            }
        }

        _slots = slots;
        _orderOfSlot = order;
        _shift = shift;
    }

    /// <summary>A pair and its count; a count of 0 marks an empty slot.</summary>
    private struct Entry
    {
        public ulong Key;
        public long Count;
    }
}
