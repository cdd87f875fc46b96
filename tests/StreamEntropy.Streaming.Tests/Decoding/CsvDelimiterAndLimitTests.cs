using System.Text;
using CsCheck;
using StreamEntropy.Streaming.Decoding;

namespace StreamEntropy.Streaming.Tests.Decoding;

/// <summary><see cref="CsvReader"/> with delimiters other than a comma (given or detected from the header), distinct
/// column names, the record length limit, and <see cref="JsonLinesReader"/>'s line length limit.</summary>
public sealed class CsvDelimiterAndLimitTests
{
    [Fact]
    public void ReadRecord_RandomTablesAnyDelimiter_RoundTripGivenOrDetected()
    {
        Gen<string> cell = Gen.OneOf<string>("", "a", "bc", ",", ";", "\t", "|", "\"", "x;y", "é", "日本", "\n", "a\r\nb", " ")
            .Array[0, 3].Select(parts => string.Concat(parts));
        Gen<char> delimiter = Gen.OneOf<char>(',', ';', '\t', '|');
        Gen.Select(Gen.Int[2, 5], delimiter, Gen.Int[1, 64], Gen.Bool).SelectMany((columns, d, buffer, detect) =>
            cell.Array[columns].Array[0, 10].Select(rows => (columns, d, buffer, detect, rows))).Sample(t =>
        {
            string[] header = [.. Enumerable.Range(0, t.columns).Select(c => "col" + c)];
            byte[] csv = Write(header, t.rows, t.d);

            using var reader = new CsvReader(new MemoryStream(csv), leaveOpen: false, t.buffer, t.detect ? null : (byte)t.d);

            Assert.Equal((byte)t.d, reader.Delimiter);
            Assert.Equal(header, reader.Header);
            var read = new List<string[]>();
            while (reader.ReadRecord())
            {
                read.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => Encoding.UTF8.GetString(reader.GetField(i)))]);
            }

            Assert.Equal(t.rows, read);
        }, iter: 1_000);
    }

    [Theory]
    [InlineData("a;b;c\n1;2;3\n", ';', 3)]
    [InlineData("a\tb\n1\t2\n", '\t', 2)]
    [InlineData("a|b|c|d\n", '|', 4)]
    [InlineData("a,b;c\n", ',', 2)]                 // a tie: the comma wins
    [InlineData("\"x;y\",b\n", ',', 2)]              // delimiters inside quotes do not count
    [InlineData("single\n", ',', 1)]
    [InlineData("a;b,c;d\n", ';', 3)]
    public void Constructor_NoDelimiterGiven_DetectsItFromTheHeader(string csv, char expected, int columns)
    {
        using var reader = new CsvReader(new MemoryStream(Encoding.UTF8.GetBytes(csv)), delimiter: null);

        Assert.Equal((byte)expected, reader.Delimiter);
        Assert.Equal(columns, reader.Header.Count);
    }

    [Theory]
    [InlineData("a,b,a\n", "'a'", "columns 1 and 3")]
    [InlineData(",x,\n", "''", "columns 1 and 3")]
    public void Constructor_DuplicateColumnName_ThrowsNamingIt(string csv, string name, string where)
    {
        var e = Assert.Throws<CsvFormatException>(() => new CsvReader(new MemoryStream(Encoding.UTF8.GetBytes(csv))));

        Assert.Contains(name, e.Message, StringComparison.Ordinal);
        Assert.Contains(where, e.Message, StringComparison.Ordinal);
        Assert.Equal(1, e.LineNumber);
    }

    [Theory]
    [InlineData((byte)'"')]
    [InlineData((byte)'\n')]
    [InlineData((byte)'\r')]
    [InlineData((byte)0xC3)]
    public void Constructor_DelimiterThatCannotDelimit_Throws(byte delimiter) =>
        Assert.Throws<ArgumentException>(() => new CsvReader(new MemoryStream("a\n"u8.ToArray()), delimiter));

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void ReadRecord_RecordOverTheLimit_ThrowsNamingItsLineAndStaysFaulted(int bufferBytes)
    {
        // Records of up to 100 bytes pass under a 128-byte limit; the one of 300 bytes (with a quoted line break, so
        // it starts on line 4) does not, wherever the buffer refills fall.
        string csv = "a,b\n1,2\n" + new string('x', 100) + ",3\n\"" + new string('y', 150) + "\n" + new string('z', 150) + "\",4\n5,6\n";
        using var reader = new CsvReader(new MemoryStream(Encoding.UTF8.GetBytes(csv)), leaveOpen: false, bufferBytes, maxRecordBytes: 128);

        Assert.True(reader.ReadRecord());
        Assert.True(reader.ReadRecord());
        var e = Assert.Throws<LineTooLongException>(() => reader.ReadRecord());
        Assert.Equal(4, e.LineNumber);
        Assert.Contains("line 4", e.Message, StringComparison.Ordinal);
        Assert.Throws<LineTooLongException>(() => reader.ReadRecord());
    }

    [Fact]
    public void Constructor_HeaderOverTheLimit_Throws()
    {
        string csv = string.Join(',', Enumerable.Range(0, 100).Select(i => "column" + i)) + "\n1\n";

        Assert.Throws<LineTooLongException>(() => new CsvReader(new MemoryStream(Encoding.UTF8.GetBytes(csv)), leaveOpen: false, 16, delimiter: null, maxRecordBytes: 64));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void ReadLine_LineOverTheLimit_ThrowsNamingItsLine(int bufferBytes)
    {
        string text = "{\"a\":1}\n\n{\"a\":\"" + new string('x', 200) + "\"}\n{\"a\":2}\n";
        using var reader = new JsonLinesReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), leaveOpen: false, bufferBytes, maxLineBytes: 64);

        Assert.True(reader.ReadLine());
        var e = Assert.Throws<LineTooLongException>(() => reader.ReadLine());
        Assert.Equal(3, e.LineNumber);
        Assert.Throws<LineTooLongException>(() => reader.ReadLine());
    }

    private static byte[] Write(string[] header, string[][] rows, char delimiter) =>
        Encoding.UTF8.GetBytes(CsvText.Write(header, rows, delimiter, "\n"));
}
