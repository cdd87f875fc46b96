using System.Text;
using CsCheck;
using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Profiling;
using StreamEntropy.Streaming.Tests.Decoding;

namespace StreamEntropy.Streaming.Tests.Profiling;

/// <summary>The parallel path of <see cref="FileProfiler"/> (parts counted as batches on their own, merged in file
/// order) against the reference, one streaming pass: the same values and pairs with the same ids, the same counts, the
/// same results to 1e-12, and the same first error.</summary>
public sealed class ParallelFileProfilerTests : IDisposable
{
    private const double Tolerance = 1e-12;

    // Cells that stress the CSV reader and the split: delimiters, quotes, line breaks inside quotes (a part may start
    // inside one), UTF-8, long values, empty values; plus many distinct numbers.
    private static readonly Gen<string> Cell = Gen.Frequency(
        (6, Gen.Int[0, 40].Select(i => "v" + i)),
        (3, Gen.Int[0, 100_000].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (2, Gen.OneOf<string>("", "a,b", "x;y", "t\tu", "p|q", "say \"hi\"", "\"", "é", "日本語", "naïve,\"q\"", "line\nbreak", "a\r\nb\nc,d\n")),
        (1, Gen.Int[8, 300].Select(n => new string('L', n))),
        (1, Gen.Int[0, 5].Select(n => "\n" + string.Concat(Enumerable.Repeat("1,2,3\n", n)))));

    private readonly string _dir = Directory.CreateTempSubdirectory("stream-entropy-parallel-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Count_CsvInParts_MatchesOnePass()
    {
        Gen<string[][]> rows = Cell.Array[3].Array[0, 120];
        Gen<char> delimiter = Gen.OneOf<char>(',', ';', '\t', '|');
        Gen.Select(rows, delimiter, Gen.Int[2, 6], Gen.Bool).Sample((table, d, parts, crlf) =>
        {
            string path = WriteCsv(["a", "b", "c"], table, d, crlf ? "\r\n" : "\n");
            AssertPartsMatchOnePass(path, InputFormat.Csv, parts);
        }, iter: 300);
    }

    [Fact]
    public void Count_ManyLongValuesInParts_MatchesOnePass()
    {
        // A later part's values are re-interned into the set 64 at a time, copied into a buffer that starts at 4 KiB:
        // many distinct values (several blocks of 64), some of up to 3 000 bytes (the buffer grows), some also seen in
        // earlier parts, some in UTF-8.
        Gen<string> value = Gen.Frequency(
            (3, Gen.Int[0, 400].Select(i => "v" + i)),
            (2, Gen.Select(Gen.Int[0, 50], Gen.Int[100, 3000]).Select((i, n) => i + new string('é', n / 2))),
            (1, Gen.Int[1000, 3000].Select(n => new string('L', n))));
        Gen.Select(value.Array[3].Array[50, 400], Gen.Int[2, 5]).Sample((table, parts) =>
        {
            string path = WriteCsv(["a", "b", "c"], table, ',', "\n");
            AssertPartsMatchOnePass(path, InputFormat.Csv, parts);
        }, iter: 40);
    }

    [Fact]
    public void Count_QuotedFieldAcrossEveryBoundary_IsCountedOnce()
    {
        // The middle of the file is one quoted cell whose lines look like records: a part that starts there parses
        // them as rows and must be thrown away; the part before it ends past that part's start.
        var table = new List<string[]>();
        for (int i = 0; i < 50; i++)
        {
            table.Add(["k" + (i % 7), "u" + i, "x"]);
        }

        table.Add(["mid", string.Concat(Enumerable.Repeat("k1,u2,x\n", 400)), "y"]);
        for (int i = 0; i < 50; i++)
        {
            table.Add(["k" + (i % 5), "w" + i, "z"]);
        }

        string path = WriteCsv(["a", "b", "c"], table, ',', "\n");
        for (int parts = 2; parts <= 8; parts++)
        {
            AssertPartsMatchOnePass(path, InputFormat.Csv, parts);
        }
    }

    [Fact]
    public void Count_CsvErrorInAnyPart_ReportsTheFirstErrorAsOnePassDoes()
    {
        Gen.Select(Gen.Int[1, 200], Gen.Int[0, 2], Gen.Int[2, 6]).Sample((badRow, kind, parts) =>
        {
            var lines = new List<string> { "a,b" };
            for (int i = 0; i < 200; i++)
            {
                lines.Add(i + 1 == badRow
                    ? kind switch { 0 => "only-one", 1 => "1,2,3", _ => "x,\"unterminated" }
                    : $"v{i % 9},w{i % 4}");
            }

            string path = Path.Combine(_dir, $"bad-{Guid.NewGuid():N}.csv"); // samples run in parallel
            File.WriteAllText(path, string.Join('\n', lines) + "\n");
            var schema = new EventSchema([new FieldDefinition("a", "a"), new FieldDefinition("b", "b")], [new PairDefinition("a", "b")]);
            string expected = Assert.Throws<InputDataException>(() => CountOnePass(path, InputFormat.Csv, schema)).Message;
            string actual = Assert.Throws<InputDataException>(() => CountInParts(path, InputFormat.Csv, schema, parts)).Message;
            Assert.Equal(expected, actual);
        }, iter: 60);
    }

    [Fact]
    public void Count_JsonLinesInParts_MatchesOnePass()
    {
        Gen<string> value = Gen.Frequency(
            (5, Gen.Int[0, 30].Select(i => $"\"s{i}\"")),
            (2, Gen.Int[0, 50_000].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            (1, Gen.OneOf<string>("null", "true", "\"é\\n\\\"q\\\"\"", "\"日本\"", "1.50")),
            (1, Gen.Int[8, 200].Select(n => "\"" + new string('L', n) + "\"")));
        // Each line with whether it gives "a" and "n.b" a value (null is missing; the "a" inside "skip" is not the path a).
        Gen<(string Text, bool HasA, bool HasB)> line = Gen.Select(value, value, Gen.Int[0, 3]).Select((a, b, shape) => shape switch
        {
            0 => ($"{{\"a\":{a},\"n\":{{\"b\":{b}}}}}", a != "null", b != "null"),
            1 => ($"{{\"n\":{{\"b\":{b}}},\"a\":{a},\"skip\":[1,2,{{\"a\":0}}]}}", a != "null", b != "null"),
            2 => ($"{{\"a\":{a}}}", a != "null", false),
            _ => ("  ", false, false),
        });
        Gen.Select(line.Array[1, 150], Gen.Int[2, 6]).Sample((lines, parts) =>
        {
            if (!lines.Any(l => l.HasA) || !lines.Any(l => l.HasB))
            {
                return; // a field no line has is an error, tested elsewhere
            }

            string path = Path.Combine(_dir, $"events-{Guid.NewGuid():N}.jsonl");
            File.WriteAllText(path, string.Join('\n', lines.Select(l => l.Text)) + "\n");
            AssertPartsMatchOnePass(path, InputFormat.JsonLines, parts, jsonPaths: ["a", "n.b"]);
        }, iter: 300);
    }

    private static void AssertPartsMatchOnePass(string path, InputFormat format, int parts, string[]? jsonPaths = null)
    {
        EventSchema schema = jsonPaths is null
            ? new EventSchema(
                [new FieldDefinition("a", "a"), new FieldDefinition("b", "b"), new FieldDefinition("c", "c")],
                [new PairDefinition("a", "b"), new PairDefinition("c", "a")])
            : new EventSchema(
                [new FieldDefinition("a", jsonPaths[0]), new FieldDefinition("b", jsonPaths[1])],
                [new PairDefinition("a", "b")]);
        (FrequencySet expected, long expectedRows) = CountOnePass(path, format, schema);
        (FrequencySet actual, long actualRows) = CountInParts(path, format, schema, parts);

        Assert.Equal(expectedRows, actualRows);
        Assert.Equal(expected.Events, actual.Events);
        for (int f = 0; f < schema.Fields.Count; f++)
        {
            Assert.Equal(Values(expected, f), Values(actual, f));
            Assert.Equal(Trim(expected.Field(f).Counts), Trim(actual.Field(f).Counts));
            Assert.Equal(expected.Missing(f), actual.Missing(f));
            Assert.Equal(expected.Field(f).Distinct, actual.Field(f).Distinct);
        }

        for (int p = 0; p < schema.Pairs.Count; p++)
        {
            var e = expected.Pair(p);
            var a = actual.Pair(p);
            Assert.Equal(e.Pairs.Count, a.Pairs.Count);
            for (int id = 0; id < e.Pairs.Count; id++)
            {
                Assert.Equal(e.Pairs.GetPair(id), a.Pairs.GetPair(id));
            }

            Assert.Equal(Trim(e.Joint.Counts), Trim(a.Joint.Counts));
        }

        FieldResult[] ef = ResultCalculator.Fields(expected, EntropyEstimator.MaximumLikelihood);
        FieldResult[] af = ResultCalculator.Fields(actual, EntropyEstimator.MaximumLikelihood);
        for (int f = 0; f < ef.Length; f++)
        {
            AssertClose(ef[f].Entropy, af[f].Entropy, Tolerance);
            AssertClose(ef[f].StandardError, af[f].StandardError, Tolerance);
        }

        PairResult[] ep = ResultCalculator.Pairs(expected, EntropyEstimator.MaximumLikelihood);
        PairResult[] ap = ResultCalculator.Pairs(actual, EntropyEstimator.MaximumLikelihood);
        for (int p = 0; p < ep.Length; p++)
        {
            AssertClose(ep[p].Entropies.Joint, ap[p].Entropies.Joint, Tolerance);
            AssertClose(ep[p].Entropies.MutualInformation, ap[p].Entropies.MutualInformation, Tolerance);
            AssertClose(ep[p].Entropies.X, ap[p].Entropies.X, Tolerance);
        }
    }

    [Fact]
    public void Count_InvalidBinnedValuesInParts_SameCountsAndFirstLinesAsOnePass()
    {
        // Invalid values of a binned field are counted, and the first of each field is reported with its line: a part
        // numbers its lines from its own start, so the merge must shift them to the file's lines.
        Gen<string> amount = Gen.Frequency(
            (8, Gen.Int[0, 500].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            (1, Gen.OneOf<string>("abc", "1e400", "-1e999", "NaN", "\u001b[31mred")));
        Gen.Select(Gen.Select(Gen.Int[0, 30].Select(i => "k" + i), amount).Array[0, 150], Gen.Int[2, 6], Gen.Bool).Sample((rows, parts, json) =>
        {
            string path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + (json ? ".jsonl" : ".csv")); // samples run in parallel
            var text = new StringBuilder(json ? "" : "key,amount\n");
            foreach ((string key, string value) in rows)
            {
                text.Append(json ? $"{{\"key\":\"{key}\",\"amount\":{System.Text.Json.JsonSerializer.Serialize(value)}}}\n" : $"{key},{value}\n");
            }

            File.WriteAllText(path, text.ToString());
            var schema = new EventSchema([new FieldDefinition("key", "key"), new FieldDefinition("amount", "amount", 10)], []);
            InputFormat format = json ? InputFormat.JsonLines : InputFormat.Csv;
            var oneNotes = new InvalidValues();
            var partNotes = new InvalidValues();
            var one = new FrequencySet(new EventEncoder(schema));
            var inParts = new FrequencySet(new EventEncoder(schema));
            using (ProfileInput input = ProfileInput.Open(path))
            {
                FileProfiler.Count(input, format, one, null, null, parts: 1, minPartBytes: 1, oneNotes);
            }

            using (ProfileInput input = ProfileInput.Open(path))
            {
                FileProfiler.Count(input, format, inParts, null, null, parts, minPartBytes: 1, partNotes);
            }

            Assert.Equal(one.Invalid(1), inParts.Invalid(1));
            Assert.Equal(rows.Count(r => !double.TryParse(r.Item2, System.Globalization.CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v)), one.Invalid(1));
            Assert.Equal(oneNotes.First, partNotes.First);
        }, iter: 200);
    }

    private static (FrequencySet Set, long Rows) CountOnePass(string path, InputFormat format, EventSchema schema)
    {
        var set = new FrequencySet(new EventEncoder(schema));
        using ProfileInput input = ProfileInput.Open(path);
        long rows = FileProfiler.Count(input, format, set, null, null, parts: 1, minPartBytes: 1);
        return (set, rows);
    }

    private static (FrequencySet Set, long Rows) CountInParts(string path, InputFormat format, EventSchema schema, int parts)
    {
        var set = new FrequencySet(new EventEncoder(schema));
        using ProfileInput input = ProfileInput.Open(path);
        long rows = FileProfiler.Count(input, format, set, null, null, parts, minPartBytes: 1);
        return (set, rows);
    }

    private static string[] Values(FrequencySet set, int field)
    {
        var interner = set.Encoder.Values[field];
        return [.. Enumerable.Range(0, interner.Count).Select(interner.GetString)];
    }

    private static long[] Trim(CountSpan view)
    {
        long[] counts = view.ToArray();
        int end = counts.Length;
        while (end > 0 && counts[end - 1] == 0)
        {
            end--;
        }

        return counts[..end];
    }

    // Quotes a cell that holds the delimiter, a quote or a line break (and an empty cell of a one-column table).
    private string WriteCsv(string[] header, IEnumerable<string[]> rows, char delimiter, string lineBreak)
    {
        string path = Path.Combine(_dir, $"data-{Guid.NewGuid():N}.csv"); // samples run in parallel
        File.WriteAllText(path, CsvText.Write(header, rows, delimiter, lineBreak), new UTF8Encoding(false));
        return path;
    }
}
