using System.Text;
using CsCheck;
using StreamEntropy.Core.Counting;

namespace StreamEntropy.Core.Tests;

public class ValueInternerTests
{
    [Fact]
    public void GetOrAdd_Values_AssignsDenseIdsInFirstSightOrder()
    {
        var interner = new ValueInterner();
        Assert.Equal(0, interner.GetOrAdd("b"));
        Assert.Equal(1, interner.GetOrAdd("a"));
        Assert.Equal(0, interner.GetOrAdd("b"u8));
        Assert.Equal(2, interner.GetOrAdd(""));
        Assert.Equal(3, interner.GetOrAdd("é"));
        Assert.Equal(3, interner.GetOrAdd("é"u8));
        Assert.Equal(4, interner.Count);
        Assert.Equal("é", interner.GetString(3));
        Assert.True(interner.GetValue(1).SequenceEqual("a"u8));
        Assert.True(interner.TryGetId("a"u8, out int id));
        Assert.Equal(1, id);
        Assert.False(interner.TryGetId("c"u8, out _));
        Assert.Equal(4, interner.Count);
    }

    [Fact]
    public void GetOrAdd_SpanOverReusedBuffer_CopiesValue()
    {
        var interner = new ValueInterner();
        byte[] buffer = Encoding.UTF8.GetBytes("first");
        interner.GetOrAdd(buffer);
        Encoding.UTF8.GetBytes("other", buffer);
        Assert.Equal("first", interner.GetString(0));
        Assert.Equal(1, interner.GetOrAdd(buffer));
    }

