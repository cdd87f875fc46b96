using System.Text;
using CsCheck;
using StreamEntropy.Streaming.Decoding;

namespace StreamEntropy.Streaming.Tests.Decoding;

/// <summary>The decoder's path scanner against its reference, the <see cref="System.Text.Json.Utf8JsonReader"/>
/// walk (the same decoder built without the scanner): same error, same detail, same value of every path.</summary>
public class JsonPathScannerTests
{
    private static readonly string[] BenchmarkPaths = ["user.id", "country", "device", "event"];

    [Fact]
    public void Scanner_RandomValidObjects_DecidesAloneAndAgreesWithReference()
    {
        IReadOnlyList<string> paths = RandomJson.AllPaths();
        var pair = new ThreadLocal<(JsonEventDecoder Scanner, JsonEventDecoder Reference)>(() => Decoders(paths));
        Gen.Int.Select(RandomJson.Object).Sample(bytes =>
        {
            (JsonEventDecoder scanner, JsonEventDecoder reference) = pair.Value;
            AssertSame(scanner, reference, bytes);

            // RandomJson writes no lone surrogates and nests shallowly: nothing in it needs the reader walk.
            Assert.True(scanner.LastDecodeScanned, "the scanner handed a valid event to the reader walk");
        }, iter: 20_000);
    }

    [Fact]
    public void Scanner_MutatedValidObjects_AgreesWithReference()
    {
        IReadOnlyList<string> paths = RandomJson.AllPaths();
        var pair = new ThreadLocal<(JsonEventDecoder Scanner, JsonEventDecoder Reference)>(() => Decoders(paths));
        Gen.Int.Select(RandomJson.Mutated).Sample(bytes => AssertSame(pair.Value.Scanner, pair.Value.Reference, bytes), iter: 30_000);
    }

    [Fact]
    public void Scanner_JsonAlphabetBytes_AgreesWithReference()
    {
        var pair = new ThreadLocal<(JsonEventDecoder Scanner, JsonEventDecoder Reference)>(() => Decoders(["a", "a.a", "u", "0"], maxDepth: 4));
        byte[] alphabet = "{}[]\":, a1\\u0-.eE+tfnrl/D8"u8.ToArray();
        Gen.Int[0, alphabet.Length - 1].Select(i => alphabet[i]).Array[0, 32]
            .Sample(bytes => AssertSame(pair.Value.Scanner, pair.Value.Reference, bytes), iter: 50_000);
    }

    [Fact]
    public void Scanner_AdversarialFragments_AgreesWithReference()
    {
        // Events glued from pieces that stress what the scanner decides alone: escapes (lone and paired surrogates,
        // bad hex), raw control characters, long strings past a vector width, numbers at the grammar's edges,
        // literals cut short, nesting around the limit, repeated keys on and off the paths, multi-byte UTF-8.
        string[] pieces =
        [
            "{", "}", "[", "]", ",", ":", " ", "\n", "\"a\"", "\"a\":", "\"b\":", "\"\\u0061\":", "\"\\ud800\"", "\"\\udc00x\"",
            "\"\\ud83d\\ude00\"", "\"\\u00E9\\n\\t\\\"\\\\\\/\\b\\f\\r\"", "\"\\uZZ00\"", "\"\\x\"", "\"\u0001\"", "\"\u007f\"",
            "\"" + new string('x', 40) + "\\\"" + new string('y', 40) + "\"", "\"日本é\"", "0", "-0", "01", "1.", ".5", "1e", "1e+",
            "-", "1.5E-3", "12345678901234567890123", "true", "tru", "false", "null", "nul", "truex", "\"é\":",
        ];
        var pair = new ThreadLocal<(JsonEventDecoder Scanner, JsonEventDecoder Reference)>(() => Decoders(["a", "a.b", "é", "a.a"], maxDepth: 5));
        Gen.Int[0, pieces.Length - 1].Array[0, 16]
            .Select(indexes => Encoding.UTF8.GetBytes("{\"a\":" + string.Concat(indexes.Select(i => pieces[i]))))
            .Sample(bytes => AssertSame(pair.Value.Scanner, pair.Value.Reference, bytes), iter: 50_000);
    }

    [Fact]
    public void Scanner_RandomBytes_AgreesWithReference()
    {
        var pair = new ThreadLocal<(JsonEventDecoder Scanner, JsonEventDecoder Reference)>(() => Decoders(RandomJson.AllPaths()));
        Gen.Byte.Array.Sample(bytes => AssertSame(pair.Value.Scanner, pair.Value.Reference, bytes), iter: 10_000);
    }

