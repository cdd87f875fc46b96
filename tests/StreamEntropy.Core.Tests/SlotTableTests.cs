using System.Runtime.CompilerServices;
using CsCheck;
using StreamEntropy.Core.Counting;

namespace StreamEntropy.Core.Tests;

public class SlotTableTests
{
    // Hashers that pile keys up where paging and in-place growth are most fragile: all on the last slot (every chain
    // wraps round the end of the table), all on slot 0, on a few homes, near page ends, and a well-spread mix.
    public static TheoryData<int> Hashers => [0, 1, 2, 3, 4];

    [Theory]
    [MemberData(nameof(Hashers))]
    public void Grow_ManyKeys_EveryEntryStaysFindableAcrossEachGrowth(int kind)
    {
        // Past a page (65 536 slots) the table grows by a quarter, moving the old pages into the new table one by one;
        // after every growth each entry inserted so far must be where a lookup finds it, and nowhere twice.
        // Chains as long as the table (kinds 0 and 1) or a fifth of it (kind 2) make every probe quadratic: keep them short
        // (one page). Kinds 3 and 4 go through six growths of several pages each.
        int n = kind switch { 0 or 1 => 4_000, 2 => 12_000, _ => 350_000 };
        var hasher = new TestHash(kind);
        var table = new SlotTable(16);
        var reference = new Dictionary<ulong, uint>();
        int growths = 0;
        for (int i = 0; i < n; i++)
        {
            ulong key = ((ulong)i * 0x9E3779B97F4A7C15) | 1; // distinct (odd multiplier), never 0
            int slot = Find(table, hasher, key);
            Assert.Equal(0u, table[slot].IdPlusOne);
            table[slot] = new InternSlot { Key = key, IdPlusOne = (uint)(i + 1) };
            reference.Add(key, (uint)(i + 1));
            if (reference.Count >= table.GrowAt)
            {
                int before = table.Capacity;
                table.Grow(hasher);
                Assert.True(table.Capacity > before);
                Assert.True(reference.Count < table.GrowAt);
                growths++;
                AssertHolds(table, hasher, reference);
            }
        }

        AssertHolds(table, hasher, reference);
        Assert.True(growths >= kind switch { 0 or 1 => 9, 2 => 10, _ => 18 }, $"{growths} growths");
    }

    [Fact]
    public void Grow_ToRoomForEntries_JumpsThereAndKeepsEntries()
    {
        Gen.Select(Gen.Int[0, 3_000], Gen.Int[0, 200_000], Gen.Int[0, 4]).Sample(
            (count, room, kind) =>
            {
                var hasher = new TestHash(kind);
                var table = new SlotTable(64);
                var reference = new Dictionary<ulong, uint>();
                for (int i = 0; i < count; i++)
                {
                    ulong key = (ulong)i + 7;
                    table[Find(table, hasher, key)] = new InternSlot { Key = key, IdPlusOne = (uint)(i + 1) };
                    reference.Add(key, (uint)(i + 1));
                    if (reference.Count >= table.GrowAt)
                    {
                        table.Grow(hasher);
                    }
                }

                table.Grow(hasher, room);
                Assert.True(room < table.GrowAt, $"room for {room}, grows at {table.GrowAt}");
                Assert.True(table.Capacity <= 65_536 || table.Capacity % 65_536 == 0);
                AssertHolds(table, hasher, reference);
            },
            iter: 40);
    }

    [Fact]
    public void Grow_PastAPage_StepsByAQuarterOrMoreAndKeepsTheLoadFromHalfToThreeQuarters()
    {
        var hasher = new TestHash(4);
        var table = new SlotTable(16);
        var capacities = new List<int> { table.Capacity };
        for (int count = 1; count < 400_000; count++)
        {
            if (count >= table.GrowAt)
            {
                table.Grow(hasher);
                capacities.Add(table.Capacity);
                if (table.Capacity > 131_072)
                {
                    // Just grown: 3/4 ÷ 1.25 = 3/5, less where rounding up to whole pages made the step larger.
                    Assert.InRange((double)count / table.Capacity, 0.5, 0.6);
                }
            }
        }

        for (int i = 1; i < capacities.Count; i++)
        {
            double step = (double)capacities[i] / capacities[i - 1];
            Assert.True(capacities[i - 1] <= 65_536 ? step == 2 : step is >= 1.25 and <= 1.5, $"{capacities[i - 1]} → {capacities[i]}");
        }
    }

    private static int Find(SlotTable table, TestHash hasher, ulong key)
    {
        int slot = table.Home(hasher.Hash(key));
        while (table[slot].IdPlusOne != 0 && table[slot].Key != key)
        {
            slot = table.Next(slot);
        }

        return slot;
    }

    private static void AssertHolds(SlotTable table, TestHash hasher, Dictionary<ulong, uint> reference)
    {
        int occupied = 0;
        for (int slot = 0; slot < table.Capacity; slot++)
        {
            occupied += table[slot].IdPlusOne != 0 ? 1 : 0;
        }

        Assert.Equal(reference.Count, occupied);
        foreach ((ulong key, uint id) in reference)
        {
            int slot = Find(table, hasher, key);
            InternSlot found = table[slot];
            Assert.Equal(key, found.Key);
            Assert.Equal(id, found.IdPlusOne);

            // The interners' probe (one-page and paged loops) reaches the very slot the reference probe does.
            Assert.True(Unsafe.AreSame(ref table[slot], ref table.Find(hasher.Hash(key), new KeyMatch(key))), $"key {key:X}");
        }

        // Absent keys: the probe stops at the same empty slot as the reference (after wrapping round the end, over page
        // ends, past chains of other keys).
        for (ulong absent = 0; absent < 64; absent++)
        {
            ulong key = (absent * 0xD1B54A32D192ED03) | 1;
            if (!reference.ContainsKey(key))
            {
                int slot = Find(table, hasher, key);
                Assert.Equal(0u, table[slot].IdPlusOne);
                Assert.True(Unsafe.AreSame(ref table[slot], ref table.Find(hasher.Hash(key), new KeyMatch(key))), $"absent key {key:X}");
            }
        }
    }

    private readonly struct KeyMatch(ulong key) : ISlotMatch
    {
        public bool Matches(in InternSlot slot) => slot.Key == key;
    }

    private readonly struct TestHash(int kind) : ISlotHash
    {
        public ulong Hash(ulong key) => kind switch
        {
            0 => ulong.MaxValue, // the last slot: every chain wraps round the end
            1 => 0,
            2 => (key % 5) << 61, // five homes
            3 => (((key % 4_096) << 20) | 0xF_FFFFUL) << 32, // the end of each 4 096th: chains over page ends and the table's end
            _ => (key ^ (key >> 29)) * 0xBF58476D1CE4E5B9,
        };
    }
}
