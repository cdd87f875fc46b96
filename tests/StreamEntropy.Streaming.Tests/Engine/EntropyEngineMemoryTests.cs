using System.Buffers.Text;
using System.Diagnostics;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;
using Xunit.Abstractions;
using static StreamEntropy.Streaming.Tests.Engine.BudgetTestKit;

namespace StreamEntropy.Streaming.Tests.Engine;

/// <summary>Retained memory of the engine for a field with 10⁶ distinct values, with and without a MaxDistinct budget.</summary>
/// <remarks>Measured as the growth of <see cref="GC.GetTotalMemory(bool)"/> after full collections while the engine is
/// alive, so the test runs alone (its collection disables parallelisation): other tests' allocations would blur it.</remarks>
[Collection(MemoryMeasurementGroup.Name)]
public sealed class EntropyEngineMemoryTests(ITestOutputHelper output)
{
    private const int Distinct = 1_000_000;

    [Fact]
    public void Process_MillionDistinctValuesWithMaxDistinct1000_RetainsBoundedMemory()
    {
        (long exactBytes, double exactRate) = Measure(budget: 0);
        (long boundedBytes, double boundedRate) = Measure(budget: 1000);
        output.WriteLine($"retained: exact {exactBytes / 1048576.0:F1} MiB, MaxDistinct=1000 {boundedBytes / 1024.0:F0} KiB; events/s (informational): exact {exactRate:F0}, bounded {boundedRate:F0}");

        // A field summary of 1000 counters is ~60 KB; the pair keeps three (joint and both marginals).
        Assert.True(boundedBytes < 2 * 1024 * 1024, $"bounded engine retained {boundedBytes} bytes");
        Assert.True(exactBytes > 20 * boundedBytes, $"exact {exactBytes} vs bounded {boundedBytes} bytes");
    }

    private static (long Bytes, double EventsPerSecond) Measure(int budget)
    {
        long before = GC.GetTotalMemory(forceFullCollection: true);
        EntropyEngine engine = CreateEngine(budget, [new WindowDefinition("all", WindowKind.Cumulative)]);
        byte[] buffer = new byte[64];
        ReadOnlySpan<byte> prefix = "{\"country\":\"C0\",\"user\":{\"id\":\"u"u8;
        ReadOnlySpan<byte> suffix = "\"}}"u8;
        prefix.CopyTo(buffer);
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < Distinct; i++)
        {
            buffer[12] = (byte)('0' + (i % 7)); // the country digit
            Utf8Formatter.TryFormat(i, buffer.AsSpan(prefix.Length), out int digits);
            suffix.CopyTo(buffer.AsSpan(prefix.Length + digits));
            engine.Process(buffer.AsSpan(0, prefix.Length + digits + suffix.Length), i);
        }

        double rate = Distinct / watch.Elapsed.TotalSeconds;
        long after = GC.GetTotalMemory(forceFullCollection: true);
        WindowSnapshot snapshot = engine.Snapshot()[0];
        Assert.Equal(Distinct, snapshot.Fields[1].Count);
        Assert.Equal(budget == 0, snapshot.Fields[1].IsExact);
        GC.KeepAlive(engine);
        return (after - before, rate);
    }
}

/// <summary>Tests that measure process-wide memory and must not run beside others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementGroup
{
    public const string Name = "Memory measurement";
}
