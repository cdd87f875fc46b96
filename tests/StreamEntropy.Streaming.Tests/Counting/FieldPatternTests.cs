using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Tests.Counting;

public sealed class FieldPatternTests
{
    [Theory]
    [InlineData("*", "a", true)]
    [InlineData("*", "a.b.c", true)]
    [InlineData("user.*", "user.id", true)]
    [InlineData("user.*", "user.geo.country", true)]
    [InlineData("user.*", "user", false)]
    [InlineData("user.*", "username", false)]
    [InlineData("user.*", "users.id", false)]
    [InlineData("user.id", "user.id", true)]
    [InlineData("user.id", "user.identity", false)]
    [InlineData("User.id", "user.id", false)]
    public void Matches_FollowsThePatternsRules(string pattern, string path, bool expected) =>
        Assert.Equal(expected, FieldPattern.Parse(pattern).Matches(path));

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("a..b")]
    [InlineData(".*")]
    [InlineData("a*")]
    [InlineData("*.b")]
    [InlineData("a.*.b")]
    public void Parse_InvalidPattern_Throws(string pattern)
    {
        Assert.NotNull(FieldPattern.Validate(pattern));
        Assert.Throws<ArgumentException>(() => FieldPattern.Parse(pattern));
    }

    [Theory]
    [InlineData("*", true)]
    [InlineData("a.*", true)]
    [InlineData("a", false)]
    [InlineData("a.b", false)]
    public void IsWildcard_OnlyForStarPatterns(string pattern, bool expected)
    {
        Assert.Equal(expected, FieldPattern.IsWildcardText(pattern));
        Assert.Equal(expected, FieldPattern.Parse(pattern).IsWildcard);
    }
}
