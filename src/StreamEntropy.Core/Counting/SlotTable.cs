using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StreamEntropy.Core.Counting;

/// <summary>The open-addressing table of an interner (<see cref="ValueInterner"/>, <see cref="PairInterner"/>): linear
/// probing over 12-byte slots kept in fixed-size pages, grown in steps of a quarter without ever holding two copies.</summary>
/// <remarks>
/// <para>Why pages: a table that doubles as one array needs the old and the new array alive together while it moves the
/// entries (1.5× the new size at that moment), and the runtime keeps the memory of every array it outgrew resident, so
/// the resident set ends near twice the live table. Here a slot's home is the top 32 bits of its hash scaled to the
/// capacity (<c>hash · capacity / 2³²</c>, monotone in the hash), so growing maps the old table onto the new one in
/// order: <see cref="Grow{THash}"/> moves the old pages first to last and hands each emptied page on to the new table
/// as one of its pages. The pages alive during a growth are never more than the new table's (plus two), and no page is
/// left over for the runtime to keep.</para>
/// <para>Why a quarter: with pages the capacity need not be a power of two, so the load stays between 3/5 and 3/4
/// (16–20 bytes of table per entry; from 1/2 while the table has only a few pages, where a step is a whole page)
/// instead of between 3/8 and 3/4 (16–32 bytes). An entry moves about four times over the table's life instead of
/// once, but a move is a sequential copy. (The fractions are for the default maximum load of 3/4; the pair interner
/// grows its table at 1/2 full while it is one page.)</para>
/// <para>A table of one page is a plain array of a power-of-two length that doubles (copied: at most 768 KiB), read
/// without the page indirection. A larger table is read with a shift and a mask into a page, after one load of the
/// page's reference from an array of a few hundred, which stays cached.</para>
/// <para>A mutable struct kept in a field of its interner (one object fewer on the hot path); never copied.</para>
/// </remarks>
internal struct SlotTable
{
    /// <summary>Slots per page: 65 536 × 12 bytes = 768 KiB. A table of one page (up to 49 152 entries at 3/4, a table
    /// that fits the second-level cache or nearly) is read as a plain array; larger ones, whose probes miss the caches anyway, pay one
    /// load of the page reference (from an array of a few hundred, which stays cached).</summary>
    internal const int PageBits = 16;

    private const int PageSlots = 1 << PageBits;
    private const int PageMask = PageSlots - 1;

    // The most pages a capacity below 2³¹ slots allows.
    private const int MaxPages = int.MaxValue >> PageBits;

    private InternSlot[][] _pages;
    private InternSlot[]? _single; // the only page while the table is one: read without the page indirection
    private Stack<InternSlot[]>? _spare; // pages a growth emptied but did not need: the next growth takes them first
    private readonly int _maxLoadEighths;
    private readonly int _onePageMaxLoadEighths;
    private int _capacity;
    private int _growAt;

    /// <summary>Creates an empty table of <paramref name="capacity"/> slots, a power of two no larger than a page, that
    /// grows when <paramref name="maxLoadEighths"/> eighths of its slots are taken, or
    /// <paramref name="onePageMaxLoadEighths"/> eighths (if given) while it is one page.</summary>
    public SlotTable(int capacity, int maxLoadEighths = 6, int onePageMaxLoadEighths = 0)
    {
        _maxLoadEighths = maxLoadEighths;
        _onePageMaxLoadEighths = onePageMaxLoadEighths > 0 ? onePageMaxLoadEighths : maxLoadEighths;
        _single = new InternSlot[capacity];
        _pages = [_single];
        _capacity = capacity;
        _growAt = GrowAtFor(capacity);
    }

    /// <summary>Gets the number of slots.</summary>
    public readonly int Capacity => _capacity;

    /// <summary>Gets the number of entries at which the table must grow (3/4 of its slots unless told otherwise).</summary>
    public readonly int GrowAt => _growAt;

