using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Profiling;

namespace StreamEntropy.Streaming.Tests.Engine;

/// <summary>The schema's rules are returned by <see cref="EventSchema.Validate(IReadOnlyList{FieldDefinition}, IReadOnlyList{PairDefinition}, out string)"/> and thrown, unchanged, by the constructor.</summary>
public sealed class EventSchemaValidationTests
{
    public static TheoryData<FieldDefinition[], PairDefinition[], string, string> Problems => new()
    {
        { [new("", "a")], [], "fields", "Fields[0]: the name is empty." },
        { [new("a", "a"), new("a", "b")], [], "fields", "Fields[1]: the name 'a' is used twice." },
        { [new("a", "a", BinWidth: -1)], [], "fields", "Fields[0] 'a': the bin width must be a finite number > 0, not -1." },
        { [new("a", "a", MaxDistinct: 8)], [], "fields", "Fields[0] 'a': MaxDistinct must be 0 (unlimited) or from 16 to 16777216, not 8." },
        { [new("a", "a"), new("b", "b")], [new("a", "c")], "pairs", "Pairs[0]: Y names the unknown field 'c'." },
        { [new("a", "a"), new("b", "b")], [new("a", "b"), new("a", "b")], "pairs", "Pairs[1]: the pair 'a,b' is listed twice." },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void Validate_Problem_IsReturnedAndThrownByTheConstructor(FieldDefinition[] fields, PairDefinition[] pairs, string parameter, string expected)
    {
        string? problem = EventSchema.Validate(fields, pairs, out string list);

        Assert.Equal(expected, problem);
        Assert.Equal(parameter, list);
        ArgumentException thrown = Assert.Throws<ArgumentException>(() => new EventSchema(fields, pairs));
        Assert.Equal(parameter, thrown.ParamName);
        Assert.StartsWith(expected, thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ValidSchema_ReturnsNull()
    {
        FieldDefinition[] fields = [new("a", "x.a", MaxDistinct: FieldDefinition.MinMaxDistinct), new("b", "b", BinWidth: 0.5)];

        Assert.Null(EventSchema.Validate(fields, [new PairDefinition("a", "b")], out string list));
        Assert.Equal("", list);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(FieldDefinition.MinMaxDistinct, true)]
    [InlineData(FieldDefinition.MaxMaxDistinct, true)]
    [InlineData(FieldDefinition.MinMaxDistinct - 1, false)]
    [InlineData(FieldDefinition.MaxMaxDistinct + 1, false)]
    [InlineData(-1, false)]
    public void ValidateMaxDistinct_ZeroOrTheBoundedRange(int maxDistinct, bool valid) =>
        Assert.Equal(valid, EventSchema.ValidateMaxDistinct(maxDistinct) is null);
}
