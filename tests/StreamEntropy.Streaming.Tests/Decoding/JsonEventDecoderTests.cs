using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using CsCheck;
using StreamEntropy.Streaming.Decoding;

namespace StreamEntropy.Streaming.Tests.Decoding;

public class JsonEventDecoderTests
{
    [Fact]
    public void Decode_NestedPaths_ExtractsEachValue()
    {
        var decoder = new JsonEventDecoder(["user.country", "user.device.os", "amount", "user.device", "user.missing"]);

        DecodeError error = decoder.Decode("""{"id":7,"user":{"country":"FR","device":{"os":"ios","v":[1,2]}},"amount":12}"""u8);

        Assert.Equal(DecodeError.None, error);
        Assert.Equal(string.Empty, decoder.LastErrorDetail);
        Assert.Equal(5, decoder.FieldCount);
        Assert.Equal("FR", Value(decoder, 0));
        Assert.Equal("ios", Value(decoder, 1));
        Assert.Equal("12", Value(decoder, 2));
        Assert.Equal("""{"os":"ios","v":[1,2]}""", Value(decoder, 3));
        Assert.Null(Value(decoder, 4));
    }

    [Fact]
    public void Decode_EscapedKey_MatchesUnescapedPath()
    {
        var decoder = new JsonEventDecoder(["user.country", "caf\u00e9"]);

        DecodeError error = decoder.Decode("""{"\u0075ser":{"\u0063ountry":"DE"},"caf\u00E9":1}"""u8);

        Assert.Equal(DecodeError.None, error);
        Assert.Equal("DE", Value(decoder, 0));
        Assert.Equal("1", Value(decoder, 1));
    }

    [Fact]
    public void Decode_UnicodeAndEscapedValues_ReturnsUnescapedUtf8()
    {
        var decoder = new JsonEventDecoder(["raw", "escaped", "pair", "quote"]);

        DecodeError error = decoder.Decode("""{"raw":"日本 é","escaped":"caf\u00e9\n","pair":"\ud83d\ude00","quote":"say \"hi\" \\ \/"}"""u8);

        Assert.Equal(DecodeError.None, error);
        Assert.Equal("日本 é", Value(decoder, 0));
        Assert.Equal("café\n", Value(decoder, 1));
        Assert.True(decoder.TryGetValue(2, out ReadOnlySpan<byte> pair));
        Assert.Equal(new byte[] { 0xF0, 0x9F, 0x98, 0x80 }, pair.ToArray());
        Assert.Equal("say \"hi\" \\ /", Value(decoder, 3));
    }

    [Fact]
    public void Decode_NumbersAndLiterals_ReturnsTokensAsWritten()
    {
        var decoder = new JsonEventDecoder(["a", "b", "c", "d", "e", "f"]);

        DecodeError error = decoder.Decode("""{"a":1.50,"b":-0,"c":1E+2,"d":123456789012345678901234567890,"e":true,"f":false}"""u8);

        Assert.Equal(DecodeError.None, error);
        AssertValues(decoder, "1.50", "-0", "1E+2", "123456789012345678901234567890", "true", "false");
    }

    [Fact]
    public void Decode_RepeatedKey_LastOccurrenceWins()
    {
        var decoder = new JsonEventDecoder(["a", "a.b", "c.d"]);

        DecodeError error = decoder.Decode("""{"a":1,"c":{"d":"x"},"a":{"b":2},"c":{"e":3},"a":{"b":3}}"""u8);

        Assert.Equal(DecodeError.None, error);
        Assert.Equal("""{"b":3}""", Value(decoder, 0));
        Assert.Equal("3", Value(decoder, 1));
        Assert.Null(Value(decoder, 2)); // the last "c" has no "d"
    }

    [Fact]
    public void Decode_RepeatedKeyEndingInScalar_DropsValuesBelowEarlierOccurrence()
    {
        var decoder = new JsonEventDecoder(["a.b"]);

        DecodeError error = decoder.Decode("""{"a":{"b":1},"a":5}"""u8);

        Assert.Equal(DecodeError.None, error);
        Assert.Null(Value(decoder, 0));
    }

    [Fact]
    public void Decode_NullOrAbsent_IsMissing()
    {
        var decoder = new JsonEventDecoder(["n", "absent", "o.n"]);

        DecodeError error = decoder.Decode("""{"n":null,"o":{"n":null}}"""u8);

        Assert.Equal(DecodeError.None, error);
        AssertValues(decoder, null, null, null);
    }

    [Theory]
    [InlineData("""{"a":5}""")]
    [InlineData("""{"a":"b"}""")]
    [InlineData("""{"a":[{"b":1}]}""")]
    [InlineData("""{"a":null}""")]
    [InlineData("""{"a":true}""")]
    public void Decode_PathThroughNonObject_IsMissing(string json)
    {
        var decoder = new JsonEventDecoder(["a.b"]);

        DecodeError error = decoder.Decode(Encoding.UTF8.GetBytes(json));

        Assert.Equal(DecodeError.None, error);
        Assert.False(decoder.TryGetValue(0, out _));
    }

