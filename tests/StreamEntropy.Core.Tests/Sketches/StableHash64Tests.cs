using System.Numerics;
using System.Text;
using StreamEntropy.Core.Sketches;

namespace StreamEntropy.Core.Tests.Sketches;

public class StableHash64Tests
{
    [Fact]
    public void Hash_SameBytes_SameHashAcrossCalls()
    {
        byte[] value = Encoding.UTF8.GetBytes("user-42");
        Assert.Equal(StableHash64.Hash(value), StableHash64.Hash(value.AsSpan()));
        Assert.Equal(StableHash64.Hash(value), StableHash64.Hash(Encoding.UTF8.GetBytes("user-42")));
    }

    [Fact]
    public void Hash_AllLengthsAndPrefixes_NoCollisions()
    {
        // Every prefix of a 64-byte string, with and without trailing zero bytes: exercises each length branch
        // and the length mix (a zero byte appended must change the hash).
        byte[] text = Encoding.UTF8.GetBytes("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!?");
        var seen = new HashSet<ulong>();
        for (int length = 0; length <= text.Length; length++)
        {
            Assert.True(seen.Add(StableHash64.Hash(text.AsSpan(0, length))), $"prefix {length}");
            if (length > 0)
            {
                Assert.True(seen.Add(StableHash64.Hash(new byte[length])), $"zeros {length}");
            }
        }
    }

    [Fact]
    public void Hash_MillionIds_NoCollisionsAndUniformTopBits()
    {
        const int n = 1_000_000;
        const int buckets = 1024;
        var seen = new HashSet<ulong>(n);
        var histogram = new int[buckets];
        Span<byte> buffer = stackalloc byte[32];
        for (int i = 0; i < n; i++)
        {
            Encoding.UTF8.TryGetBytes($"user-{i}", buffer, out int written);
            ulong h = StableHash64.Hash(buffer[..written]);
            Assert.True(seen.Add(h));
            histogram[h >> 54]++;
        }

        // Chi-square with 1023 degrees of freedom: mean 1023, sd ≈ 45; 1023 + 6 sd ≈ 1300.
        double expected = (double)n / buckets;
        double chi2 = histogram.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.True(chi2 < 1300, $"chi-square {chi2}");
    }

    [Fact]
    public void Hash_OneBitFlipped_ChangesAboutHalfTheBits()
    {
        byte[] value = Encoding.UTF8.GetBytes("https://example.com/products/12345");
        ulong h = StableHash64.Hash(value);
        double total = 0;
        int flips = 0;
        for (int i = 0; i < value.Length; i++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                value[i] ^= (byte)(1 << bit);
                total += BitOperations.PopCount(h ^ StableHash64.Hash(value));
                flips++;
                value[i] ^= (byte)(1 << bit);
            }
        }

        Assert.InRange(total / flips, 29, 35);
    }

    [Fact]
    public void Pair_Order_Matters()
    {
        ulong x = StableHash64.Hash(1UL);
        ulong y = StableHash64.Hash(2UL);
        Assert.NotEqual(StableHash64.Pair(x, y), StableHash64.Pair(y, x));
        Assert.NotEqual(StableHash64.Pair(x, x), StableHash64.Pair(y, y));
    }
}
