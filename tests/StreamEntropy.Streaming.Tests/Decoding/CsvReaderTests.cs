using System.Text;
using CsCheck;
using StreamEntropy.Streaming.Decoding;

namespace StreamEntropy.Streaming.Tests.Decoding;

public class CsvReaderTests
{
    [Fact]
    public void ReadRecord_SimpleFile_ReturnsFieldsAndLineNumbers()
    {
        using CsvReader reader = Open("id,name,score\n1,ann,3.5\n2,bob,\n");

        Assert.Equal(["id", "name", "score"], reader.Header);
        Assert.Equal(1, reader.LineNumber);
        Assert.Equal([["1", "ann", "3.5"], ["2", "bob", ""]], ReadAll(reader, out long[] lines));
        Assert.Equal([2L, 3L], lines);
        Assert.False(reader.ReadRecord());
    }

    [Fact]
    public void ReadRecord_QuotedFields_RemovesQuotesAndUnescapesDoubledQuotes()
    {
        using CsvReader reader = Open("a,b,c\n\"x,y\",\"say \"\"hi\"\"\",\"\"\n\"\"\"\",plain,\"é\"\n");

        Assert.Equal([["x,y", "say \"hi\"", ""], ["\"", "plain", "é"]], ReadAll(reader, out _));
    }

    [Fact]
    public void ReadRecord_EmbeddedNewlines_CountsPhysicalLines()
    {
        using CsvReader reader = Open("a,b\n\"line1\nline2\",x\r\n\"p\r\nq\nr\",y\nlast,z\n");

        Assert.Equal([["line1\nline2", "x"], ["p\r\nq\nr", "y"], ["last", "z"]], ReadAll(reader, out long[] lines));
        Assert.Equal([2L, 4L, 7L], lines);
    }

    [Fact]
    public void ReadRecord_CrLfLineEndings_StripsCarriageReturns()
    {
        using CsvReader reader = Open("a,b\r\n1,2\r\n\"3\",\"4\"\r\n");

        Assert.Equal(["a", "b"], reader.Header);
        Assert.Equal([["1", "2"], ["3", "4"]], ReadAll(reader, out long[] lines));
        Assert.Equal([2L, 3L], lines);
    }

    [Fact]
    public void Constructor_ByteOrderMark_IsSkipped()
    {
        using CsvReader reader = Open("\uFEFFid,v\n1,2\n");

        Assert.Equal(["id", "v"], reader.Header);
        Assert.Equal([["1", "2"]], ReadAll(reader, out _));
    }

    [Theory]
    [InlineData("a,b\n1,2")]
    [InlineData("a,b\n1,2\n")]
    [InlineData("a,b\r\n1,2\r\n")]
    [InlineData("a,b\n1,2\n\n")]
    [InlineData("a,b\r\n1,2\r\n\r\n")]
    public void ReadRecord_FinalLineBreakOrEmptyLine_EndsCleanly(string csv)
    {
        using CsvReader reader = Open(csv);

        Assert.Equal([["1", "2"]], ReadAll(reader, out _));
    }

    [Fact]
    public void ReadRecord_EmptyLineInMiddle_ThrowsWithLineNumber()
    {
        using CsvReader reader = Open("a,b\n1,2\n\n3,4\n");
        Assert.True(reader.ReadRecord());

        CsvFormatException e = Assert.Throws<CsvFormatException>(() => reader.ReadRecord());

        Assert.Equal(3, e.LineNumber);
        Assert.Equal("line 3: expected 2 fields, found an empty line", e.Message);
    }

    [Fact]
    public void ReadRecord_EmptyLineWithOneColumn_IsEmptyValue()
    {
        using CsvReader reader = Open("a\n1\n\n2\n");

        Assert.Equal([["1"], [""], ["2"]], ReadAll(reader, out long[] lines));
        Assert.Equal([2L, 3L, 4L], lines);
    }

    [Fact]
    public void ReadRecord_RaggedRow_ThrowsWithLineNumberThenContinues()
    {
        using CsvReader reader = Open("a,b,c,d\n1,2,3,4\n\"x\ny\",2,3\n5,6,7,8\n1,2,3,4,5\n");
        Assert.True(reader.ReadRecord());

        CsvFormatException fewer = Assert.Throws<CsvFormatException>(() => reader.ReadRecord());
        Assert.Equal("line 3: expected 4 fields, found 3", fewer.Message);
        Assert.Equal(3, fewer.LineNumber);

        Assert.True(reader.ReadRecord());
        Assert.Equal(5, reader.LineNumber);
        Assert.Equal("8", Encoding.UTF8.GetString(reader.GetField(3)));

        CsvFormatException more = Assert.Throws<CsvFormatException>(() => reader.ReadRecord());
        Assert.Equal("line 6: expected 4 fields, found 5", more.Message);
        Assert.False(reader.ReadRecord());
    }

