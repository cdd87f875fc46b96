using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamEntropy.Worker.Hosting;
using StreamEntropy.Worker.Options;
using StreamEntropy.Worker.Tests.Support;

namespace StreamEntropy.Worker.Tests;

/// <summary>One test per rule of <see cref="StreamEntropyOptionsValidator"/>: each failure names the setting.</summary>
[Collection(ProcessEnvironmentGroup.Name)]
public sealed class StreamEntropyOptionsValidatorTests
{
    [Fact]
    public void Validate_ValidOptions_Succeeds()
    {
        ValidateOptionsResult result = new StreamEntropyOptionsValidator().Validate(null, Valid());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public async Task Validate_ExampleConfigurationThroughTheHost_HasNoProblems()
    {
        WebApplication app = WorkerHost.Build([], configFile: RepositoryFiles.ExampleConfiguration);
        await using (app)
        {
            IReadOnlyList<string> problems = WorkerHost.Validate(app);

            Assert.Empty(problems);
            StreamEntropyOptions o = app.Services.GetRequiredService<IOptions<StreamEntropyOptions>>().Value;
            Assert.Equal(["country", "device", "amount"], o.Fields.Select(f => f.Name));
            Assert.Equal("user.country", o.Fields[0].Path);
            Assert.Equal(10, o.Fields[2].BinWidth);
            Assert.Equal(["all", "1m", "10m", "5m-decay"], o.Windows.Select(w => w.Name));
            Assert.Equal(TimeSpan.FromSeconds(10), o.Windows[2].Step);
            Assert.Equal(TimeSpan.FromMinutes(5), o.Windows[3].HalfLife);
            Assert.Equal((ScalingMode.Standalone, "entropy-state", "entropy-partials", 3), (o.Scaling.Mode, o.Scaling.StateTopic, o.Scaling.PartialsTopic, o.Scaling.MaxLagWindows));
            Assert.True(new StreamEntropyOptionsValidator().Validate(null, o).Succeeded);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Validate_EmptyBootstrapServers_Fails(string value) =>
        AssertSingleFailure(o => o.Kafka.BootstrapServers = value, "StreamEntropy:Kafka:BootstrapServers");

    [Fact]
    public void Validate_EmptyGroupId_Fails() =>
        AssertSingleFailure(o => o.Kafka.GroupId = "", "StreamEntropy:Kafka:GroupId");

    [Fact]
    public void Validate_NoTopics_Fails() =>
        AssertSingleFailure(o => o.Kafka.Topics.Clear(), "StreamEntropy:Kafka:Topics");

    [Fact]
    public void Validate_EmptyTopicName_Fails() =>
        AssertSingleFailure(o => o.Kafka.Topics.Add(" "), "StreamEntropy:Kafka:Topics");

    [Fact]
    public void Validate_OutputTopicListedAsInput_Fails() =>
        AssertSingleFailure(o => o.Kafka.Topics.Add(o.Kafka.OutputTopic), "StreamEntropy:Kafka:Topics", "output");

    [Fact]
    public void Validate_DeadLetterTopicListedAsInput_Fails() =>
        AssertSingleFailure(o => o.Kafka.Topics.Add(o.Kafka.DeadLetterTopic), "StreamEntropy:Kafka:Topics", "dead-letter");

    [Fact]
    public void Validate_EmptyOutputTopic_Fails() =>
        AssertSingleFailure(o => o.Kafka.OutputTopic = "", "StreamEntropy:Kafka:OutputTopic");

    [Fact]
    public void Validate_EmptyDeadLetterTopic_Fails() =>
        AssertSingleFailure(o => o.Kafka.DeadLetterTopic = "", "StreamEntropy:Kafka:DeadLetterTopic");

    [Fact]
    public void Validate_NoFields_Fails() =>
        AssertSingleFailure(
            o =>
            {
                o.Fields.Clear();
                o.Pairs.Clear();
            },
            "StreamEntropy:Fields");

    // The schema's messages name fields and pairs as Fields[i] / Pairs[i] rather than the configuration
    // key form Fields:i used for windows; the tests pin the section, the index and the offending name.
    [Fact]
    public void Validate_EmptyFieldName_Fails() =>
        AssertSingleFailure(o => o.Fields[1].Name = "", "StreamEntropy:Fields", "1", "name");

    [Fact]
    public void Validate_PathWithEmptySegment_Fails() =>
        AssertSingleFailure(o => o.Fields[1].Path = "user..device", "StreamEntropy:Fields:1:Path", "'user..device'", "empty segment");

    [Fact]
    public void Validate_DuplicateFieldName_Fails() =>
        AssertSingleFailure(o => o.Fields.Add(new FieldOptions { Name = "device", Path = "other" }), "StreamEntropy:Fields", "3", "'device'", "twice");

    [Fact]
    public void Validate_PairNamingUnknownField_Fails() =>
        AssertSingleFailure(o => o.Pairs.Add(new PairOptions { X = "country", Y = "nope" }), "StreamEntropy:Pairs", "1", "'nope'");

    [Fact]
    public void Validate_PairWithXEqualToY_Fails() =>
        AssertSingleFailure(o => o.Pairs[0].Y = "country", "StreamEntropy:Pairs", "0", "'country'");

    [Fact]
    public void Validate_DuplicatePair_Fails() =>
        AssertSingleFailure(o => o.Pairs.Add(new PairOptions { X = "country", Y = "device" }), "StreamEntropy:Pairs", "1", "country,device", "twice");

    [Theory]
    [InlineData(0)]
    [InlineData(-10)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Validate_BinWidthNotPositiveFinite_Fails(double width) =>
        AssertSingleFailure(o => o.Fields[2].BinWidth = width, "StreamEntropy:Fields", "2", "'amount'", "bin width");

    [Fact]
    public void Validate_UnknownEstimator_Fails() =>
        AssertSingleFailure(o => o.Estimator = "bogus", "StreamEntropy:Estimator", "'bogus'");

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void Validate_TopDriversOutOfRange_Fails(int value) =>
        AssertSingleFailure(o => o.Drift.TopDrivers = value, "StreamEntropy:Drift:TopDrivers");

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(1_000_000_001)]
    public void Validate_MinimumReferenceEventsOutOfRange_Fails(long value) =>
        AssertSingleFailure(o => o.Drift.MinimumReferenceEvents = value, "StreamEntropy:Drift:MinimumReferenceEvents");

    [Fact]
    public void ToRules_FalseDiscoveryRate_UnsetIsTheDefault_ZeroIsOff()
    {
        var drift = new DriftOptions();
        drift.Rules.Add(new AlertRuleOptions { Name = "unset", Metric = "psi", Threshold = 0.1 });
        drift.Rules.Add(new AlertRuleOptions { Name = "off", Metric = "psi", Threshold = 0.1, FalseDiscoveryRate = 0 });
        drift.Rules.Add(new AlertRuleOptions { Name = "set", Metric = "psi", Threshold = 0.1, FalseDiscoveryRate = 0.01 });

        double?[] expected = [0.05, 0, 0.01];
        Assert.Equal(expected, OptionsMapper.ToRules(drift).Select(r => r.FalseDiscoveryRate));
    }

    [Fact]
    public void ToDrift_CarriesMinimumReferenceEventsAndRecaptureOnStart()
    {
        var options = new StreamEntropyOptions();
        options.Drift.MinimumReferenceEvents = 5_000;
        options.Drift.RecaptureOnStart = true;
        StreamEntropy.Streaming.Engine.DriftSettings drift = OptionsMapper.ToDrift(options)!;
        Assert.Equal(5_000, drift.Scoring!.MinimumReferenceEvents);
        Assert.True(drift.RecaptureOnStart);
        Assert.Equal(1_000, OptionsMapper.ToDrift(new StreamEntropyOptions())!.Scoring!.MinimumReferenceEvents);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("1")]
    [InlineData("0.5")]
    [InlineData("")]
    public void Validate_BadBase_Fails(string value) =>
        AssertSingleFailure(o => o.Base = value, "StreamEntropy:Base");

    [Fact]
    public void Validate_WindowWithoutName_Fails() =>
        AssertSingleFailure(o => o.Windows[1].Name = " ", "StreamEntropy:Windows:1:Name");

    [Fact]
    public void Validate_DuplicateWindowName_Fails() =>
        AssertSingleFailure(o => o.Windows[2].Name = "all", "StreamEntropy:Windows:2:Name", "'all'");

    [Theory]
    [InlineData("Hopping")]
    [InlineData("")]
    [InlineData("99")]
    public void Validate_UnknownWindowKind_Fails(string kind) =>
        AssertSingleFailure(o => o.Windows[0].Kind = kind, "StreamEntropy:Windows:0:Kind");

    [Fact]
    public void Validate_WindowKindInAnyCase_Succeeds()
    {
        StreamEntropyOptions options = Valid();
        options.Windows[1].Kind = "TUMBLING";
        options.Windows[2].Kind = "sliding";

        Assert.True(new StreamEntropyOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("00:00:00")]
    [InlineData("-00:01:00")]
    public void Validate_TumblingWithoutPositiveSize_Fails(string? size) =>
        AssertSingleFailure(o => o.Windows[1].Size = size is null ? null : TimeSpan.Parse(size, System.Globalization.CultureInfo.InvariantCulture), "StreamEntropy:Windows:1:Size");

    [Fact]
    public void Validate_SlidingWithoutSize_Fails() =>
        AssertSingleFailure(o => o.Windows[2].Size = null, "StreamEntropy:Windows:2:Size");

    [Theory]
    [InlineData(null)]
    [InlineData("00:00:00")]
    public void Validate_SlidingWithoutPositiveStep_Fails(string? step) =>
        AssertSingleFailure(o => o.Windows[2].Step = step is null ? null : TimeSpan.Parse(step, System.Globalization.CultureInfo.InvariantCulture), "StreamEntropy:Windows:2:Step");

    [Theory]
    [InlineData(7)] // 600 s is not a multiple of 7 s
    [InlineData(1200)] // a step longer than the window
    public void Validate_SlidingStepNotDividingSize_Fails(int stepSeconds) =>
        AssertSingleFailure(o => o.Windows[2].Step = TimeSpan.FromSeconds(stepSeconds), "StreamEntropy:Windows:2:Step", "divide");

    [Theory]
    [InlineData(-1)]
    [InlineData(15)]
    [InlineData(16_777_217)]
    public void Validate_MaxDistinctOutOfRange_Fails(int maxDistinct) =>
        AssertSingleFailure(o => (o.MaxDistinct, o.Windows) = (maxDistinct, o.Windows[..3]), "StreamEntropy:MaxDistinct", "16", "16777216");

    [Fact]
    public void Validate_FieldMaxDistinctOutOfRange_Fails() =>
        AssertSingleFailure(o => (o.Fields[1].MaxDistinct, o.Windows) = (8, o.Windows[..3]), "StreamEntropy:Fields:1:MaxDistinct", "not 8");

    [Fact]
    public void Validate_MaxDistinctWithBiasCorrectedEstimator_Fails() =>
        AssertSingleFailure(o => (o.MaxDistinct, o.Estimator, o.Windows) = (1000, "chao-shen", o.Windows[..3]), "StreamEntropy:Estimator 'chao-shen'", "MaxDistinct", "ml");

    [Fact]
    public void Validate_FieldMaxDistinctWithDecayWindow_Fails() =>
        AssertSingleFailure(o => o.Fields[0].MaxDistinct = 1000, "StreamEntropy:Windows:3:Kind Decay", "MaxDistinct");

    [Fact]
    public void Validate_MaxDistinctOverriddenToZeroOnEveryField_AllowsDecayAndAnyEstimator()
    {
        StreamEntropyOptions options = Valid();
        options.MaxDistinct = 1000;
        options.Estimator = "shrink";
        options.Fields.ForEach(f => f.MaxDistinct = 0);

        Assert.True(new StreamEntropyOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void ToSchema_MaxDistinct_FieldOverridesSectionAndPairTakesTheLarger()
    {
        StreamEntropyOptions options = Valid();
        options.MaxDistinct = 1000;
        options.Fields[0].MaxDistinct = 0;
        options.Fields[1].MaxDistinct = 5000;

        Streaming.Counting.EventSchema schema = OptionsMapper.ToSchema(options);

        Assert.Equal([0, 5000, 1000], schema.Fields.Select(f => f.MaxDistinct));
        Assert.Equal(5000, schema.PairMaxDistinct(0)); // country (unlimited) × device (5000)
        Assert.All(OptionsMapper.ToSchema(options, withBudgets: false).Fields, f => Assert.Equal(0, f.MaxDistinct));
    }

    [Fact]
    public void Validate_SlidingWithExactly10000Panes_Succeeds()
    {
        StreamEntropyOptions options = Valid();
        options.Windows[2].Size = TimeSpan.FromSeconds(10_000);
        options.Windows[2].Step = TimeSpan.FromSeconds(1);

        Assert.True(new StreamEntropyOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_SlidingWithTooManyPanes_Fails() =>
        AssertSingleFailure(
            o =>
            {
                o.Windows[2].Size = TimeSpan.FromSeconds(10_001);
                o.Windows[2].Step = TimeSpan.FromSeconds(1);
            },
            "StreamEntropy:Windows:2",
            "10001",
            "10000");

    // Windows count in whole milliseconds; this passed validation before and failed when the engine was built.
    [Fact]
    public void Validate_TumblingSizeNotWholeMilliseconds_Fails() =>
        AssertSingleFailure(
            o => o.Windows[1].Size = TimeSpan.FromTicks(15_000),
            "StreamEntropy:Windows:1:Size 00:00:00.0015000 is not a whole number of milliseconds.");

    [Fact]
    public void Validate_SlidingSizeAndStepNotWholeMilliseconds_Fails() =>
        AssertSingleFailure(
            o => (o.Windows[2].Size, o.Windows[2].Step) = (TimeSpan.FromTicks(15_000), TimeSpan.FromTicks(15_000)),
            "StreamEntropy:Windows:2:Size 00:00:00.0015000 is not a whole number of milliseconds.");

    [Fact]
    public void Validate_CheckpointIntervalOutOfRange_Fails() =>
        AssertSingleFailure(
            o => o.Checkpoint.Interval = TimeSpan.FromDays(2),
            "StreamEntropy:Checkpoint:Interval must be between 100 ms and 1 day, not 2.00:00:00.");

    [Theory]
    [InlineData(null)]
    [InlineData("00:00:00")]
    public void Validate_DecayWithoutPositiveHalfLife_Fails(string? halfLife) =>
        AssertSingleFailure(o => o.Windows[3].HalfLife = halfLife is null ? null : TimeSpan.Parse(halfLife, System.Globalization.CultureInfo.InvariantCulture), "StreamEntropy:Windows:3:HalfLife");

    [Fact]
    public void Validate_EmptyCheckpointDirectory_Fails() =>
        AssertSingleFailure(o => o.Checkpoint.Directory = "", "StreamEntropy:Checkpoint:Directory");

    [Fact]
    public void Validate_SeveralProblems_ReportsEach()
    {
        StreamEntropyOptions options = Valid();
        options.Kafka.GroupId = "";
        options.Estimator = "bogus";
        options.Windows[3].HalfLife = null;

        ValidateOptionsResult result = new StreamEntropyOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(3, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.Contains("StreamEntropy:Kafka:GroupId", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("StreamEntropy:Estimator", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("StreamEntropy:Windows:3:HalfLife", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_GroupModeWithCumulativeTumblingAndSlidingWindows_Succeeds()
    {
        StreamEntropyOptions o = GroupMode();

        ValidateOptionsResult result = new StreamEntropyOptionsValidator().Validate(null, o);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_GroupModeWithDecayWindow_Fails()
    {
        StreamEntropyOptions o = GroupMode();
        o.Windows.Add(new WindowOptions { Name = "d", Kind = "Decay", HalfLife = TimeSpan.FromMinutes(1) });

        string failure = Assert.Single(new StreamEntropyOptionsValidator().Validate(null, o).Failures!);

        Assert.Contains("StreamEntropy:Windows:3", failure, StringComparison.Ordinal);
        Assert.Contains("Decay windows cannot be merged", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_GroupModeWithDrift_Succeeds()
    {
        StreamEntropyOptions o = GroupMode();
        o.Drift.Enabled = true;

        Assert.True(new StreamEntropyOptionsValidator().Validate(null, o).Succeeded);
    }

    [Fact]
    public void Validate_GroupModeWithFalseDiscoveryRate_FailsUnlessZero()
    {
        StreamEntropyOptions o = GroupMode();
        o.Drift.Enabled = true;
        o.Drift.Rules.Add(new AlertRuleOptions { Name = "r", Metric = "psi", Threshold = 0.1, MinimumSignificance = 6, FalseDiscoveryRate = 0.05 });

        string failure = Assert.Single(new StreamEntropyOptionsValidator().Validate(null, o).Failures!);

        Assert.Contains("StreamEntropy:Drift:Rules:0:FalseDiscoveryRate cannot be used with StreamEntropy:Scaling:Mode Group", failure, StringComparison.Ordinal);
        o.Drift.Rules[0].FalseDiscoveryRate = 0;
        Assert.True(new StreamEntropyOptionsValidator().Validate(null, o).Succeeded);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.01)]
    public void Validate_FalseDiscoveryRateOutOfRange_Fails(double q)
    {
        StreamEntropyOptions o = Valid();
        o.Drift.Enabled = true;
        o.Drift.Rules.Add(new AlertRuleOptions { Name = "r", Metric = "psi", Threshold = 0.1, FalseDiscoveryRate = q });

        string failure = Assert.Single(new StreamEntropyOptionsValidator().Validate(null, o).Failures!);

        Assert.Contains("StreamEntropy:Drift:Rules: Alert rule 'r': FalseDiscoveryRate must be in (0, 1), or 0 for no correction", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "entropy-partials", "StreamEntropy:Scaling:StateTopic is empty")]
    [InlineData("entropy-state", " ", "StreamEntropy:Scaling:PartialsTopic is empty")]
    [InlineData("events", "entropy-partials", "StreamEntropy:Scaling:StateTopic 'events' is also an input")]
    [InlineData("entropy-state", "entropy", "StreamEntropy:Scaling:PartialsTopic 'entropy' is also an input")]
    [InlineData("same", "same", "must be different topics")]
    public void Validate_GroupModeTopics_Fails(string state, string partials, string fragment)
    {
        StreamEntropyOptions o = GroupMode();
        o.Scaling.StateTopic = state;
        o.Scaling.PartialsTopic = partials;

        string failure = Assert.Single(new StreamEntropyOptionsValidator().Validate(null, o).Failures!);

        Assert.Contains(fragment, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_StandaloneModeIgnoresScalingTopics()
    {
        StreamEntropyOptions o = Valid();
        o.Scaling.StateTopic = "";

        Assert.True(new StreamEntropyOptionsValidator().Validate(null, o).Succeeded);
    }

    private static StreamEntropyOptions GroupMode()
    {
        StreamEntropyOptions o = Valid();
        o.Windows.RemoveAll(w => w.Kind is "Decay");
        o.Scaling.Mode = ScalingMode.Group;
        return o;
    }

    private static void AssertSingleFailure(Action<StreamEntropyOptions> mutate, params string[] fragments)
    {
        StreamEntropyOptions options = Valid();
        mutate(options);

        ValidateOptionsResult result = new StreamEntropyOptionsValidator().Validate(null, options);

        Assert.True(result.Failed, "expected a failure");
        string failure = Assert.Single(result.Failures!);
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, failure, StringComparison.Ordinal);
        }
    }

    /// <summary>A valid configuration using every kind of window; each test breaks one rule of it.</summary>
    private static StreamEntropyOptions Valid() => new()
    {
        Kafka = new KafkaOptions { BootstrapServers = "localhost:9092", GroupId = "g", Topics = ["events"] },
        Fields =
        [
            new FieldOptions { Name = "country", Path = "user.country" },
            new FieldOptions { Name = "device" },
            new FieldOptions { Name = "amount", BinWidth = 10 },
        ],
        Pairs = [new PairOptions { X = "country", Y = "device" }],
        Windows =
        [
            new WindowOptions { Name = "all", Kind = "Cumulative" },
            new WindowOptions { Name = "1m", Kind = "Tumbling", Size = TimeSpan.FromMinutes(1) },
            new WindowOptions { Name = "10m", Kind = "Sliding", Size = TimeSpan.FromMinutes(10), Step = TimeSpan.FromSeconds(10) },
            new WindowOptions { Name = "decay", Kind = "Decay", HalfLife = TimeSpan.FromMinutes(5) },
        ],
    };
}
