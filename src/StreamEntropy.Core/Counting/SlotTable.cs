using System.Numerics;
using System.Runtime.CompilerServices;

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
/// instead of between 3/8 and 3/4 (16–32 bytes). An entry moves about four times over
/// the table's life instead of once, but a move is a sequential copy.</para>
/// <para>A table smaller than a page is one array of a power-of-two length that doubles (a few KiB at most, copied).
/// Access is a shift and a mask into a page; the page array (at most a few hundred references) stays in cache.</para>
/// <para>A mutable struct kept in a field of its interner (one object fewer on the hot path); never copied.</para>
/// </remarks>
internal struct SlotTable
{
    /// <summary>Slots per page: 8 192 × 12 bytes = 96 KiB, above the large-object threshold so that a page is never
    /// copied by a compacting collection.</summary>
    internal const int PageBits = 13;

    private const int PageSlots = 1 << PageBits;
    private const int PageMask = PageSlots - 1;

    // The most pages a capacity below 2³¹ slots allows.
    private const int MaxPages = int.MaxValue >> PageBits;

    private InternSlot[][] _pages;
    private Stack<InternSlot[]>? _spare; // pages a growth emptied but did not need: the next growth takes them first
    private int _capacity;
    private int _growAt;

    /// <summary>Creates an empty table of <paramref name="capacity"/> slots, a power of two no larger than a page.</summary>
    public SlotTable(int capacity)
    {
        _pages = [new InternSlot[capacity]];
        _capacity = capacity;
        _growAt = capacity * 3 / 4;
    }

    /// <summary>Gets the number of slots.</summary>
    public readonly int Capacity => _capacity;

    /// <summary>Gets the number of entries at which the table must grow (3/4 of its slots).</summary>
    public readonly int GrowAt => _growAt;

    /// <summary>Gets the slot <paramref name="slot"/> (0 ≤ slot &lt; <see cref="Capacity"/>).</summary>
    public readonly ref InternSlot this[int slot]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref _pages[slot >> PageBits][slot & PageMask];
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
        long wanted = Math.Max(step, (((entries + 1) * 4L) + 2) / 3); // 3/4 of it is more than `entries`
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
        _capacity = capacity;
        _growAt = (int)Math.Min(capacity * 3L / 4, int.MaxValue - 1);
    }

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
