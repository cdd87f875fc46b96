using System.Text;
using CsCheck;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;

namespace StreamEntropy.Streaming.Tests.Drift;

public class BaselineTests
{
    private static readonly EventSchema Schema = new(
        [new FieldDefinition("country", "user.country"), new FieldDefinition("amount", "amount", 10)],
        [new PairDefinition("country", "amount")]);

    [Fact]
    public void SaveLoad_RoundTrip_KeepsEverything()
    {
        Baseline original = Baseline.FromFrequencySet(Sample(new EventEncoder(Schema)), "events.csv");
        using var stream = new MemoryStream();
        original.Save(stream);
        stream.Position = 0;
        Baseline loaded = Baseline.Load(stream);

        Assert.Equal(original.Events, loaded.Events);
        Assert.Equal("events.csv", loaded.Source);
        Assert.Equal(original.Fields.Count, loaded.Fields.Count);
        for (int f = 0; f < original.Fields.Count; f++)
        {
            BaselineField a = original.Fields[f];
            BaselineField b = loaded.Fields[f];
            Assert.Equal((a.Name, a.Path, a.BinWidth, a.Missing, a.Invalid), (b.Name, b.Path, b.BinWidth, b.Missing, b.Invalid));
            Assert.Equal(a.Values, b.Values);
        }

        Assert.Equal(original.Pairs[0].Values, loaded.Pairs[0].Values);
        Assert.Equal(new BaselineValue("fr", 3), loaded.Fields[0].Values[0]); // most frequent first
        Assert.Equal(2, loaded.Fields[0].Missing);
        Assert.Equal(1, loaded.Fields[1].Invalid);
        Assert.Equal(10.0, loaded.Fields[1].BinWidth);
    }