    [Fact]
    public void Scanner_StringsAcrossVectorWidths_AgreeWithReference()
    {
        // The string scan reads 16 bytes at a time while a whole vector fits in the event and byte by byte after that,
        // and notes non-ASCII bytes so that only such events get their UTF-8 checked: values, keys and skipped strings
        // of 0-40 bytes, with one stop byte (quote, backslash escape, raw control character), a multi-byte character
        // or invalid UTF-8 (a lone lead or continuation byte, an overlong form, an encoded surrogate, 0xFF) at any
        // position, placed so that the string ends at every distance from the end of the event, and events cut
        // inside such a string.
        byte[][] stops =
        [
            [], "\\\""u8.ToArray(), "\\\\"u8.ToArray(), "\\n"u8.ToArray(), "\\u00e9"u8.ToArray(), "\\ud800"u8.ToArray(), [0x01],
            [0x1F], [0x7F], "é"u8.ToArray(), "日"u8.ToArray(), "\\"u8.ToArray(), "\\x"u8.ToArray(), [0xC3], [0x80], [0xC0, 0xAF],
            [0xED, 0xA0, 0x80], [0xFF], [0xE6, 0x97],
        ];
        var pair = new ThreadLocal<(JsonEventDecoder Scanner, JsonEventDecoder Reference)>(() => Decoders(["a", "b.c"]));
        Gen.Select(Gen.Int[0, 40], Gen.Int[0, 40], Gen.Int[0, stops.Length - 1], Gen.Int[0, 3], Gen.Int[0, 20]).Sample((length, at, stop, shape, cut) =>
        {
            byte[] x = Encoding.ASCII.GetBytes(new string('x', length));
            byte[] text = [.. x.AsSpan(0, Math.Min(at, length)), .. stops[stop], .. x.AsSpan(Math.Min(at, length))];
            byte[] bytes = shape switch
            {
                0 => [.. "{\"a\":\""u8, .. text, .. "\"}"u8],
                1 => [.. "{\"skip\":\""u8, .. text, .. "\",\"a\":1}"u8],
                2 => [.. "{\"b\":{\"c\":\""u8, .. text, .. "\"},\""u8, .. text, .. "\":[\""u8, .. text, .. "\"]}"u8],
                _ => [.. "{\"a\":\""u8, .. text, .. "\""u8, .. Encoding.ASCII.GetBytes(new string(' ', cut)), .. "}"u8],
            };
            AssertSame(pair.Value.Scanner, pair.Value.Reference, bytes);

            // Well-formed text (no raw control character, bad escape, lone surrogate or invalid UTF-8) is the
            // scanner's to decide.
            bool wellFormed = stop is 0 or 1 or 2 or 3 or 4 or 8 or 9 or 10;
            Assert.True(!wellFormed || pair.Value.Scanner.LastDecodeScanned, "the scanner handed a valid event to the reader walk");
            AssertSame(pair.Value.Scanner, pair.Value.Reference, bytes.AsSpan(0, Math.Max(0, bytes.Length - 1 - cut)).ToArray());
        }, iter: 30_000);
    }

