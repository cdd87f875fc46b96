using System.Text;
using System.Text.Json;
using CsCheck;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Tests.Counting;

/// <summary>A tuple's value text: unambiguous whatever its components contain, missing or invalid like its components,
/// and the schema's rules for tuples.</summary>
public sealed class TupleComposerTests
{
    private static readonly EventSchema ThreeStrings = new(
        [new("a", "a"), new("b", "b"), new("c", "c"), FieldDefinition.Tuple(["a", "b", "c"])], []);

    // The characters that could confuse a naive join: quotes, separators, brackets, escapes, control characters, and
    // multi-byte UTF-8 (é, an emoji), plus empty strings.
    private static readonly Gen<string> Hostile =
        Gen.Char["\",+[]\\\u0000\u0001\n\u001fu0éa "]
            .Array[0, 6]
            .Select(chars => new string(chars))
            .SelectMany(s => Gen.Bool.Select(emoji => emoji ? s + "😀" : s));

    [Fact]
    public void Compose_DistinctComponentValues_GiveDistinctTexts()
    {
        Gen.Select(Hostile.Array[3], Hostile.Array[3]).Sample((first, second) =>
        {
            var composer = new TupleComposer(ThreeStrings); // samples run in parallel; a composer has one writer
            string one = Compose(composer, first);
            string two = Compose(composer, second);
            Assert.Equal(first.SequenceEqual(second), string.Equals(one, two, StringComparison.Ordinal));
        }, iter: 20_000);
    }

    [Fact]
    public void Compose_Text_IsAJsonArrayOfTheComponentsInOrder()
    {
        // Reading the text back gives the components: the composition is injective, and valid JSON for UTF-8 values.
        Hostile.Array[3].Sample(values =>
        {
            var composer = new TupleComposer(ThreeStrings);
            string text = Compose(composer, values);
            Assert.Equal(values, JsonSerializer.Deserialize<string[]>(text));
        }, iter: 5_000);
    }

    [Fact]
    public void Compose_Examples_AreTheDocumentedTexts()
    {
        var composer = new TupleComposer(ThreeStrings);
        Assert.Equal("""["DE","ios","x"]""", Compose(composer, ["DE", "ios", "x"]));
        Assert.Equal("""["a\",\"b","",""]""", Compose(composer, ["a\",\"b", "", ""]));
        Assert.Equal("""["\\","\u0001","é"]""", Compose(composer, ["\\", "\u0001", "é"]));
    }

    [Fact]
    public void Compose_NumericComponent_UsesItsBin_AndIsInvalidWhenNotANumber()
    {
        var schema = new EventSchema([new("country", "country"), new("amount", "amount", BinWidth: 10), FieldDefinition.Tuple(["country", "amount"])], []);
        var composer = new TupleComposer(schema);
        var texts = new Texts(Encoding.UTF8.GetBytes("DE"), Encoding.UTF8.GetBytes("47.5"), null);

        Assert.Equal(TupleComposer.Composed, composer.Compose(2, texts, out ReadOnlySpan<byte> value));
        Assert.Equal("""["DE","4"]""", Encoding.UTF8.GetString(value));
        Assert.Equal(EventEncoder.Invalid, composer.Compose(2, new Texts(Encoding.UTF8.GetBytes("DE"), Encoding.UTF8.GetBytes("n/a"), null), out value));
        Assert.True(value.IsEmpty);
    }

    [Fact]
    public void Compose_AnyComponentMissing_IsMissing_BeforeInvalid()
    {
        var schema = new EventSchema([new("country", "country"), new("amount", "amount", BinWidth: 10), FieldDefinition.Tuple(["amount", "country"])], []);
        var composer = new TupleComposer(schema);

        Assert.Equal(EventEncoder.Missing, composer.Compose(2, new Texts(null, Encoding.UTF8.GetBytes("1"), null), out _));
        Assert.Equal(EventEncoder.Missing, composer.Compose(2, new Texts(Encoding.UTF8.GetBytes("DE"), null, null), out _));
        Assert.Equal(EventEncoder.Missing, composer.Compose(2, new Texts(null, Encoding.UTF8.GetBytes("n/a"), null), out _));
    }

    public static TheoryData<FieldDefinition[], string> TupleProblems => new()
    {
        { [new("a", "a"), new("t", "", Components: ["a"])], "Fields[1] 't': a tuple needs at least 2 components, not 1." },
        { [new("a", "a"), new("t", "", Components: [])], "Fields[1] 't': a tuple needs at least 2 components, not 0." },
        { [new("a", "a"), FieldDefinition.Tuple(["a", "zz"])], "Fields[1] 'a+zz': the component 'zz' is not a field." },
        { [new("a", "a"), FieldDefinition.Tuple(["a", "a"])], "Fields[1] 'a+a': the component 'a' is listed twice." },
        { [new("a", "a"), new("b", "b"), FieldDefinition.Tuple(["a", "b"]), FieldDefinition.Tuple(["a+b", "a"])], "Fields[3] 'a+b+a': the component 'a+b' is a tuple itself; list its fields instead." },
        { [new("a", "a"), new("b", "b"), new("t", "t", BinWidth: 1, Components: ["a", "b"])], "Fields[2] 't': a tuple has no bin width (bin its numeric components instead)." },
    };

    [Theory]
    [MemberData(nameof(TupleProblems))]
    public void Validate_TupleProblem_NamesTheEntry(FieldDefinition[] fields, string expected)
    {
        Assert.Equal(expected, EventSchema.Validate(fields, [], out string list));
        Assert.Equal("fields", list);
        Assert.StartsWith(expected, Assert.Throws<ArgumentException>(() => new EventSchema(fields, [])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Schema_Tuple_NeedsNoPath_AndTakesTheLargestComponentBudgetUnlessItHasItsOwn()
    {
        var schema = new EventSchema(
            [new("a", "a", MaxDistinct: 32), new("b", "b", MaxDistinct: 64), new("c", "c"), new("t", "", Components: ["a", "b"]), new("u", "", MaxDistinct: 16, Components: ["a", "c"]), new("v", "", Components: ["b", "c"])],
            [new PairDefinition("t", "c"), new PairDefinition("v", "c")]);

        Assert.Equal([32, 64, 0, 64, 16, 64], schema.Fields.Select(f => f.MaxDistinct));
        Assert.Equal([false, false, false, true, true, true], Enumerable.Range(0, 6).Select(schema.IsTuple));
        Assert.Equal([0, 1], schema.ComponentIndexes(3).ToArray());
        Assert.Equal(64, schema.PairMaxDistinct(0));
        Assert.Equal(64, schema.PairMaxDistinct(1));
        Assert.True(schema.HasTuples);
        Assert.False(new EventSchema([new("a", "a")], []).HasTuples);
    }

    private static string Compose(TupleComposer composer, string[] values)
    {
        var texts = new Texts(Encoding.UTF8.GetBytes(values[0]), Encoding.UTF8.GetBytes(values[1]), Encoding.UTF8.GetBytes(values[2]));
        Assert.Equal(TupleComposer.Composed, composer.Compose(3, texts, out ReadOnlySpan<byte> value));
        return Encoding.UTF8.GetString(value);
    }

    /// <summary>Up to three fields' texts, null for missing.</summary>
    private readonly struct Texts(byte[]? a, byte[]? b, byte[]? c) : IFieldTexts
    {
        public bool TryGetText(int field, out ReadOnlySpan<byte> text)
        {
            byte[]? value = field switch { 0 => a, 1 => b, 2 => c, _ => throw new ArgumentOutOfRangeException(nameof(field)) };
            text = value;
            return value is not null;
        }
    }
}
