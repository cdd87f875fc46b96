using CsCheck;
using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Core.Sketches;

namespace StreamEntropy.Core.Tests.Sketches;

public class BoundedCountSummaryTests
{
    [Fact]
    public void Entropy_Empty_IsNaN()
    {
        EntropyBracket b = BoundedCountSummary.ForMaxDistinct(4).Entropy();
        Assert.True(double.IsNaN(b.Lower) && double.IsNaN(b.Estimate) && double.IsNaN(b.Upper));
    }

    [Fact]
    public void Entropy_ThirtyTwoEquallyLikelyValues_IsExactFiveBits()
    {
        var summary = BoundedCountSummary.ForMaxDistinct(32);
        for (int round = 0; round < 10; round++)
        {
            for (int v = 0; v < 32; v++)
            {
                summary.Add(SketchTestData.Key(v));
            }
        }

        EntropyBracket bits = summary.Entropy().ToBase(LogBase.Bits);
        Assert.True(bits.IsExact);
        Assert.Equal(5, bits.Estimate, 12);
        Assert.Equal(bits.Lower, bits.Upper);
    }

    [Fact]
    public void Entropy_WithinCapacity_EqualsCountTable()
    {
        SketchTestData.Streams.Where(s => s.Length > 0).Sample(stream =>
        {
            var summary = BoundedCountSummary.ForMaxDistinct(400);
            var table = new CountTable();
            foreach (int v in stream)
            {
                summary.Add(SketchTestData.Key(v));
                table.Add(v);
            }

            EntropyBracket b = summary.Entropy();
            Assert.True(b.IsExact);
            Assert.Equal(EntropyEstimators.PlugIn(table), b.Estimate, 1e-12);
        });
    }

    [Fact]
    public void Entropy_AnyStreamAndCapacity_BracketContainsExactPlugIn()
    {
        Gen.Select(SketchTestData.Streams.Where(s => s.Length > 0), Gen.Int[1, 40], Gen.Int[2, 40]).Sample((stream, capacity, sampleSize) =>
        {
            var summary = new BoundedCountSummary(capacity, sampleSize);
            foreach (int v in stream)
            {
                summary.Add(SketchTestData.Key(v));
            }

            AssertContains(summary.Entropy(), SketchTestData.PlugIn(stream));
        });
    }

    [Fact]
    public void Merge_AnyPartition_BracketContainsExactPlugInOfTheUnion()
    {
        Gen.Select(SketchTestData.Streams.Where(s => s.Length > 0), Gen.Int[1, 30], Gen.Int[1, 4]).Sample((stream, capacity, parts) =>
        {
            // Partition round-robin-ish by value and position, as Kafka partitions or window panes would.
            var summaries = new BoundedCountSummary[parts];
            for (int p = 0; p < parts; p++)
            {
                summaries[p] = new BoundedCountSummary(capacity + p, 16);
            }

            for (int i = 0; i < stream.Length; i++)
            {
                summaries[(stream[i] + (i / 97)) % parts].Add(SketchTestData.Key(stream[i]));
            }

            for (int p = 1; p < parts; p++)
            {
                summaries[0].Merge(summaries[p]);
            }

            AssertContains(summaries[0].Entropy(), SketchTestData.PlugIn(stream));
        });
    }

    [Fact]
    public void Merge_TwoExactSummaries_StaysExact()
    {
        var a = BoundedCountSummary.ForMaxDistinct(16);
        var b = BoundedCountSummary.ForMaxDistinct(16);
        int[] left = [1, 1, 2, 3];
        int[] right = [3, 3, 4];
        foreach (int v in left)
        {
            a.Add(SketchTestData.Key(v));
        }

        foreach (int v in right)
        {
            b.Add(SketchTestData.Key(v));
        }

        a.Merge(b);
        EntropyBracket bracket = a.Entropy();
        Assert.True(bracket.IsExact);
        Assert.Equal(SketchTestData.PlugIn(left.Concat(right)), bracket.Estimate, 1e-12);
        Assert.Throws<ArgumentException>(() => a.Merge(a));
    }

