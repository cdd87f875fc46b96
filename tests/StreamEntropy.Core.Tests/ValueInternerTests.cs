using System.Text;
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
}