    [Fact]
    public void Scanner_KeysAroundTheEightByteHead_AgreeWithReference()
    {
        // The scanner matches a key by its length and first 8 bytes (one load, assembled byte by byte near the event's
        // end), then by its tail: configured segments of 1-17 bytes with shared heads, keys that differ from them in
        // the first, eighth, ninth or last byte or are a byte shorter or longer, escaped spellings of them, at any
        // depth and as the event's last bytes.
        string[] segments = ["a", "abcdefg", "abcdefgh", "abcdefgi", "abcdefghi", "abcdefghijklmnopq", "abcdefghijklmnopz", "zbcdefgh"];
        string[] paths = [.. segments, "abcdefgh.abcdefghi", "abcdefgh.a", "abcdefghi.abcdefgh", "abcdefghijklmnopq.abcdefg"];
        string[] keys =
        [
            .. segments, "", "b", "abcdefgj", "abcdefghj", "abcdefghijklmnop", "abcdefghijklmnopqr", "Abcdefgh", "abcdefgH",
            "abcdefg\\u0068", "\\u0061bcdefghi", "abcdefghijklmnop\\u0071", "abcdefg\\u0069", "é", "abcdefé", "abcdefgé",
        ];
        var pair = new ThreadLocal<(JsonEventDecoder Scanner, JsonEventDecoder Reference)>(() => Decoders(paths));
        Gen.Select(Gen.Int[0, keys.Length - 1].Array[1, 6], Gen.Int[0, 3].Array[6], Gen.Int[0, keys.Length - 1].Array[3], Gen.Int[0, 9])
            .Sample((members, kinds, inner, trailing) =>
            {
                var json = new StringBuilder("{");
                for (int i = 0; i < members.Length; i++)
                {
                    json.Append(i == 0 ? "" : ",").Append('"').Append(keys[members[i]]).Append("\":");
                    _ = kinds[i] switch
                    {
                        0 => json.Append("\"v").Append(i).Append('"'),
                        1 => json.Append(i * 7),
                        2 => json.Append("{\"").Append(keys[inner[0]]).Append("\":\"w\",\"").Append(keys[inner[1]]).Append("\":").Append(i).Append('}'),
                        _ => json.Append("{\"").Append(keys[inner[2]]).Append("\":{\"").Append(keys[inner[0]]).Append("\":true}}"),
                    };
                }

                json.Append('}').Append(' ', trailing);
                byte[] bytes = Encoding.UTF8.GetBytes(json.ToString());
                AssertSame(pair.Value.Scanner, pair.Value.Reference, bytes);
                Assert.True(pair.Value.Scanner.LastDecodeScanned, "the scanner handed a valid event to the reader walk");
            }, iter: 30_000);
    }

    [Theory]
    [InlineData("""{"user":{"id":"u0123456","tier":"gold"},"country":"DE","device":"android-14","event":"add_to_cart","ms":412}""", true)]
    [InlineData("""{"user":{"id":"u\u0030","skip":[{"x":"\ud83d\ude00"}]},"country":"D\"E","event":null} """, true)]
    [InlineData("""{"user":{"id":"x\ud800"}}""", false)] // no UTF-8 text: the walk reports InvalidUtf8
    [InlineData("""{"user":{"\ud800":1}}""", false)] // a key on the path that does not unescape
    [InlineData("""{"user":{"id":1},}""", false)] // malformed: the walk reports where
    public void Scanner_DecidesWhatItCanAndHandsTheRestToTheReference(string json, bool scanned)
    {
        (JsonEventDecoder scanner, JsonEventDecoder reference) = Decoders(BenchmarkPaths);

        AssertSame(scanner, reference, Encoding.UTF8.GetBytes(json));

        Assert.Equal(scanned, scanner.LastDecodeScanned);
    }

    [Fact]
    public void Scanner_NestingBeyondItsRecursion_TakesTheReaderWalk()
    {
        (JsonEventDecoder scanner, JsonEventDecoder reference) = Decoders(["a", "b"], maxDepth: 200);
        byte[] deep = Encoding.UTF8.GetBytes("{\"a\":" + new string('[', 150) + new string(']', 150) + ",\"b\":7}");
        byte[] shallow = Encoding.UTF8.GetBytes("{\"a\":" + new string('[', 40) + new string(']', 40) + ",\"b\":7}");

        AssertSame(scanner, reference, deep);
        Assert.False(scanner.LastDecodeScanned);
        Assert.Equal(DecodeError.None, scanner.Decode(deep));

        AssertSame(scanner, reference, shallow);
        Assert.True(scanner.LastDecodeScanned);
    }

    private static (JsonEventDecoder Scanner, JsonEventDecoder Reference) Decoders(IReadOnlyList<string> paths, int maxDepth = 64) =>
        (new JsonEventDecoder(paths, maxDepth, 1 << 20, useScanner: true), new JsonEventDecoder(paths, maxDepth, 1 << 20, useScanner: false));

    private static void AssertSame(JsonEventDecoder scanner, JsonEventDecoder reference, byte[] bytes)
    {
        DecodeError expected = reference.Decode(bytes);
        Assert.Equal(expected, scanner.Decode(bytes));
        Assert.Equal(reference.LastErrorDetail, scanner.LastErrorDetail);
        for (int f = 0; f < reference.FieldCount; f++)
        {
            bool found = reference.TryGetValue(f, out ReadOnlySpan<byte> expectedText);
            Assert.Equal(found, scanner.TryGetValue(f, out ReadOnlySpan<byte> actualText));
            Assert.Equal(expectedText.ToArray(), actualText.ToArray());
        }
    }
}
