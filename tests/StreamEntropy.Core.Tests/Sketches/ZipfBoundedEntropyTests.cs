using System.Diagnostics;
using System.Globalization;
using System.Text;
using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Core.Sketches;
using Xunit.Abstractions;

namespace StreamEntropy.Core.Tests.Sketches;

/// <summary>The acceptance run: 10⁷ Zipf events over 10⁶ values, exact counting versus bounded summaries.</summary>
[Trait("Category", "Slow")]
public class ZipfBoundedEntropyTests(ITestOutputHelper output)
{
    private const int Values = 1_000_000;
    private const int Events = 10_000_000;
    private const int ValueLength = 13; // "user-" + 8 digits
    private static readonly int[] Budgets = [4096, 16384];
    private static readonly Lazy<byte[]> ValueBytes = new(BuildValueBytes);

    [Theory]
    [InlineData(0.8)]
    [InlineData(1.0)]
    [InlineData(1.2)]
    [InlineData(1.5)]
    public void BoundedSummary_ZipfTenMillionEvents_BracketContainsExactAndMemoryWithinBudget(double exponent)
    {
        byte[] values = ValueBytes.Value;
        int[] stream = new int[Events];
        new ZipfStream(Values, exponent, seed: 0x5eed + (ulong)(exponent * 100)).Fill(stream);

        // Exact counting as today: intern the bytes, count by id.
        long exactAllocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var interner = new ValueInterner();
        var table = new CountTable();
        var watch = Stopwatch.StartNew();
        foreach (int rank in stream)
        {
            table.Add(interner.GetOrAdd(values.AsSpan(rank * ValueLength, ValueLength)));
        }

        double exactSeconds = watch.Elapsed.TotalSeconds;
        long exactBytes = GC.GetAllocatedBytesForCurrentThread() - exactAllocatedBefore; // includes growth garbage
        double exact = EntropyEstimators.PlugIn(table);
        Assert.Equal(Naive.PlugIn(table.Counts.ToArray()), exact, 1e-9);
        GC.KeepAlive(interner);

        var lines = new List<string>();
        foreach (int budget in Budgets)
        {
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var summary = BoundedCountSummary.ForMaxDistinct(budget);
            long constructed = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            watch.Restart();
            foreach (int rank in stream)
            {
                summary.Add(values.AsSpan(rank * ValueLength, ValueLength));
            }

            double boundedSeconds = watch.Elapsed.TotalSeconds;
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            EntropyBracket bracket = summary.Entropy();
            double evenSpread = summary.EvenSpreadEstimate();

            // The three requirements: containment, honesty, bounded memory (measured as allocation).
            Assert.Equal(Events, summary.Total);
            Assert.False(bracket.IsExact);
            Assert.True(bracket.Contains(exact), $"s={exponent}: exact {exact:R} outside [{bracket.Lower:R}, {bracket.Upper:R}]");
            Assert.True(constructed <= summary.EstimatedBytes, $"allocated {constructed} > estimated {summary.EstimatedBytes}");
            // Counting allocates nothing (asserted exactly in BoundedCountSummaryTests); here the thread's counter can also
            // pick up a few KiB from tiered JIT recompiling the loop mid-run, hence the slack.
            Assert.True(allocated <= 64 * 1024, $"counting allocated {allocated} bytes");
            Assert.True(summary.EstimatedBytes <= BoundedCountSummary.EstimateBytes(budget));

            double ln2 = Math.Log(2);
            lines.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"| {exponent:0.0} | {budget} | {exact / ln2:0.0000} | {bracket.Estimate / ln2:0.0000} | {(bracket.Estimate - exact) / ln2:+0.0000;-0.0000} | " +
                $"{(evenSpread - exact) / ln2:+0.0000;-0.0000} | {bracket.Lower / ln2:0.0000} | {bracket.Upper / ln2:0.0000} | {bracket.Width / ln2:0.0000} | " +
                $"{summary.EstimatedBytes / 1024.0:0} KiB | {exactBytes / 1048576.0:0.0} MiB | {table.Distinct} | " +
                $"{Events / exactSeconds / 1e6:0.0} | {Events / boundedSeconds / 1e6:0.0} |"));
        }

        output.WriteLine("| s | MaxDistinct | exact H (bits) | estimate | error | even-spread error | lower | upper | width | bounded memory | exact allocated | distinct | exact Mupd/s | bounded Mupd/s |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (string line in lines)
        {
            output.WriteLine(line);
        }
    }

    private static byte[] BuildValueBytes()
    {
        var bytes = new byte[Values * ValueLength];
        for (int r = 0; r < Values; r++)
        {
            Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"user-{r:D8}"), bytes.AsSpan(r * ValueLength, ValueLength));
        }

        return bytes;
    }
}
