using System.Text;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Profiling;

namespace StreamEntropy.Streaming.Tests.Profiling;

/// <summary>A very wide CSV (issue 14, item 7): counting memory follows the cells counted, not columns × a fixed table size.</summary>
public sealed class WideFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("stream-entropy-wide-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Count_20000ColumnsBy20Rows_AllocatesAFewKilobytesPerColumn()
    {
        const int Columns = 20_000;
        var text = new StringBuilder(string.Join(',', Enumerable.Range(0, Columns).Select(c => $"c{c}"))).Append('\n');
        for (int row = 0; row < 20; row++)
        {
            text.AppendJoin(',', Enumerable.Range(0, Columns).Select(c => ((row * 7) + c) % 5)).Append('\n');
        }

        string path = Path.Combine(_dir, "wide.csv");
        File.WriteAllText(path, text.ToString());
        IReadOnlyList<string> header = FileProfiler.DiscoverFields(path, InputFormat.Csv);
        var schema = new EventSchema([.. header.Select(h => new FieldDefinition(h, h))], []);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var set = new FrequencySet(new EventEncoder(schema));
        long rows = FileProfiler.Count(path, InputFormat.Csv, set);

        long perColumn = (GC.GetAllocatedBytesForCurrentThread() - before) / Columns;
        Assert.Equal(20, rows);
        Assert.Equal(5, set.Field(17).Distinct);

        // Each column's interner and table used to reserve an 8 KiB fingerprint alone; now they start at a few
        // hundred bytes and grow with what they count (5 values, counts up to 4 here).
        Assert.True(perColumn < 4096, $"{perColumn} bytes allocated per column");
    }
}