    [Fact]
    public void Decode_ContainerAtPath_ReturnsRawJsonAsWritten()
    {
        var decoder = new JsonEventDecoder(["arr", "obj"]);

        DecodeError error = decoder.Decode("{ \"arr\" : [ 1 ,\n \"x\" ] , \"obj\":{ \"k\" : {} } }"u8);

        Assert.Equal(DecodeError.None, error);
        Assert.Equal("[ 1 ,\n \"x\" ]", Value(decoder, 0));
        Assert.Equal("{ \"k\" : {} }", Value(decoder, 1));
    }

    [Fact]
    public void Decode_SamePathTwice_FillsBothFields()
    {
        var decoder = new JsonEventDecoder(["a.b", "a.b"]);

        Assert.Equal(DecodeError.None, decoder.Decode("""{"a":{"b":"v"}}"""u8));

        AssertValues(decoder, "v", "v");
    }

    [Theory]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xFF, (byte)'"', (byte)'}' }, DecodeError.InvalidUtf8, "byte 6")]
    [InlineData(new byte[] { (byte)'{', 0xC3, (byte)'}' }, DecodeError.InvalidUtf8, "byte 1")]
    [InlineData(new byte[] { }, DecodeError.InvalidJson, "byte 0")]
    [InlineData(new byte[] { (byte)' ', (byte)'\n', (byte)'\t' }, DecodeError.InvalidJson, "byte")]
    public void Decode_MalformedBytes_ReturnsErrorWithPosition(byte[] input, DecodeError expected, string detailPart)
    {
        var decoder = new JsonEventDecoder(["a"]);

        DecodeError error = decoder.Decode(input);

        Assert.Equal(expected, error);
        Assert.Contains(detailPart, decoder.LastErrorDetail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"a": x}""", "byte 6")]
    [InlineData("""{"a":1}  x""", "byte 9")]
    [InlineData("""{"a":1}{}""", "byte 7")]
    [InlineData("{\n\"a\":1,\n}", "byte 9")]
    [InlineData("""{"a":1""", "byte")]
    [InlineData("""{"a":"unterminated}""", "byte")]
    [InlineData("""[1,2""", "byte")]
    [InlineData("""{'a':1}""", "byte 1")]
    [InlineData("""{"a":1,/*c*/"b":2}""", "byte")]
    public void Decode_InvalidJson_ReturnsInvalidJsonWithPosition(string json, string detailPart)
    {
        var decoder = new JsonEventDecoder(["a"]);

        DecodeError error = decoder.Decode(Encoding.UTF8.GetBytes(json));

        Assert.Equal(DecodeError.InvalidJson, error);
        Assert.StartsWith("invalid JSON at byte", decoder.LastErrorDetail, StringComparison.Ordinal);
        Assert.Contains(detailPart, decoder.LastErrorDetail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData(" 5")]
    [InlineData("\"s\"")]
    [InlineData("null")]
    [InlineData("[{\"a\":1}]")]
    public void Decode_TopLevelNotObject_ReturnsNotAnObject(string json)
    {
        var decoder = new JsonEventDecoder(["a"]);

        DecodeError error = decoder.Decode(Encoding.UTF8.GetBytes(json));

        Assert.Equal(DecodeError.NotAnObject, error);
        Assert.Contains("not an object", decoder.LastErrorDetail, StringComparison.Ordinal);
        Assert.False(decoder.TryGetValue(0, out _));
    }

    [Theory]
    [InlineData("""{"a":{"b":{"c":1}}}""", DecodeError.None)] // depth 3
    [InlineData("""{"a":{"b":{"c":{}}}}""", DecodeError.TooDeep)] // on the path
    [InlineData("""{"x":[[[1]]]}""", DecodeError.TooDeep)] // in a skipped subtree
    [InlineData("""{"x":[[1]]}""", DecodeError.None)]
    public void Decode_NestingBeyondMaxDepth_ReturnsTooDeep(string json, DecodeError expected)
    {
        var decoder = new JsonEventDecoder(["a.b.c"], maxDepth: 3);

        DecodeError error = decoder.Decode(Encoding.UTF8.GetBytes(json));

        Assert.Equal(expected, error);
        if (expected == DecodeError.TooDeep)
        {
            Assert.Contains("deeper than 3", decoder.LastErrorDetail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Decode_DefaultMaxDepth_AgreesWithJsonDocument()
    {
        var decoder = new JsonEventDecoder(["a"]);
        byte[] depth64 = Encoding.UTF8.GetBytes("{\"a\":" + new string('[', 63) + new string(']', 63) + "}");
        byte[] depth65 = Encoding.UTF8.GetBytes("{\"a\":" + new string('[', 64) + new string(']', 64) + "}");

        Assert.Equal(DecodeError.None, decoder.Decode(depth64));
        Assert.True(OracleAcceptsObject(depth64));
        Assert.Equal(DecodeError.TooDeep, decoder.Decode(depth65));
        Assert.False(OracleAcceptsObject(depth65));
    }

    [Fact]
    public void Decode_EventLongerThanLimit_ReturnsTooLarge()
    {
        var decoder = new JsonEventDecoder(["a"], maxEventBytes: 8);

        Assert.Equal(DecodeError.None, decoder.Decode("""{"a":12}"""u8));
        Assert.Equal(DecodeError.TooLarge, decoder.Decode("""{"a":123}"""u8));
        Assert.Contains("9 bytes", decoder.LastErrorDetail, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_EscapedLoneSurrogateInValue_ReturnsInvalidUtf8()
    {
        var decoder = new JsonEventDecoder(["a"]);

        DecodeError error = decoder.Decode("""{"a":"x\ud800y"}"""u8);

        Assert.Equal(DecodeError.InvalidUtf8, error);
        Assert.Contains("byte 5", decoder.LastErrorDetail, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_AfterFailure_ClearsPreviousValuesAndRecovers()
    {
        var decoder = new JsonEventDecoder(["a"]);
        Assert.Equal(DecodeError.None, decoder.Decode("""{"a":"first"}"""u8));

        Assert.Equal(DecodeError.InvalidJson, decoder.Decode("""{"a":"second" """u8));
        Assert.False(decoder.TryGetValue(0, out _));

        Assert.Equal(DecodeError.None, decoder.Decode("""{"a":"third"}"""u8));
        Assert.Equal("third", Value(decoder, 0));
        Assert.Equal(string.Empty, decoder.LastErrorDetail);
    }

    [Fact]
    public void Decode_ManyLargeValues_GrowsBufferAndKeepsEarlierValues()
    {
        var decoder = new JsonEventDecoder(["a", "b"]);
        string big = new('x', 5000);

        Assert.Equal(DecodeError.None, decoder.Decode(Encoding.UTF8.GetBytes($"{{\"a\":\"{big}\",\"b\":\"{big}y\"}}")));

        Assert.Equal(big, Value(decoder, 0));
        Assert.Equal(big + "y", Value(decoder, 1));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a..b")]
    [InlineData(".a")]
    [InlineData("a.")]
    public void Constructor_EmptySegment_ThrowsArgumentException(string path)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new JsonEventDecoder([path]));
        Assert.StartsWith(JsonEventDecoder.ValidatePath(path), e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a..b", "Path 'a..b' has an empty segment.")]
    [InlineData(".a", "Path '.a' has an empty segment.")]
    [InlineData("a", null)]
    [InlineData("user.country", null)]
    public void ValidatePath_ReturnsTheProblemOrNull(string path, string? problem) =>
        Assert.Equal(problem, JsonEventDecoder.ValidatePath(path));

    [Fact]
    public void TryGetValue_IndexOutOfRange_Throws()
    {
        var decoder = new JsonEventDecoder(["a"]);

        Assert.Throws<ArgumentOutOfRangeException>(() => decoder.TryGetValue(1, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => decoder.TryGetValue(-1, out _));
    }

    [Fact]
    public void Decode_SteadyState_AllocatesNothing()
    {
        var decoder = new JsonEventDecoder(["user.country", "user.device", "amount", "tags", "note"]);
        byte[][] events =
        [
            """{"user":{"country":"FR","device":"ios","x":[1,{"y":2}]},"amount":1.50,"tags":["a","b"],"note":"caf\u00e9 \"q\""}"""u8.ToArray(),
            """{"amount":7,"user":{"\u0063ountry":"DE"},"skip":{"deep":{"er":[true,false,null]}},"note":null}"""u8.ToArray(),
        ];
        int checksum = 0;
        for (int i = 0; i < 1000; i++)
        {
            checksum += Decode(decoder, events[i % 2]);
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
                checksum += Decode(decoder, events[i % 2]);
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            measured += 5_000;
        }

        Assert.Equal(0, allocated);
        Assert.Equal((1_000 + measured) / 2 * (27 + 3), checksum); // 2+3+4+9+9 value bytes in the first event, 2+1 in the second

        // No Assert inside the measured loop: xunit's equality comparers allocate.
        static int Decode(JsonEventDecoder decoder, byte[] utf8)
        {
            if (decoder.Decode(utf8) != DecodeError.None)
            {
                return -1_000_000;
            }

            int total = 0;
            for (int f = 0; f < decoder.FieldCount; f++)
            {
                total += decoder.TryGetValue(f, out ReadOnlySpan<byte> text) ? text.Length : 0;
            }

            return total;
        }
    }

    [Fact]
    public void Decode_RandomBytes_NeverThrowsAndAcceptsOnlyWhatJsonDocumentAccepts()
    {
        var decoder = new ThreadLocal<JsonEventDecoder>(() => new JsonEventDecoder(RandomJson.AllPaths()));
        Gen.Byte.Array.Sample(bytes => AssertAgreesWithOracle(decoder.Value!, bytes), iter: 10_000);
    }

    [Fact]
    public void Decode_RandomJsonAlphabetBytes_NeverThrowsAndAcceptsOnlyWhatJsonDocumentAccepts()
    {
        // Bytes drawn from JSON's own alphabet reach valid objects far more often than uniform bytes.
        var decoder = new ThreadLocal<JsonEventDecoder>(() => new JsonEventDecoder(RandomJson.AllPaths()));
        byte[] alphabet = "{}[]\":, a1\\u0"u8.ToArray();
        Gen.Int[0, alphabet.Length - 1].Select(i => alphabet[i]).Array[0, 24]
            .Sample(bytes => AssertAgreesWithOracle(decoder.Value!, bytes), iter: 10_000);
    }

    [Fact]
    public void Decode_MutatedValidEvents_NeverThrowsAndAcceptsOnlyWhatJsonDocumentAccepts()
    {
        var decoder = new ThreadLocal<JsonEventDecoder>(() => new JsonEventDecoder(RandomJson.AllPaths()));
        Gen.Int.Select(RandomJson.Mutated).Sample(bytes => AssertAgreesWithOracle(decoder.Value!, bytes), iter: 20_000);
    }

    [Fact]
    public void Decode_RandomValidObjects_ValuesEqualJsonDocument()
    {
        IReadOnlyList<string> paths = RandomJson.AllPaths();
        var decoder = new ThreadLocal<JsonEventDecoder>(() => new JsonEventDecoder(paths));
        Gen.Int.Select(RandomJson.Object).Sample(bytes =>
        {
            JsonEventDecoder d = decoder.Value!;
            Assert.Equal(DecodeError.None, d.Decode(bytes));
            using var document = JsonDocument.Parse(bytes);
            for (int f = 0; f < paths.Count; f++)
            {
                byte[]? expected = OracleValue(document.RootElement, paths[f]);
                bool found = d.TryGetValue(f, out ReadOnlySpan<byte> actual);
                Assert.Equal(expected is not null, found);
                if (expected is not null)
                {
                    Assert.Equal(expected, actual.ToArray());
                }
            }
        }, iter: 10_000);
    }

    private static void AssertAgreesWithOracle(JsonEventDecoder decoder, byte[] bytes)
    {
        DecodeError error = decoder.Decode(bytes); // must not throw

        // JsonDocument checks UTF-8 inside strings only when they are read, so the oracle adds the
        // whole-event UTF-8 check that the decoder makes up front.
        bool accepted = OracleAcceptsObject(bytes) && Utf8.IsValid(bytes);
        if (error == DecodeError.None)
        {
            Assert.True(accepted, "decoded an event that JsonDocument rejects");
        }
        else
        {
            Assert.NotEqual(string.Empty, decoder.LastErrorDetail);

            // The one deliberate difference: a string with an escaped lone surrogate is valid JSON
            // syntax but has no UTF-8 text, so it is rejected when a path reads it.
            bool loneSurrogate = error == DecodeError.InvalidUtf8 && decoder.LastErrorDetail.Contains("unescaped", StringComparison.Ordinal);
            Assert.True(!accepted || loneSurrogate, $"rejected ({error}: {decoder.LastErrorDetail}) an event that JsonDocument accepts");
        }
    }

    private static bool OracleAcceptsObject(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static byte[]? OracleValue(JsonElement root, string path)
    {
        JsonElement element = root;
        foreach (string segment in path.Split('.'))
        {
            // TryGetProperty matches the last occurrence of a repeated key.
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(segment, out element))
            {
                return null;
            }
        }

        return element.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => Encoding.UTF8.GetBytes(element.GetString()!),
            _ => Encoding.UTF8.GetBytes(element.GetRawText()),
        };
    }

    private static string? Value(JsonEventDecoder decoder, int field) =>
        decoder.TryGetValue(field, out ReadOnlySpan<byte> text) ? Encoding.UTF8.GetString(text) : null;

    private static void AssertValues(JsonEventDecoder decoder, params string?[] expected)
    {
        Assert.Equal(expected.Length, decoder.FieldCount);
        for (int f = 0; f < expected.Length; f++)
        {
            Assert.Equal(expected[f], Value(decoder, f));
        }
    }
}
