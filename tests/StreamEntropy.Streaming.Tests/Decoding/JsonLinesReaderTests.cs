using System.Text;
using CsCheck;
using StreamEntropy.Streaming.Decoding;

namespace StreamEntropy.Streaming.Tests.Decoding;

public class JsonLinesReaderTests
{
    [Fact]
    public void ReadLine_Lines_ReturnsEachWithLineNumber()
    {
        using JsonLinesReader reader = Open("{\"a\":1}\n{\"a\":2}\n");

        Assert.Equal([(1L, "{\"a\":1}"), (2L, "{\"a\":2}")], ReadAll(reader));
        Assert.False(reader.ReadLine());
        Assert.True(reader.Line.IsEmpty);
    }

    [Fact]
    public void ReadLine_BlankLines_AreSkippedButCounted()
    {
        using JsonLinesReader reader = Open("\n{}\n   \n\t\r\n\r\n{\"b\":1}\n\n");

        Assert.Equal([(2L, "{}"), (6L, "{\"b\":1}")], ReadAll(reader));
    }

    [Fact]
    public void ReadLine_CrLfAndByteOrderMark_AreStripped()
    {
        using JsonLinesReader reader = Open("\uFEFF{\"a\":\"x\"}\r\n{\"a\":\"y\"}\r\n");

        Assert.Equal([(1L, "{\"a\":\"x\"}"), (2L, "{\"a\":\"y\"}")], ReadAll(reader));
    }

    [Fact]
    public void ReadLine_ByteOrderMarkNotAtStart_IsKept()
    {
        using JsonLinesReader reader = Open("a\n\uFEFFb");

        Assert.Equal([(1L, "a"), (2L, "\uFEFFb")], ReadAll(reader));
    }

    [Theory]
    [InlineData("x")]
    [InlineData("x\r")]
    [InlineData("x\n")]
    [InlineData("\r\nx")]
    public void ReadLine_MissingFinalLineBreak_ReturnsLastLine(string text)
    {
        using JsonLinesReader reader = Open(text);

        Assert.Equal("x", Assert.Single(ReadAll(reader)).Text);
    }

    [Fact]
    public void ReadLine_LineLongerThanBuffer_ReturnsWholeLine()
    {
        string big = "{\"a\":\"" + new string('x', 300_000) + "\"}";
        using JsonLinesReader reader = Open(big + "\n{}\n");

        Assert.Equal([(1L, big), (2L, "{}")], ReadAll(reader));
    }

    [Fact]
    public void ReadLine_WithJsonEventDecoder_GivesSameValuesAsSingleEvents()
    {
        string[] events = ["{\"user\":{\"country\":\"FR\"},\"n\":1.50}", "{\"user\":{\"country\":\"d\\u00e9\"}}", "[1]"];
        var decoder = new JsonEventDecoder(["user.country", "n"]);
        var expected = new List<string>();
        foreach (string e in events)
        {
            expected.Add(Describe(decoder, decoder.Decode(Encoding.UTF8.GetBytes(e))));
        }

        var actual = new List<string>();
        using (JsonLinesReader reader = Open(string.Join("\r\n", events)))
        {
            while (reader.ReadLine())
            {
                actual.Add(Describe(decoder, decoder.Decode(reader.Line)));
            }
        }

        Assert.Equal(["None FR 1.50", "None dé -", "NotAnObject - -"], expected);
        Assert.Equal(expected, actual);

        static string Describe(JsonEventDecoder decoder, DecodeError error) =>
            $"{error} {Text(decoder, 0)} {Text(decoder, 1)}";

        static string Text(JsonEventDecoder decoder, int field) =>
            decoder.TryGetValue(field, out ReadOnlySpan<byte> text) ? Encoding.UTF8.GetString(text) : "-";
    }

    [Fact]
    public void ReadLine_RandomTextAndTinyBuffers_MatchesSplitReference()
    {
        Gen<string> line = Gen.OneOf<string>("", " ", "{}", "{\"a\":1}", "\r", "é", "\uFEFF", "x y").Array[0, 4]
            .Select(parts => string.Concat(parts));
        Gen.Select(line.Array[0, 10], Gen.Bool, Gen.Bool, Gen.Int[1, 16]).Sample((lines, crlf, finalBreak, bufferBytes) =>
        {
            string text = string.Join(crlf ? "\r\n" : "\n", lines) + (finalBreak && lines.Length > 0 ? "\n" : "");

            // Reference: split at '\n', strip one trailing '\r', drop blank lines, BOM only at the start.
            string body = text.StartsWith('\uFEFF') ? text[1..] : text;
            var expected = new List<(long, string)>();
            string[] split = body.Split('\n');
            for (int i = 0; i < split.Length; i++)
            {
                string s = split[i].EndsWith('\r') ? split[i][..^1] : split[i];
                if (s.Trim(' ', '\t').Length > 0)
                {
                    expected.Add((i + 1, s));
                }
            }

            using var reader = new JsonLinesReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), leaveOpen: false, bufferBytes);
            Assert.Equal(expected, ReadAll(reader));
        }, iter: 2_000);
    }

    [Fact]
    public void ReadLine_SteadyState_AllocatesNothing()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 20_000; i++)
        {
            text.Append("{\"id\":").Append(i).Append(",\"country\":\"FR\"}").Append(i % 2 == 0 ? "\r\n" : "\n\n");
        }

        using var reader = new JsonLinesReader(new MemoryStream(Encoding.UTF8.GetBytes(text.ToString())));
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
        static long ReadOne(JsonLinesReader reader) =>
            reader.ReadLine() ? reader.Line.Length + (reader.LineNumber & 1) : -1_000_000;
    }

    [Fact]
    public void Dispose_LeaveOpen_KeepsStreamOpen()
    {
        var stream = new MemoryStream("{}"u8.ToArray());

        new JsonLinesReader(stream, leaveOpen: true).Dispose();
        Assert.True(stream.CanRead);
        new JsonLinesReader(stream).Dispose();
        Assert.False(stream.CanRead);
    }

    private static JsonLinesReader Open(string text) => new(new MemoryStream(Encoding.UTF8.GetBytes(text)));

    private static List<(long Line, string Text)> ReadAll(JsonLinesReader reader)
    {
        var lines = new List<(long, string)>();
        while (reader.ReadLine())
        {
            lines.Add((reader.LineNumber, Encoding.UTF8.GetString(reader.Line)));
        }

        return lines;
    }
}
