using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Worker.Options;

namespace StreamEntropy.Worker.Tests;

/// <summary>Discovered-field entries and wildcard pairs in the options: what they map to, and what is refused.</summary>
public sealed class DiscoveryOptionsTests
{
    private static StreamEntropyOptions Wide(Action<StreamEntropyOptions>? mutate = null)
    {
        var options = new StreamEntropyOptions
        {
            Kafka = new KafkaOptions { BootstrapServers = "localhost:9092", GroupId = "g", Topics = ["events"] },
            Fields =
            [
                new FieldOptions { Name = "country", Path = "user.country" },
                new FieldOptions { Name = "*", Exclude = ["event_id", "debug.*"], MaxFields = 120 },
            ],
            Pairs = [new PairOptions { X = "*", Y = "label" }, new PairOptions { X = "country", Y = "user.device" }],
            Windows = [new WindowOptions { Name = "all", Kind = "Cumulative" }],
        };
        mutate?.Invoke(options);
        return options;
    }

    [Fact]
    public void Map_WildcardEntries_BecomeDiscoveryAndPairRules()
    {
        StreamEntropyOptions options = Wide();
        Assert.True(new StreamEntropyOptionsValidator().Validate(null, options).Succeeded);

        EventSchema schema = OptionsMapper.ToSchema(options);
        Assert.Equal(["country"], schema.Fields.Select(f => f.Name));
        DiscoveryRule rule = Assert.Single(schema.Discovery);
        Assert.Equal(("*", "event_id debug.*", 120, DiscoveryRule.DefaultMaxDistinct), (rule.Include.Text, string.Join(' ', rule.Exclude.Select(e => e.Text)), rule.MaxFields, rule.MaxDistinct));
        // Both pairs name a field only discovery finds (label, user.device): rules, formed once their fields exist.
        Assert.Equal(["pairs *,label", "pairs country,user.device"], schema.PairRules.Select(r => r.Describe()));
        Assert.Empty(schema.Pairs);
    }

    [Fact]
    public void Map_SectionMaxDistinct_AppliesToDiscoveredFieldsUnlessTheEntrySetsIt()
    {
        Assert.Equal(500, OptionsMapper.ToSchema(Wide(o => o.MaxDistinct = 500)).Discovery[0].MaxDistinct);
        Assert.Equal(0, OptionsMapper.ToSchema(Wide(o => o.Fields[1].MaxDistinct = 0)).Discovery[0].MaxDistinct);
    }

    [Fact]
    public void Bind_JsonConfiguration_ReadsExcludeAndMaxFields()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["StreamEntropy:Fields:0:Name"] = "user.*",
            ["StreamEntropy:Fields:0:Exclude:0"] = "user.id",
            ["StreamEntropy:Fields:0:MaxFields"] = "30",
            ["StreamEntropy:Pairs:0:X"] = "user.*",
            ["StreamEntropy:Pairs:0:Y"] = "label",
        }).Build();
        StreamEntropyOptions options = configuration.GetSection("StreamEntropy").Get<StreamEntropyOptions>()!;

        FieldOptions f = Assert.Single(options.Fields);
        Assert.Equal(("user.*", "user.id", 30), (f.Name, Assert.Single(f.Exclude), f.MaxFields));
    }

    [Theory]
    [InlineData("a*", "StreamEntropy:Fields:1:Name")]
    [InlineData("*.b", "StreamEntropy:Fields:1:Name")]
    public void Validate_BadPattern_NamesTheEntry(string pattern, string key) =>
        AssertFailure(Wide(o => o.Fields[1].Name = pattern), key, "pattern");

    [Fact]
    public void Validate_BadExcludePattern_NamesIt() =>
        AssertFailure(Wide(o => o.Fields[1].Exclude.Add("x..y")), "StreamEntropy:Fields:1:Exclude:2", "empty segment");

    [Fact]
    public void Validate_PathOnADiscoveryEntry_Fails() =>
        AssertFailure(Wide(o => o.Fields[1].Path = "x"), "StreamEntropy:Fields:1", "no Path or BinWidth");

    [Fact]
    public void Validate_ExcludeOnAPlainField_Fails() =>
        AssertFailure(Wide(o => o.Fields[0].Exclude.Add("x")), "StreamEntropy:Fields:0", "only to discovered fields");

    [Theory]
    [InlineData(0)]
    [InlineData(DiscoveryRule.MaxMaxFields + 1)]
    public void Validate_MaxFieldsOutOfRange_Fails(int maxFields) =>
        AssertFailure(Wide(o => o.Fields[1].MaxFields = maxFields), "MaxFields must be from 1");

    [Fact]
    public void Validate_TwoWildcardSides_Fails() =>
        AssertFailure(Wide(o => o.Pairs.Add(new PairOptions { X = "*", Y = "user.*" })), "at most one side may be a wildcard");

    [Fact]
    public void Validate_PairOfAFieldNoRuleCanFind_Fails() =>
        AssertFailure(Wide(o => o.Fields[1].Exclude.Add("label")), "'label' is neither a configured field nor a path a discovered-fields entry can find");

    [Fact]
    public void Validate_DecayWindowWithDiscoveredBudgets_Fails() =>
        AssertFailure(Wide(o => o.Windows.Add(new WindowOptions { Name = "d", Kind = "Decay", HalfLife = TimeSpan.FromMinutes(1) })), "Decay cannot be used with MaxDistinct");

    [Fact]
    public void Validate_PlainPairsWithoutDiscovery_KeepTheirMessage()
    {
        StreamEntropyOptions options = Wide(o =>
        {
            o.Fields.RemoveAt(1);
            o.Pairs.Clear();
            o.Pairs.Add(new PairOptions { X = "country", Y = "nope" });
        });
        AssertFailure(options, "names the unknown field 'nope'");
    }

    private static void AssertFailure(StreamEntropyOptions options, params string[] fragments)
    {
        ValidateOptionsResult result = new StreamEntropyOptionsValidator().Validate(null, options);
        Assert.True(result.Failed, "expected a failure");
        Assert.Contains(result.Failures!, f => fragments.All(fragment => f.Contains(fragment, StringComparison.Ordinal)));
    }
}
