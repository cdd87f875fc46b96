using System.Globalization;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Core.Sketches;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Profiling;

namespace StreamEntropy.Streaming.Tests.Profiling;

/// <summary><see cref="FileProfiler"/> feeding a <see cref="BoundedProfile"/> through the same row loop as the exact path.</summary>
public sealed class BoundedFileProfilerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("stream-entropy-profiling-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(InputFormat.Csv)]
    [InlineData(InputFormat.JsonLines)]
    public void Count_SameFileBothWays_ExactFieldsAgreeAndBracketsContainTheExactValues(InputFormat format)
    {
        string path = WriteEvents(format, rows: 3000);
        var schema = new EventSchema(
            [new FieldDefinition("kind", "kind"), new FieldDefinition("id", "id"), new FieldDefinition("amount", "amount", 0.5)],
            [new PairDefinition("kind", "id"), new PairDefinition("kind", "amount")]);
        var set = new FrequencySet(new EventEncoder(schema));
        var bounded = new BoundedProfile(schema, 64);

        long exactRows = FileProfiler.Count(path, format, set);
        long boundedRows = FileProfiler.Count(path, format, bounded);

        Assert.Equal(exactRows, boundedRows);
        Assert.Equal(exactRows, bounded.Rows);
        FieldResult[] exact = ResultCalculator.Fields(set, EntropyEstimator.MaximumLikelihood);
        BoundedFieldResult[] fields = bounded.Fields();
        for (int f = 0; f < fields.Length; f++)
        {
            Assert.Equal(exact[f].Count, fields[f].Count);
            Assert.Equal(exact[f].Missing, fields[f].Missing);
            Assert.Equal(exact[f].Invalid, fields[f].Invalid);
            Assert.True(fields[f].Entropy.Contains(exact[f].Entropy) || fields[f].IsExact);
        }

        // kind: 5 values, exact; id: ~2000 values and amount: ~200 bins, both over the budget.
        Assert.True(fields[0].IsExact);
        Assert.Equal(exact[0].Entropy, fields[0].Entropy.Estimate, 1e-12);
        Assert.Equal(exact[0].StandardError, fields[0].StandardError, 1e-12);
        Assert.Equal(exact[0].Distinct, fields[0].Distinct);
        Assert.True(format == InputFormat.Csv || exact[0].Missing > 0); // an empty CSV cell is the value "", not missing
        Assert.False(fields[1].IsExact);
        Assert.False(fields[2].IsExact);
        Assert.True(fields[2].DifferentialEntropy!.Value.Contains(exact[2].DifferentialEntropy!.Value));
        Assert.Null(fields[0].DifferentialEntropy);

        PairResult[] exactPairs = ResultCalculator.Pairs(set, EntropyEstimator.MaximumLikelihood);
        BoundedPairResult[] pairs = bounded.Pairs();
        for (int p = 0; p < pairs.Length; p++)
        {
            PairEntropies e = exactPairs[p].Entropies;
            PairEntropyBrackets b = pairs[p].Entropies;
            Assert.False(pairs[p].IsExact);
            Assert.Equal(e.Count, b.Count);
            Assert.True(b.Joint.Contains(e.Joint));
            Assert.True(b.ConditionalYGivenX.Contains(e.ConditionalYGivenX));
            Assert.True(b.ConditionalXGivenY.Contains(e.ConditionalXGivenY));
            Assert.True(b.MutualInformation.Contains(e.MutualInformation));
            Assert.Equal(e.X, b.X.Estimate, 1e-12); // kind is exact over the paired rows too
        }
    }

    [Fact]
    public void Count_WithinTheBudget_EqualsTheExactPath()
    {
        string path = WriteEvents(InputFormat.Csv, rows: 400, idRange: 20, amountRange: 10);
        var schema = new EventSchema(
            [new FieldDefinition("kind", "kind"), new FieldDefinition("id", "id"), new FieldDefinition("amount", "amount", 0.5)],
            [new PairDefinition("kind", "id")]);
        var set = new FrequencySet(new EventEncoder(schema));
        var bounded = new BoundedProfile(schema, 128);

        FileProfiler.Count(path, InputFormat.Csv, set);
        FileProfiler.Count(path, InputFormat.Csv, bounded);

        FieldResult[] exact = ResultCalculator.Fields(set, EntropyEstimator.MaximumLikelihood);
        BoundedFieldResult[] fields = bounded.Fields();
        for (int f = 0; f < fields.Length; f++)
        {
            Assert.True(fields[f].IsExact);
            Assert.Equal(exact[f].Distinct, fields[f].Distinct);
            Assert.Equal(exact[f].Entropy, fields[f].Entropy.Estimate, 1e-12);
            Assert.Equal(exact[f].Coverage, fields[f].Coverage, 1e-12);
            Assert.Equal(exact[f].NormalizedEntropy, fields[f].NormalizedEntropy, 1e-12);
        }

        Assert.Equal(exact[2].DifferentialEntropy!.Value, fields[2].DifferentialEntropy!.Value.Estimate, 1e-12);
        PairResult exactPair = Assert.Single(ResultCalculator.Pairs(set, EntropyEstimator.MaximumLikelihood));
        BoundedPairResult pair = Assert.Single(bounded.Pairs());
        Assert.True(pair.IsExact);
        Assert.Equal(exactPair.DistinctPairs, pair.DistinctPairs);
        Assert.Equal(exactPair.Entropies.Joint, pair.Entropies.Joint.Estimate, 1e-12);
        Assert.Equal(exactPair.Entropies.MutualInformation, pair.Entropies.MutualInformation.Estimate, 1e-12);
        Assert.Equal(exactPair.Entropies.JointStandardError, pair.JointStandardError, 1e-12);
    }

    [Theory]
    [InlineData(InputFormat.Csv, "a,b\n1,x\n2,y\n", "nope", "unknown field 'nope'")]
    [InlineData(InputFormat.JsonLines, "{\"a\":1}\n{\"a\":2}\n", "nope", "unknown field 'nope': no line has it")]
    public void Count_BadInput_ThrowsTheExactPathsMessage(InputFormat format, string content, string field, string message)
    {
        string path = Path.Combine(_dir, format == InputFormat.Csv ? "bad.csv" : "bad.jsonl");
        File.WriteAllText(path, content);
        var schema = new EventSchema([new FieldDefinition(field, field, field == "amount" ? 2 : null)], []);

        var exact = Assert.Throws<InputDataException>(() => FileProfiler.Count(path, format, new FrequencySet(new EventEncoder(schema))));
        var bounded = Assert.Throws<InputDataException>(() => FileProfiler.Count(path, format, new BoundedProfile(schema, 16)));

        Assert.Contains(message, exact.Message, StringComparison.Ordinal);
        Assert.Equal(exact.Message, bounded.Message);
    }

    [Theory]
    [InlineData(InputFormat.Csv, "a,amount\n1,3\n2,abc\n3,1e400\n4,5\n")]
    [InlineData(InputFormat.JsonLines, "{\"amount\":3}\n{\"amount\":\"abc\"}\n{\"amount\":1e400}\n{\"amount\":5}\n")]
    public void Count_InvalidNumbersInBinnedField_CountedInvalidByBothSinksAndFirstLineNoted(InputFormat format, string content)
    {
        string path = Path.Combine(_dir, format == InputFormat.Csv ? "invalid.csv" : "invalid.jsonl");
        File.WriteAllText(path, content);
        var schema = new EventSchema([new FieldDefinition("amount", "amount", 2)], []);
        var set = new FrequencySet(new EventEncoder(schema));
        var profile = new BoundedProfile(schema, 16);
        var exactNotes = new InvalidValues();
        var boundedNotes = new InvalidValues();

        Assert.Equal(4, FileProfiler.Count(path, format, set, invalidValues: exactNotes));
        Assert.Equal(4, FileProfiler.Count(path, format, profile, invalidValues: boundedNotes));

        Assert.Equal(2, set.Invalid(0));
        Assert.Equal(2, profile.Invalid(0));
        int line = format == InputFormat.Csv ? 3 : 2; // the CSV header is line 1
        Assert.Equal($"{path}:{line}: field 'amount' has bin width 2 but its value 'abc' is not a finite number whose bin fits in 64 bits", Assert.Single(exactNotes.First).Value);
        Assert.Equal(exactNotes.First, boundedNotes.First);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(0)]
    [InlineData(FieldDefinition.MaxMaxDistinct + 1)]
    public void Constructor_BudgetOutOfRange_Throws(int maxDistinct)
    {
        var schema = new EventSchema([new FieldDefinition("a", "a")], []);

        Assert.Throws<ArgumentOutOfRangeException>(() => new BoundedProfile(schema, maxDistinct));
    }

    private string WriteEvents(InputFormat format, int rows, int idRange = 2500, int amountRange = 100)
    {
        var random = new Random(3);
        var lines = new List<string>();
        if (format == InputFormat.Csv)
        {
            lines.Add("kind,id,amount");
        }

        for (int i = 0; i < rows; i++)
        {
            string kind = $"k{(int)(5 * Math.Pow(random.NextDouble(), 2))}";
            string id = $"id-{random.Next(idRange)}";
            string amount = (random.NextDouble() * amountRange).ToString("0.00", CultureInfo.InvariantCulture);
            bool kindMissing = i % 50 == 7;
            lines.Add(format == InputFormat.Csv
                ? $"{(kindMissing ? "" : kind)},{id},{amount}"
                : kindMissing ? $$"""{"id":"{{id}}","amount":{{amount}}}""" : $$"""{"kind":"{{kind}}","id":"{{id}}","amount":{{amount}}}""");
        }

        string path = Path.Combine(_dir, format == InputFormat.Csv ? "events.csv" : "events.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }
}