    /// <summary>Gets the slot <paramref name="slot"/> (0 ≤ slot &lt; <see cref="Capacity"/>).</summary>
    public readonly ref InternSlot this[int slot]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            // Unchecked: every slot number the callers use comes from Home or Next, both below the capacity, and the
            // pages cover the capacity. A checked access reads the page's length from its header, a second cache line
            // per probe at a random page, which the hit path of a large table felt (see the Core README).
            Debug.Assert((uint)slot < (uint)_capacity, "a slot number below the capacity");
            InternSlot[]? single = _single;
            if (single is not null)
            {
                // One page (tables up to 49 152 entries): as fast as a plain array, the branch always goes this way.
                return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(single), slot);
            }

            InternSlot[] page = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_pages), slot >> PageBits);
            return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(page), slot & PageMask);
        }
    }

    /// <summary>The slot that holds what <paramref name="match"/> looks for, or the empty slot where it would go, searched
    /// from the slot <paramref name="hash"/> names.</summary>
    /// <remarks>The hit path of every interner: the table's fields are read once into locals (the loop re-reads nothing
    /// through the interner), a one-page table is probed as a plain array with a mask, and a larger one with a shift and
    /// one load of the page's reference from the page array (a few hundred references, which stay cached). Unchecked as
    /// the indexer is: the home and every next slot are below the capacity, which the pages cover.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ref InternSlot Find<TMatch>(ulong hash, TMatch match)
        where TMatch : struct, ISlotMatch, allows ref struct
    {
        int capacity = _capacity;
        int slot = (int)(((hash >> 32) * (uint)capacity) >> 32);
        InternSlot[]? single = _single;
        if (single is not null)
        {
            // One page: its length is a power of two (the capacity), so the next slot is a mask away.
            Debug.Assert(single.Length == capacity && BitOperations.IsPow2(capacity), "a one-page table of a power-of-two length");
            ref InternSlot first = ref MemoryMarshal.GetArrayDataReference(single);
            int mask = capacity - 1;
            while (true)
            {
                ref InternSlot s = ref Unsafe.Add(ref first, slot);
                if (s.IdPlusOne == 0 || match.Matches(in s))
                {
                    return ref s;
                }

                slot = (slot + 1) & mask;
            }
        }

        ref InternSlot[] pages = ref MemoryMarshal.GetArrayDataReference(_pages);
        while (true)
        {
            ref InternSlot s = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Unsafe.Add(ref pages, slot >> PageBits)), slot & PageMask);
            if (s.IdPlusOne == 0 || match.Matches(in s))
            {
                return ref s;
            }

            slot = slot + 1 < capacity ? slot + 1 : 0;
        }
    }

    /// <summary>The slot a hash names: its top 32 bits scaled to the capacity.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly int Home(ulong hash) => (int)(((hash >> 32) * (uint)_capacity) >> 32);

    /// <summary>The slot after <paramref name="slot"/>, wrapping at the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly int Next(int slot) => slot + 1 < _capacity ? slot + 1 : 0;

    /// <summary>The distance from <paramref name="home"/> forward to <paramref name="slot"/>, wrapping at the end.</summary>
    public readonly int Distance(int home, int slot) => slot >= home ? slot - home : slot + _capacity - home;

    /// <summary>Grows the table by one step (doubling below a page, then a quarter more pages), or at once to room for
    /// <paramref name="entries"/> entries at a load of 3/4 if that is more, moving every entry.</summary>
    /// <exception cref="InvalidOperationException">The table would exceed 2³¹ slots.</exception>
    public void Grow<THash>(THash hasher, int entries = 0)
        where THash : struct, ISlotHash
    {
        long step = _capacity < PageSlots ? 2L * _capacity : _capacity + Math.Max(PageSlots, _capacity / 4);
        long wanted = Math.Max(step, Room(entries, _maxLoadEighths));
        if (wanted <= PageSlots)
        {
            wanted = Math.Max(step, Room(entries, _onePageMaxLoadEighths));
        }

        int capacity;
        if (wanted <= PageSlots)
        {
            capacity = (int)BitOperations.RoundUpToPowerOf2((uint)wanted);
        }
        else
        {
            long pages = Math.Min((wanted + PageMask) >> PageBits, MaxPages);
            if (pages <= _capacity >> PageBits)
            {
                throw new InvalidOperationException("An interner's table cannot grow past 2³¹ slots.");
            }

            capacity = (int)(pages << PageBits);
        }

        Rehash(hasher, capacity);
    }

    // Moves every entry into a table of `capacity` slots. The old pages are read first to last; an entry's new home is at
    // least its old home times capacity / old capacity, so the new pages are written roughly in order too, and a new page
    // is taken only when first written. Each old page, once read, is cleared and becomes a new page: the pages alive at any
    // moment are the new table's written part and the old table's unread part, never more than the new table plus the two
    // pages that probing past a page end and the entries that wrapped round the old table's end can touch early. Those
    // one or two pages, if the new table ends up not needing them, are kept for the next growth rather than dropped.
    private void Rehash<THash>(THash hasher, int capacity)
        where THash : struct, ISlotHash
    {
        InternSlot[][] old = _pages;
        int pageLength = Math.Min(capacity, PageSlots);
        var pages = new InternSlot[(capacity + PageMask) >> PageBits][];
        Stack<InternSlot[]> spare = _spare ??= new Stack<InternSlot[]>();
        for (int p = 0; p < old.Length; p++)
        {
            InternSlot[] page = old[p];
            old[p] = null!;
            foreach (InternSlot entry in page)
            {
                if (entry.IdPlusOne == 0)
                {
                    continue;
                }

                int slot = (int)(((hasher.Hash(entry.Key) >> 32) * (uint)capacity) >> 32);
                while (true)
                {
                    ref InternSlot target = ref (pages[slot >> PageBits] ??= Take(spare, pageLength))[slot & PageMask];
                    if (target.IdPlusOne == 0)
                    {
                        target = entry;
                        break;
                    }

                    slot = slot + 1 < capacity ? slot + 1 : 0;
                }
            }

            if (page.Length == pageLength)
            {
                spare.Push(page); // only whole pages: a table shorter than a page is one array of its own length
            }
        }

        for (int p = 0; p < pages.Length; p++)
        {
            pages[p] ??= Take(spare, pageLength);
        }

        _pages = pages;
        _single = pages.Length == 1 ? pages[0] : null;
        _capacity = capacity;
        _growAt = GrowAtFor(capacity);
    }

    // The slots that hold `entries` + 1 at a load of `eighths` / 8.
    private static long Room(int entries, int eighths) => (((entries + 1) * 8L) + eighths - 1) / eighths;

    private readonly int GrowAtFor(int capacity) =>
        (int)Math.Min(capacity * (long)(capacity <= PageSlots ? _onePageMaxLoadEighths : _maxLoadEighths) / 8, int.MaxValue - 1);

    private static InternSlot[] Take(Stack<InternSlot[]> spare, int pageLength)
    {
        if (spare.TryPop(out InternSlot[]? page))
        {
            Array.Clear(page);
            return page;
        }

        return new InternSlot[pageLength];
    }
}