    [Fact]
    public void Entropy_MoreDistinctThanCapacity_IsNotExactAndHasWidth()
    {
        var summary = BoundedCountSummary.ForMaxDistinct(8);
        for (int v = 0; v < 100; v++)
        {
            summary.Add(SketchTestData.Key(v % 20));
        }

        EntropyBracket b = summary.Entropy();
        Assert.False(summary.IsExact);
        Assert.False(b.IsExact);
        Assert.True(b.Width > 0);
        AssertContains(b, Math.Log(20));
    }

    [Fact]
    public void Clear_AfterOverflow_IsExactAgain()
    {
        var summary = BoundedCountSummary.ForMaxDistinct(4);
        for (int v = 0; v < 50; v++)
        {
            summary.Add(SketchTestData.Key(v));
        }

        summary.Clear();
        summary.Add(SketchTestData.Key(1));
        summary.Add(SketchTestData.Key(2));
        Assert.True(summary.IsExact);
        Assert.Equal(Math.Log(2), summary.Entropy().Estimate, 12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(4096)]
    [InlineData(16384)]
    public void EstimatedBytes_MatchesEstimateBytesAndByteBudget(int maxDistinct)
    {
        var summary = BoundedCountSummary.ForMaxDistinct(maxDistinct);
        Assert.Equal(BoundedCountSummary.EstimateBytes(maxDistinct), summary.EstimatedBytes);

        long budget = summary.EstimatedBytes + 100;
        var fitted = BoundedCountSummary.ForByteBudget(budget);
        Assert.True(fitted.EstimatedBytes <= budget);
        Assert.True(fitted.HeavyHitterCapacity >= maxDistinct);
        Assert.True(BoundedCountSummary.EstimateBytes(fitted.HeavyHitterCapacity + 1) > budget);
    }

    [Fact]
    public void ForByteBudget_TooSmall_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BoundedCountSummary.ForByteBudget(100));

    [Fact]
    public void Add_SteadyState_AllocatesNothingAndMemoryIsCoveredByEstimate()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var summary = BoundedCountSummary.ForMaxDistinct(1024);
        long construction = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(construction <= summary.EstimatedBytes, $"allocated {construction} > estimated {summary.EstimatedBytes}");

        var zipf = new ZipfStream(100_000, 1.0, 7);
        Span<byte> buffer = stackalloc byte[16];
        for (int i = 0; i < 10_000; i++)
        {
            summary.Add(SketchTestData.Key(zipf.Next())); // warm-up: JIT tiers
        }