    [Fact]
    public void GetOrAdd_KnownSpans_AllocatesNothing()
    {
        var interner = new ValueInterner();
        byte[][] values = Enumerable.Range(0, 100).Select(i => Encoding.UTF8.GetBytes($"value-{i}")).ToArray();
        foreach (byte[] v in values)
        {
            interner.GetOrAdd(v);
        }

        Lookup(interner, values, 1_000_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        long sum = Lookup(interner, values, 1_000_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1_000_000L / 100 * (99 * 100 / 2), sum);

        static long Lookup(ValueInterner interner, byte[][] values, int n)
        {
            long sum = 0;
            for (int i = 0; i < n; i++)
            {
                sum += interner.GetOrAdd(new ReadOnlySpan<byte>(values[i % values.Length]));
            }

            return sum;
        }
    }

    // Values that stress the open-addressing table: 0–7 bytes (stored whole in the slot), 8 and more (compared with
    // the arena), long ones, UTF-8, shared prefixes, and values that differ only in length or in a trailing zero byte.
    private static readonly Gen<byte[]> Value = Gen.Frequency(
        (4, Gen.Int[0, 60].Select(i => Encoding.UTF8.GetBytes("v" + i))),
        (3, Gen.Byte.Array[0, 9]),
        (2, Gen.Int[0, 3000].Select(i => Encoding.UTF8.GetBytes($"user-{i:D6}"))),
        (1, Gen.Int[0, 400].Select(n => Encoding.UTF8.GetBytes(new string('é', n)))),
        (1, Gen.Int[0, 300].Select(i => Encoding.UTF8.GetBytes($"https://example.org/a/long/shared/prefix/{i}"))),
        (1, Gen.OneOf<byte[]>([], [0], [0, 0], [0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0], [1, 0], [1], Encoding.UTF8.GetBytes("1234567"), Encoding.UTF8.GetBytes("12345678"))),

        // 8 bytes whose last byte is a short value's length (0–7), the long-value marker (0xFF) or an ordinary byte:
        // [1, 0, 0, 0, 0, 0, 0, 2] would read as the short value [1, 0] if every 8-byte value were its key word whole.
        (2, Gen.Select(Gen.Byte[0, 2].Array[7], Gen.OneOf<byte>(0, 1, 2, 7, 8, (byte)'a', 0xFE, 0xFF)).Select((head, last) => (byte[])[.. head, last])));

    [Theory]
    [InlineData(ulong.MaxValue)]             // the real hash
    [InlineData(0xF000_0000_0000_0000UL)]    // 16 hashes: long collision chains, tags equal across different values
    [InlineData(0UL)]                        // every value in one chain
    public void GetOrAdd_RandomValues_MatchesDictionaryReference(ulong hashMask)
    {
        Gen.Select(Value.Array[0, 400], Gen.Int[1, 70]).Sample((values, batch) =>
        {
            var interner = new ValueInterner(hashMask);
            var batched = new ValueInterner(hashMask);
            var reference = new Dictionary<string, int>(StringComparer.Ordinal);
            var ids = new int[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                string key = Convert.ToHexString(values[i]);
                if (!reference.TryGetValue(key, out int expected))
                {
                    expected = reference.Count;
                    reference.Add(key, expected);
                }

                Assert.Equal(expected, interner.GetOrAdd(values[i]));
                ids[i] = expected;
            }

            // The batched entry point gives the same ids, whatever the batch boundaries.
            for (int start = 0; start < values.Length; start += batch)
            {
                byte[][] part = values[start..Math.Min(values.Length, start + batch)];
                byte[] bytes = [.. part.SelectMany(v => v)];
                int[] starts = new int[part.Length];
                int[] lengths = new int[part.Length];
                for (int i = 0, offset = 0; i < part.Length; offset += part[i].Length, i++)
                {
                    starts[i] = offset;
                    lengths[i] = part[i].Length;
                }

                int[] got = new int[part.Length];
                batched.GetOrAddMany(bytes, starts, lengths, got);
                Assert.Equal(ids[start..(start + part.Length)], got);
            }

            Assert.Equal(reference.Count, interner.Count);
            Assert.Equal(reference.Count, batched.Count);
            foreach ((string key, int id) in reference)
            {
                Assert.Equal(key, Convert.ToHexString(interner.GetValue(id)));
                Assert.True(interner.TryGetId(Convert.FromHexString(key), out int found));
                Assert.Equal(id, found);
            }

            Assert.False(interner.TryGetId(Encoding.UTF8.GetBytes("never-added-value-" + values.Length), out _));
        }, iter: 200);
    }

    [Fact]
    public void GetOrAdd_LongValuesDifferingInOneByte_AllCollidingOnTheKeyWord_MatchesDictionaryReference()
    {
        // Hash mask 0: every long value has the same key word, so every lookup is decided by the byte comparison (two
        // overlapping words up to 16 bytes, SequenceEqual beyond). Values of 8–18 bytes that differ from a base in one
        // byte at each position, and in length only.
        var interner = new ValueInterner(hashMask: 0);
        var reference = new Dictionary<string, int>();
        var values = new List<byte[]>();
        for (int length = 8; length <= 18; length++)
        {
            byte[] baseValue = [.. Enumerable.Range(0, length).Select(i => (byte)('a' + (i % 26)))];
            values.Add(baseValue);
            for (int position = 0; position < length; position++)
            {
                byte[] variant = [.. baseValue];
                variant[position] = (byte)'Z';
                values.Add(variant);
            }
        }

        for (int pass = 0; pass < 2; pass++)
        {
            foreach (byte[] value in values)
            {
                string text = Encoding.ASCII.GetString(value);
                if (!reference.TryGetValue(text, out int expected))
                {
                    expected = reference.Count;
                    reference.Add(text, expected);
                }

                Assert.Equal(expected, interner.GetOrAdd(value));
                Assert.True(interner.TryGetId(value, out int found) && found == expected, text);
            }
        }

        Assert.Equal(reference.Count, interner.Count);
    }

    [Fact]
    public void Fold_AnyWords_IsTheHighXorLowOfTheFullProduct()
    {
        // The hash's fold takes the product's halves by MULX and a plain multiply where the CPU has them; the reference
        // is the full 128-bit product. Edge words (0, all ones, top bit) and random ones.
        ulong[] edges = [0, 1, ulong.MaxValue, 1UL << 63, 0xA0761D6478BD642F, 0xFFFF_FFFF];
        foreach (ulong a in edges)
        {
            foreach (ulong b in edges)
            {
                AssertFold(a, b);
            }
        }

        Gen.ULong.Select(Gen.ULong).Sample((a, b) => AssertFold(a, b), iter: 10_000);

        static void AssertFold(ulong a, ulong b)
        {
            UInt128 product = (UInt128)a * b;
            Assert.Equal((ulong)(product >> 64) ^ (ulong)product, ValueInterner.Fold(a, b));
        }
    }

    [Theory]
    [InlineData("v{0:D7}")]          // 8 bytes that differ only in the middle
    [InlineData("u{0:D6}")]          // 7 bytes: stored whole in the slot
    [InlineData("{0}")]              // 1–6 bytes
    [InlineData("user-{0:D12}-tail")] // long, differing in a middle word
    [InlineData("{0:D16}")]          // two words, differing in the low digits only
    public void GetOrAdd_SequentialValues_SpreadOverTheTable(string format)
    {
        var interner = new ValueInterner();
        for (int i = 0; i < 200_000; i++)
        {
            interner.GetOrAdd(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, i));
        }

        // Linear probing at a load of 3/8 to 3/4 averages about one slot of displacement; a hash that ignores some
        // bytes piles equal hashes into long runs (this format once averaged thousands).
        Assert.True(interner.MeanProbeDistance() < 3, $"mean probe distance {interner.MeanProbeDistance():0.00}");
    }