    [Fact]
    public void ReadRecord_UnterminatedQuote_ThrowsNamingStartLineAndStaysFaulted()
    {
        using CsvReader reader = Open("a,b\n1,2\n3,\"open\nstill open\n");
        Assert.True(reader.ReadRecord());

        CsvFormatException e = Assert.Throws<CsvFormatException>(() => reader.ReadRecord());
        Assert.Equal("line 3: unterminated quoted field", e.Message);

        CsvFormatException again = Assert.Throws<CsvFormatException>(() => reader.ReadRecord());
        Assert.Equal(e.Message, again.Message);
    }

    [Theory]
    [InlineData("a,b\n1,x\"y\n", 2)]
    [InlineData("a,b\n1,\"x\"y\n", 2)]
    [InlineData("a,b\n1,2\n\"x\ny\"z,1\n", 4)]
    public void ReadRecord_MisplacedQuote_ThrowsWithLineNumber(string csv, long line)
    {
        using CsvReader reader = Open(csv);

        CsvFormatException e = Assert.Throws<CsvFormatException>(() => ReadAll(reader, out _));

        Assert.Equal(line, e.LineNumber);
        Assert.StartsWith($"line {line}: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadRecord_InvalidUtf8_ThrowsNamingLineThenContinues()
    {
        byte[] csv = [.. "a,b\n1,2\n3,\"x\n"u8, 0xC3, .. "y\"\n5,6\n"u8];
        using var reader = new CsvReader(new MemoryStream(csv));
        Assert.True(reader.ReadRecord());

        CsvFormatException e = Assert.Throws<CsvFormatException>(() => reader.ReadRecord());
        Assert.Equal(4, e.LineNumber);
        Assert.Contains("invalid UTF-8", e.Message, StringComparison.Ordinal);

        Assert.True(reader.ReadRecord());
        Assert.Equal("5", Encoding.UTF8.GetString(reader.GetField(0)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\uFEFF")]
    [InlineData("\n")]
    public void Constructor_EmptyInput_ThrowsAndDisposesStream(string csv)
    {
        var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv));

        CsvFormatException e = Assert.Throws<CsvFormatException>(() => new CsvReader(stream));

        Assert.Equal(1, e.LineNumber);
        Assert.False(stream.CanRead);
    }

    [Fact]
    public void Dispose_LeaveOpen_KeepsStreamOpen()
    {
        var stream = new MemoryStream("a\n1\n"u8.ToArray());

        new CsvReader(stream, leaveOpen: true).Dispose();
        Assert.True(stream.CanRead);
        stream.Position = 0;
        new CsvReader(stream, leaveOpen: false).Dispose();
        Assert.False(stream.CanRead);
    }

    [Fact]
    public void GetField_IndexOutOfRange_Throws()
    {
        using CsvReader reader = Open("a,b\n1,2\n");
        Assert.True(reader.ReadRecord());

        Assert.Throws<ArgumentOutOfRangeException>(() => reader.GetField(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.GetField(-1));
    }

    [Fact]
    public void ReadRecord_RecordLongerThanBuffer_GrowsBuffer()
    {
        string big = new('x', 200_000);
        string quoted = new('"', 1000);
        using CsvReader reader = Open($"a,b\n{big},\"{quoted}{quoted}\n\"\n1,2\n");

        Assert.Equal([[big, quoted + "\n"], ["1", "2"]], ReadAll(reader, out long[] lines));
        Assert.Equal([2L, 4L], lines);
    }

    [Fact]
    public void ReadRecord_RandomTables_RoundTrip()
    {
        Gen<string> cell = Gen.OneOf<string>("", "a", "bc", ",", "\"", "\"\"", "x,y", "é", "日本", "\n", "\r\n", "a\rb", " ", "1.50", "\r")
            .Array[0, 3].Select(parts => string.Concat(parts));

        // A tiny initial buffer makes every record straddle refills and growth.
        AssertRandomTablesRoundTrip(cell, maxRows: 12, maxBufferBytes: 64);
    }

    [Fact]
    public void ReadRecord_RandomTablesWithLongCells_RoundTrip()
    {
        // The field scan checks the first 16 bytes of a cell inline and searches the rest: cells of 0 to ~60 bytes with
        // delimiters, quotes and line breaks anywhere in them, at every offset from the end of the buffer.
        Gen<string> cell = Gen.OneOf<string>("", "a", "0123456789abcdef", "0123456", ",", "\"", "é", "日本", "\n", "\r\n", " ")
            .Array[0, 8].Select(parts => string.Concat(parts));
        AssertRandomTablesRoundTrip(cell, maxRows: 10, maxBufferBytes: 200);
    }

    [Fact]
    public void ReadRecord_LongCellsWithOtherDelimiters_RoundTrip()
    {
        Gen<string> cell = Gen.OneOf<string>("", "a", "0123456789abcdef", ",", ";", "\t", "\"", "é").Array[1, 8].Select(parts => string.Concat(parts));
        Gen.Select(Gen.OneOf<char>(';', '\t', '|'), cell.Array[3].Array[1, 8]).Sample((delimiter, rows) =>
        {
            string[] header = ["a", "b", "c"];
            byte[] csv = Encoding.UTF8.GetBytes(CsvText.Write(header, rows, delimiter, "\n"));
            using var reader = new CsvReader(new MemoryStream(csv), (byte)delimiter);

            Assert.Equal(header, reader.Header);
            Assert.Equal(rows, ReadAll(reader, out _));
        }, iter: 1_000);
    }

    [Fact]
    public void ReadRecord_SteadyState_AllocatesNothing()
    {
        var text = new StringBuilder("id,country,amount,note\r\n");
        for (int i = 0; i < 20_000; i++)
        {
            text.Append(i).Append(i % 3 == 0 ? ",FR," : ",\"D,E\",").Append(i % 100).Append(".50,\"say \"\"hi\"\"\nthere\"\r\n");
        }

        using var reader = new CsvReader(new MemoryStream(Encoding.UTF8.GetBytes(text.ToString())));
        long checksum = 0;
        for (int i = 0; i < 1000; i++)
        {
            checksum += ReadOne(reader);
        }

        // One-off runtime work (tier-up, a type's first use) may allocate once on this thread: steady state means a
        // round of 5 000 that allocates nothing, within three rounds.
        long allocated = long.MaxValue;
        int measured = 0;
        for (int round = 0; round < 3 && allocated != 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 5_000; i++)
            {
                checksum += ReadOne(reader);
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            measured += 5_000;
        }

        Assert.Equal(0, allocated);
        Assert.True(checksum > (1_000 + measured) * 20, $"checksum {checksum}");

        // No Assert inside the measured loop: xunit's equality comparers allocate.
        static long ReadOne(CsvReader reader)
        {
            if (!reader.ReadRecord())
            {
                return -1_000_000;
            }

            long total = reader.LineNumber & 1;
            for (int f = 0; f < reader.FieldCount; f++)
            {
                total += reader.GetField(f).Length;
            }

            return total;
        }
    }

    private static CsvReader Open(string csv) => new(new MemoryStream(Encoding.UTF8.GetBytes(csv)));

    private static void AssertRandomTablesRoundTrip(Gen<string> cell, int maxRows, int maxBufferBytes)
    {
        Gen<(int Columns, string[][] Rows)> table = Gen.Int[1, 4].SelectMany(columns =>
            cell.Array[columns].Array[0, maxRows].Select(rows => (columns, rows)));
        Gen<(bool CrLf, bool FinalBreak, int BufferBytes)> format = Gen.Select(Gen.Bool, Gen.Bool, Gen.Int[1, maxBufferBytes]);

        Gen.Select(table, format).Sample((t, f) =>
        {
            string[] header = [.. Enumerable.Range(0, t.Columns).Select(c => "col" + c)];
            byte[] csv = Write(header, t.Rows, f.CrLf ? "\r\n" : "\n", f.FinalBreak, out long[] expectedLines);
            using var reader = new CsvReader(new MemoryStream(csv), leaveOpen: false, f.BufferBytes);

            Assert.Equal(header, reader.Header);
            Assert.Equal(t.Rows, ReadAll(reader, out long[] lines));
            Assert.Equal(expectedLines, lines);
        }, iter: 2_000);
    }

    private static string[][] ReadAll(CsvReader reader, out long[] lineNumbers)
    {
        var records = new List<string[]>();
        var lines = new List<long>();
        while (reader.ReadRecord())
        {
            var record = new string[reader.FieldCount];
            for (int i = 0; i < record.Length; i++)
            {
                record[i] = Encoding.UTF8.GetString(reader.GetField(i));
            }

            records.Add(record);
            lines.Add(reader.LineNumber);
        }

        lineNumbers = [.. lines];
        return [.. records];
    }

    // The reference writer: quotes a cell when it holds a comma, quote, CR or LF, and quotes an empty
    // cell of a one-column table (unquoted, it would be an empty line).
    private static byte[] Write(string[] header, string[][] rows, string lineBreak, bool finalBreak, out long[] recordLines)
    {
        var text = new StringBuilder();
        var lines = new List<long>();
        long line = 1;
        WriteRecord(header);
        foreach (string[] row in rows)
        {
            text.Append(lineBreak);
            line++;
            lines.Add(line);
            WriteRecord(row);
        }

        if (finalBreak)
        {
            text.Append(lineBreak);
        }

        recordLines = [.. lines];
        return Encoding.UTF8.GetBytes(text.ToString());

        void WriteRecord(string[] cells)
        {
            for (int i = 0; i < cells.Length; i++)
            {
                if (i > 0)
                {
                    text.Append(',');
                }

                string cell = cells[i];
                if (cell.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (cell.Length == 0 && cells.Length == 1))
                {
                    text.Append('"').Append(cell.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
                    line += cell.Count(c => c == '\n');
                }
                else
                {
                    text.Append(cell);
                }
            }
        }
    }
}