        // The runtime may allocate on this thread while it recompiles the loop (tiering, on-stack replacement), so a
        // run can see a few KiB that are not ours; an Add that allocated would show in every run.
        long fewest = long.MaxValue;
        for (int run = 0; run < 5 && fewest > 0; run++)
        {
            before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 200_000; i++)
            {
                int v = zipf.Next();
                BitConverter.TryWriteBytes(buffer, v);
                summary.Add(buffer[..4]);
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, fewest);
    }

    [Fact]
    public void AddWeighted_AnyStream_BracketContainsExactPlugIn()
    {
        Gen.Select(SketchTestData.Streams.Where(s => s.Length > 0), Gen.Int[1, 40], Gen.Int[2, 40]).Sample((stream, capacity, sampleSize) =>
        {
            var summary = new BoundedCountSummary(capacity, sampleSize);
            foreach ((int value, int count) in stream.CountBy(v => v))
            {
                summary.Add(SketchTestData.Key(value), count);
            }

            Assert.Equal(stream.Length, summary.Total);
            AssertContains(summary.Entropy(), SketchTestData.PlugIn(stream));
        });
    }

    [Fact]
    public void WriteRead_AnyStreamAndMerge_SameNumbersAndSameFuture()
    {
        Gen.Select(SketchTestData.Streams.Where(s => s.Length > 0), Gen.Int[1, 40], Gen.Int[2, 40], Gen.Int[0, 100]).Sample((stream, capacity, sampleSize, cutPercent) =>
        {
            int cut = stream.Length * cutPercent / 100;
            var summary = new BoundedCountSummary(capacity, sampleSize);
            var other = new BoundedCountSummary(capacity, sampleSize);
            for (int i = 0; i < cut; i++)
            {
                (i % 3 == 0 ? other : summary).Add(SketchTestData.Key(stream[i]));
            }

            summary.Merge(other);
            var copy = new BoundedCountSummary(capacity, sampleSize);
            copy.Read(Reader(Bytes(summary)));

            Assert.Equal(summary.Entropy(), copy.Entropy()); // record equality: every double bit for bit
            Assert.Equal(summary.DistinctEstimate, copy.DistinctEstimate);
            for (int i = cut; i < stream.Length; i++)
            {
                summary.Add(SketchTestData.Key(stream[i]));
                copy.Add(SketchTestData.Key(stream[i]));
            }

            Assert.Equal(summary.Entropy(), copy.Entropy());
            Assert.Equal(Bytes(summary), Bytes(copy));
        });
    }

    [Fact]
    public void Read_TruncatedAnywhere_ThrowsInvalidDataExceptionAndIsLeftEmpty()
    {
        var summary = new BoundedCountSummary(8, 4);
        for (int v = 0; v < 50; v++)
        {
            summary.Add(SketchTestData.Key(v % 13));
        }

        byte[] bytes = Bytes(summary);
        for (int length = 0; length < bytes.Length; length++)
        {
            var target = new BoundedCountSummary(8, 4);
            target.Add(1UL);
            InvalidDataException e = Assert.Throws<InvalidDataException>(() => target.Read(Reader(bytes.AsSpan(0, length).ToArray())));
            Assert.Contains("bounded summary", e.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(0, target.Total);
        }
    }

    [Theory]
    [InlineData(0, 2, "format version 2")]        // version byte
    [InlineData(1, 9, "saved with 9 counters")]   // heavy-hitter capacity
    [InlineData(5, 5, "sample of 5")]             // sample capacity
    [InlineData(9, 99, "size 99")]                // number of tracked counters
    [InlineData(37, 0, "count 0")]                // first counter's count, low byte (key at 29..36)
    public void Read_CorruptField_ThrowsInvalidDataExceptionNamingIt(int offset, byte value, string message)
    {
        var summary = new BoundedCountSummary(8, 4);
        for (int v = 0; v < 50; v++)
        {
            summary.Add(SketchTestData.Key(v % 13));
        }

        byte[] bytes = Bytes(summary);
        Array.Clear(bytes, offset, offset == 0 ? 1 : 4);
        bytes[offset] = value;
        if (offset == 37)
        {
            Array.Clear(bytes, offset, 8); // the whole count
        }

        InvalidDataException e = Assert.Throws<InvalidDataException>(() => new BoundedCountSummary(8, 4).Read(Reader(bytes)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HeapOutOfOrder_ThrowsInvalidDataException()
    {
        var summary = new BoundedCountSummary(4, 2);
        foreach (int v in new[] { 1, 2, 2, 3, 3, 3 })
        {
            summary.Add(SketchTestData.Key(v));
        }

        byte[] bytes = Bytes(summary);
        int heap = 1 + 4 + 4 + 4 + 8 + 8 + (3 * 24); // version, capacities, size, total, m, three counters
        (bytes[heap], bytes[heap + 4]) = (bytes[heap + 4], bytes[heap]); // swap the root with its child

        InvalidDataException e = Assert.Throws<InvalidDataException>(() => new BoundedCountSummary(4, 2).Read(Reader(bytes)));
        Assert.Contains("heap", e.Message, StringComparison.Ordinal);
    }

    private static byte[] Bytes(BoundedCountSummary summary)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            summary.Write(writer);
        }

        return stream.ToArray();
    }

    private static BinaryReader Reader(byte[] bytes) => new(new MemoryStream(bytes));

    internal static void AssertContains(EntropyBracket bracket, double exact)
    {
        Assert.True(bracket.Lower <= bracket.Estimate && bracket.Estimate <= bracket.Upper, $"estimate outside {bracket}");
        if (bracket.IsExact)
        {
            Assert.Equal(exact, bracket.Estimate, 1e-9);
        }
        else
        {
            Assert.True(bracket.Contains(exact), $"exact {exact:R} outside {bracket}");
        }
    }
}