    [Theory]
    [InlineData(ulong.MaxValue)]
    [InlineData(0xFFFF_0000_0000_0000UL)] // 65 536 hashes for 10⁵ values: every slot's chain and the growth under collisions
    public void GetOrAdd_ManyDistinctValues_MatchesDictionaryReference(ulong hashMask)
    {
        Gen.Int.Sample(
            seed =>
            {
                // 10⁵ draws from ~6·10⁴ distinct values of 0–40 bytes (ASCII digits, UTF-8 letters, any byte): the table
                // grows through 13 doublings while values repeat.
                var random = new Random(seed);
                var interner = new ValueInterner(hashMask);
                var reference = new Dictionary<string, int>(StringComparer.Ordinal);
                for (int i = 0; i < 100_000; i++)
                {
                    byte[] value = random.Next(4) switch
                    {
                        0 => Encoding.UTF8.GetBytes(random.Next(20_000).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                        1 => Encoding.UTF8.GetBytes(new string('ж', random.Next(20)) + random.Next(1_000)),
                        2 => [.. Enumerable.Range(0, random.Next(9)).Select(_ => (byte)random.Next(3))],
                        _ => Encoding.UTF8.GetBytes("id-" + random.Next(40_000) + new string('x', random.Next(30))),
                    };
                    AddAndCheck(interner, reference, value);
                }

                Assert.Equal(reference.Count, interner.Count);
                foreach ((string key, int id) in reference)
                {
                    Assert.Equal(key, Convert.ToHexString(interner.GetValue(id)));
                }
            },
            iter: 2);
    }

    [Theory]
    [InlineData(ulong.MaxValue)]
    [InlineData(0xF000_0000_0000_0000UL)]
    public void GetOrAdd_ValuesOverManyArenaChunks_MatchesDictionaryReference(ulong hashMask)
    {
        // About 3 MiB of text: values of 0–3 000 bytes fill 128 KiB chunks and spill into the next, a few of 128 KiB
        // and more take arrays of their own, and repeats (hits) are looked up against values in every chunk.
        Gen.Int.Sample(
            seed =>
            {
                var random = new Random(seed);
                var interner = new ValueInterner(hashMask);
                var reference = new Dictionary<string, int>(StringComparer.Ordinal);
                var seen = new List<byte[]>();
                for (int i = 0; i < 6_000; i++)
                {
                    byte[] value;
                    if (seen.Count > 0 && random.Next(3) == 0)
                    {
                        value = seen[random.Next(seen.Count)];
                    }
                    else
                    {
                        int length = random.Next(200) == 0 ? (128 * 1024) - 1 + random.Next(3) + (random.Next(2) * 200_000) : random.Next(random.Next(2) == 0 ? 9 : 3_000);
                        value = new byte[length];
                        random.NextBytes(value);
                        seen.Add(value);
                    }

                    AddAndCheck(interner, reference, value);
                }

                Assert.Equal(reference.Count, interner.Count);
                foreach (byte[] value in seen)
                {
                    int id = reference[Convert.ToHexString(value)];
                    Assert.True(interner.GetValue(id).SequenceEqual(value), $"value {id} of {value.Length} bytes");
                    Assert.True(interner.TryGetId(value, out int found));
                    Assert.Equal(id, found);
                }
            },
            iter: 3);
    }

    // Interns `value` and checks its id against the reference (ids in first-sight order).
    private static void AddAndCheck(ValueInterner interner, Dictionary<string, int> reference, byte[] value)
    {
        string key = Convert.ToHexString(value);
        if (!reference.TryGetValue(key, out int expected))
        {
            expected = reference.Count;
            reference.Add(key, expected);
        }

        Assert.Equal(expected, interner.GetOrAdd(value));
    }
}