    [Fact]
    public void SaveToFile_ThenLoad_RoundTripsAndLeavesNoTemporaryFile()
    {
        string directory = Directory.CreateTempSubdirectory("baseline-").FullName;
        try
        {
            string path = Path.Combine(directory, "ref.json");
            Baseline.FromFrequencySet(Sample(new EventEncoder(Schema))).Save(path);
            Baseline loaded = Baseline.Load(path);
            Assert.Equal(6, loaded.Events);
            Assert.Equal([path], Directory.GetFiles(directory));
            string json = File.ReadAllText(path);
            Assert.Contains("\"format\": \"stream-entropy-baseline\"", json, StringComparison.Ordinal);
            Assert.Contains("\"value\": \"\\u00E9t\\u00E9\"", json, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Materialize_IntoLiveEncoder_AlignsIdsByText()
    {
        Baseline baseline = Baseline.FromFrequencySet(Sample(new EventEncoder(Schema)));
        var live = new EventEncoder(Schema);
        // The live stream has seen other values first, so its ids differ from the profile's.
        int it = live.Values[0].GetOrAdd("it");
        int fr = live.Values[0].GetOrAdd("fr");
        FrequencySet reference = baseline.Materialize(live);

        Assert.Equal(3, reference.Field(0)[fr]);
        Assert.Equal(0, reference.Field(0)[it]);
        Assert.True(live.Values[0].TryGetId(Encoding.UTF8.GetBytes("de"), out int de)); // reference-only value got an id
        Assert.Equal(1, reference.Field(0)[de]);
        Assert.Equal(6, reference.Events);
        Assert.Equal(2, reference.Missing(0));
        Assert.Equal(5, reference.Field(0).Total);
        Assert.Equal(4, reference.Pair(0).Total); // été came without an amount

        // A current window with "it" (new) and without "de" (reference only) compares as text would.
        var current = new FrequencySet(live);
        current.Add([it, live.Values[1].GetOrAdd("1")]);
        current.Add([fr, live.Values[1].GetOrAdd("1")]);
        Divergences d = Divergences.Compute(current.Field(0), reference.Field(0));
        // Shares by text: current it 1/2, fr 1/2; reference fr 3/5, de 1/5, été 1/5; zero shares become ε = 1e-4.
        double[] c = [0.5, 0.5, 0, 0];
        double[] r = Shares(baseline.Fields[0], ["it", "fr", "de", "été"]);
        double psi = 0;
        for (int i = 0; i < c.Length; i++)
        {
            double ce = c[i] > 0 ? c[i] : 1e-4;
            double re = r[i] > 0 ? r[i] : 1e-4;
            psi += (ce - re) * Math.Log(ce / re);
        }

        Assert.Equal(psi, d.PopulationStability, 12);
        Assert.Equal(3, GTest.Homogeneity(current.Field(0), reference.Field(0)).DegreesOfFreedom); // 4 values seen in either
    }

    [Fact]
    public void FindMismatches_DifferentConfiguration_NamesEveryProblem()
    {
        Baseline baseline = Baseline.FromFrequencySet(Sample(new EventEncoder(Schema)), "old.json");
        var other = new EventSchema(
            [new FieldDefinition("country", "country"), new FieldDefinition("amount", "amount", 5), new FieldDefinition("device", "device")],
            [new PairDefinition("amount", "country")]);

        IReadOnlyList<string> problems = baseline.FindMismatches(other);
        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.Contains("'country'", StringComparison.Ordinal) && p.Contains("'user.country'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'amount'", StringComparison.Ordinal) && p.Contains("width 5", StringComparison.Ordinal) && p.Contains("width 10", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'device'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'amount,country'", StringComparison.Ordinal));
        var e = Assert.Throws<BaselineMismatchException>(() => baseline.Materialize(new EventEncoder(other)));
        Assert.StartsWith("The baseline from 'old.json' does not match the configuration: ", e.Message, StringComparison.Ordinal);
        Assert.Empty(baseline.FindMismatches(Schema));
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[]", "top level must be an object")]
    [InlineData("{\"format\":\"other\",\"version\":1}", "'format' is 'other'")]
    [InlineData("{\"format\":\"stream-entropy-baseline\",\"version\":2}", "version 2 is not supported")]
    [InlineData("{\"format\":\"stream-entropy-baseline\",\"version\":1,\"events\":1,\"fields\":[{\"name\":\"a\",\"path\":\"a\",\"values\":[{\"value\":\"x\",\"count\":0}]}],\"pairs\":[]}", "fields[0] 'a': values[0]: 'count' must be > 0")]
    [InlineData("{\"format\":\"stream-entropy-baseline\",\"version\":1,\"events\":1,\"fields\":[{\"name\":\"a\",\"path\":\"a\",\"values\":[{\"value\":\"x\",\"count\":1},{\"value\":\"x\",\"count\":1}]}],\"pairs\":[]}", "listed twice")]
    [InlineData("{\"format\":\"stream-entropy-baseline\",\"version\":1,\"events\":1,\"fields\":[{\"name\":\"a\",\"path\":\"a\",\"binWidth\":-1,\"values\":[]}],\"pairs\":[]}", "'binWidth' must be a positive number")]
    [InlineData("{\"format\":\"stream-entropy-baseline\",\"version\":1,\"events\":1,\"fields\":[]}", "'pairs' must be an array")]
    public void Load_InvalidFile_ThrowsWithClearMessage(string json, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => Baseline.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)), "bad.json"));
        Assert.Contains("Baseline 'bad.json'", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("baseline-v1.json")]
    [InlineData("baseline-v1-empty.json")]
    public void Save_TheBaselineOfAFileOfTheHandWrittenWriter_WritesTheSameBytes(string fixture)
    {
        using var stream = new MemoryStream();
        FixtureBaseline(fixture).Save(stream);

        Assert.Equal(File.ReadAllBytes(FixturePath(fixture)), stream.ToArray());
    }

    [Theory]
    [InlineData("baseline-v1.json")]
    [InlineData("baseline-v1-empty.json")]
    public void Load_FileOfTheHandWrittenWriter_RestoresEveryValueExactly(string fixture)
    {
        Baseline expected = FixtureBaseline(fixture);
        Baseline loaded = Baseline.Load(FixturePath(fixture));

        Assert.Equal((expected.Events, expected.Source), (loaded.Events, loaded.Source));
        Assert.Equal(expected.Fields.Count, loaded.Fields.Count);
        for (int f = 0; f < expected.Fields.Count; f++)
        {
            BaselineField a = expected.Fields[f];
            BaselineField b = loaded.Fields[f];
            Assert.Equal((a.Name, a.Path, a.Missing, a.Invalid), (b.Name, b.Path, b.Missing, b.Invalid));
            Assert.Equal(a.BinWidth.HasValue, b.BinWidth.HasValue);
            Assert.Equal(BitConverter.DoubleToInt64Bits(a.BinWidth ?? 0), BitConverter.DoubleToInt64Bits(b.BinWidth ?? 0));
            Assert.Equal(a.Values, b.Values);
        }

        Assert.Equal(expected.Pairs.Count, loaded.Pairs.Count);
        for (int p = 0; p < expected.Pairs.Count; p++)
        {
            Assert.Equal((expected.Pairs[p].X, expected.Pairs[p].Y), (loaded.Pairs[p].X, loaded.Pairs[p].Y));
            Assert.Equal(expected.Pairs[p].Values, loaded.Pairs[p].Values);
        }
    }

    [Fact]
    public void SaveLoad_AnyPositiveFiniteBinWidth_RoundTripsBitForBit()
    {
        Gen.Long.Select(BitConverter.Int64BitsToDouble).Where(w => double.IsFinite(w) && w > 0).Sample(width =>
        {
            var baseline = new Baseline(1, [new BaselineField("x", "x", width, 0, 0, [new BaselineValue("1", 1)])], []);
            using var stream = new MemoryStream();
            baseline.Save(stream);
            stream.Position = 0;
            Assert.Equal(BitConverter.DoubleToInt64Bits(width), BitConverter.DoubleToInt64Bits(Baseline.Load(stream).Fields[0].BinWidth!.Value));
        });
    }

    [Theory]
    [InlineData("{\"format\":5,\"version\":1}", "Baseline 'bad.json': 'format' must be a string.")]
    [InlineData("{\"format\":\"stream-entropy-baseline\",\"version\":1,\"events\":\"many\",\"fields\":[],\"pairs\":[]}", "Baseline 'bad.json': 'events' must be an integer.")]
    [InlineData("{\"format\":\"stream-entropy-baseline\",\"version\":1,\"events\":1,\"fields\":[{\"name\":\"a\",\"path\":\"a\",\"values\":[{\"value\":\"x\",\"count\":1.5}]}],\"pairs\":[]}", "Baseline 'bad.json': fields[0]: values[0]: 'count' must be an integer.")]
    [InlineData("{\"format\":\"stream-entropy-baseline\",\"version\":1,\"events\":1,\"fields\":[{\"name\":\"a\",\"path\":\"a\",\"binWidth\":\"wide\",\"values\":[]}],\"pairs\":[]}", "Baseline 'bad.json': fields[0]: 'binWidth' must be a positive number or null.")]
    [InlineData("{\"format\":\"stream-entropy-baseline\",\"version\":1,\"events\":1,\"fields\":[],\"pairs\":{}}", "Baseline 'bad.json': 'pairs' must be an array.")]
    [InlineData("{\"format\":\"stream-entropy-baseline\",\"version\":1,\"events\":1,\"fields\":[3],\"pairs\":[]}", "Baseline 'bad.json': fields[0] must be an object.")]
    [InlineData("{\"format\":\"stream-entropy-baseline\",\"version\":1,\"events\":1,\"fields\":[null],\"pairs\":[]}", "Baseline 'bad.json': fields[0]: 'name' must be a string.")]
    [InlineData("{\"format\":\"stream-entropy-baseline\",\"version\":1,\"events\":1,\"fields\":[],\"pairs\":[{\"x\":\"a\",\"y\":\"b\",\"values\":[{\"x\":\"1\",\"y\":\"2\"}]}]}", "Baseline 'bad.json': pairs[0] 'a,b': values[0]: 'count' must be an integer.")]
    public void Load_MemberMissingOrOfTheWrongType_NamesItAndWhatItMustBe(string json, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => Baseline.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)), "bad.json"));
        Assert.Equal(expected, e.Message);
    }

    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Drift", "Fixtures", name);

    /// <summary>The baselines that the hand-written JSON writer (before System.Text.Json) saved as the fixtures:
    /// escapes, non-ASCII and surrogate pairs, counts beyond 2⁵³, and bin widths that need 17 digits or are subnormal.</summary>
    private static Baseline FixtureBaseline(string name) => name switch
    {
        "baseline-v1.json" => new Baseline(
            1_000_000_000_123,
            [
                new BaselineField("country", "user.country", null, 2, 0, [new("fr", 3), new("été", 1), new("a\"b\\c\u0001", 7), new("😀", 9_007_199_254_740_993)]),
                new BaselineField("amount", "amount", 0.1, 0, 1, [new("0.30000000000000004", 2), new("-1E-05", 1)]),
                new BaselineField("ratio", "r", 1.0 / 3, 5, 6, [new("1", 1)]),
                new BaselineField("tiny", "t", 5e-324, 0, 0, []),
            ],
            [new BaselinePair("country", "amount", [new("fr", "0.30000000000000004", 2), new("été", "-1E-05", 1)])],
            "events \"2025\".csv"),
        _ => new Baseline(0, [new BaselineField("x", "x", 2.5, 0, 0, [])], [], null),
    };

    private static double[] Shares(BaselineField field, string[] order)
    {
        double total = field.Count;
        return [.. order.Select(v => field.Values.FirstOrDefault(x => x.Value == v).Count / total)];
    }

    // 6 events: country fr ×3, de, été, and 2 missing; amount bins; one invalid amount.
    private static FrequencySet Sample(EventEncoder encoder)
    {
        var set = new FrequencySet(encoder);
        void Add(string? country, string? amount)
        {
            int c = country is null ? EventEncoder.Missing : encoder.Encode(0, Encoding.UTF8.GetBytes(country));
            int a = amount is null ? EventEncoder.Missing : encoder.Encode(1, Encoding.UTF8.GetBytes(amount));
            set.Add([c, a]);
        }

        Add("fr", "12");
        Add("fr", "17");
        Add("fr", "25");
        Add("de", "3");
        Add(null, "44");
        Add(null, "abc");
        set.Field(0).Add(encoder.Values[0].GetOrAdd("été")); // a country seen without a usable amount
        return set;
    }
}
