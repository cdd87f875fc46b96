using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamEntropy.Worker.Hosting;
using StreamEntropy.Worker.Options;
using StreamEntropy.Worker.Tests.Support;

namespace StreamEntropy.Worker.Tests;

/// <summary><c>"Pairs": [{"X": ["country", "device"], "Y": "label"}]</c>: a pair conditioned on several fields, in a
/// configuration file, on the command line or in environment variables, next to the one-field form.</summary>
[Collection(ProcessEnvironmentGroup.Name)]
public sealed class PairTupleOptionsTests : IDisposable
{
    private const string Config = """
        {
          "StreamEntropy": {
            "Kafka": { "BootstrapServers": "127.0.0.1:1", "GroupId": "g", "Topics": [ "in" ] },
            "Fields": [ { "Name": "country", "Path": "user.country" }, { "Name": "device" }, { "Name": "label" }, { "Name": "plan" } ],
            "Pairs": [
              { "X": [ "country", "device" ], "Y": "label" },
              { "X": "country", "Y": "label" },
              { "X": [ "country", "device" ], "Y": "plan" }
            ],
            "Windows": [ { "Name": "all", "Kind": "Cumulative" } ]
          }
        }
        """;

    private const string OneFieldConfig = """
        {
          "StreamEntropy": {
            "Kafka": { "BootstrapServers": "127.0.0.1:1", "GroupId": "g", "Topics": [ "in" ] },
            "Fields": [ { "Name": "country" }, { "Name": "device" }, { "Name": "label" } ],
            "Windows": [ { "Name": "all", "Kind": "Cumulative" } ]
          }
        }
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Build_ListAndSingleX_BindsBoth_AndTheSchemaHasTheTupleOnce()
    {
        WebApplication app = WorkerHost.Build([], _dir.Write("config.json", Config));
        await using (app)
        {
            Assert.Empty(WorkerHost.Validate(app));
            StreamEntropyOptions o = app.Services.GetRequiredService<IOptions<StreamEntropyOptions>>().Value;
            Assert.Equal(["country", "device"], o.Pairs[0].XFields);
            Assert.Equal("", o.Pairs[0].X);
            Assert.Equal(("country", 0), (o.Pairs[1].X, o.Pairs[1].XFields.Count));

            EngineSettings settings = app.Services.GetRequiredService<EngineSettings>();
            Assert.Equal(["country", "device", "label", "plan", "country+device"], settings.Schema.Fields.Select(f => f.Name));
            Assert.Equal(["country", "device"], settings.Schema.Fields[4].Components!);
            Assert.Equal(["country+device,label", "country,label", "country+device,plan"], settings.Schema.Pairs.Select(p => p.Key));
        }
    }

    [Fact]
    public async Task Build_TupleFromEnvironmentVariables_IsBound()
    {
        string[] variables = ["StreamEntropy__Pairs__0__X__0", "StreamEntropy__Pairs__0__X__1", "StreamEntropy__Pairs__0__Y"];
        string[] values = ["country", "device", "label"];
        try
        {
            for (int i = 0; i < variables.Length; i++)
            {
                Environment.SetEnvironmentVariable(variables[i], values[i]);
            }

            WebApplication app = WorkerHost.Build([], _dir.Write("config.json", OneFieldConfig));
            await using (app)
            {
                Assert.Empty(WorkerHost.Validate(app));
                EngineSettings settings = app.Services.GetRequiredService<EngineSettings>();
                Assert.Equal("country+device,label", Assert.Single(settings.Schema.Pairs).Key);
                Assert.True(settings.Schema.IsTuple(3));
            }
        }
        finally
        {
            foreach (string variable in variables)
            {
                Environment.SetEnvironmentVariable(variable, null);
            }
        }
    }

    [Theory]
    [InlineData(new[] { "--StreamEntropy:Pairs:0:X:0=country", "--StreamEntropy:Pairs:0:X:1=zz", "--StreamEntropy:Pairs:0:Y=label" }, "StreamEntropy:Pairs:0:X:1 names the unknown field 'zz'.")]
    [InlineData(new[] { "--StreamEntropy:Pairs:0:X:0=country", "--StreamEntropy:Pairs:0:Y=label" }, "StreamEntropy:Pairs:0:X lists one field; give its name, or at least two fields to condition on together.")]
    [InlineData(new[] { "--StreamEntropy:Pairs:0:X:0=country", "--StreamEntropy:Pairs:0:X:1=country", "--StreamEntropy:Pairs:0:Y=label" }, "StreamEntropy:Pairs:0:X:1: the field 'country' is listed twice.")]
    [InlineData(new[] { "--StreamEntropy:Pairs:0:X=device", "--StreamEntropy:Pairs:0:X:0=country", "--StreamEntropy:Pairs:0:X:1=label", "--StreamEntropy:Pairs:0:Y=label" }, "StreamEntropy:Pairs:0:X is both a field ('device') and a list of fields; give one of them.")]
    [InlineData(new[] { "--StreamEntropy:Pairs:0:X:0=label", "--StreamEntropy:Pairs:0:X:1=country", "--StreamEntropy:Pairs:0:Y=label" }, "StreamEntropy:Pairs:0:Y 'label' is one of X's fields; H(Y | X) would always be 0.")]
    public async Task Validate_BadTuple_OneLineNamingTheKey(string[] arguments, string expected)
    {
        WebApplication app = WorkerHost.Build(arguments, _dir.Write("config.json", OneFieldConfig));
        await using (app)
        {
            Assert.Equal([expected], WorkerHost.Validate(app));
        }
    }

    [Fact]
    public async Task Validate_UnnumberedEntryOfX_IsNamed()
    {
        WebApplication app = WorkerHost.Build(["--StreamEntropy:Pairs:0:X:a=country", "--StreamEntropy:Pairs:0:Y=label"], _dir.Write("config.json", OneFieldConfig));
        await using (app)
        {
            // The binder still takes the entry as X's only field, which the options validation reports too.
            Assert.Equal(
                ["StreamEntropy:Pairs:0:X:a is not a setting: X is a list, so its entries are numbered (StreamEntropy:Pairs:0:X:0).", "StreamEntropy:Pairs:0:X lists one field; give its name, or at least two fields to condition on together."],
                WorkerHost.Validate(app));
        }
    }

    [Fact]
    public async Task Validate_DriftBaselineSavedByProfileWithTheSameTuple_Fits()
    {
        string data = _dir.Write("reference.csv", "country,device,label\nDE,ios,1\nFR,web,0\nDE,web,1\nDE,ios,1\n");
        string baseline = _dir.File("baseline.json");
        CliResult saved = await Cli.RunAsync("profile", data, "--pair", "country+device,label", "--save-baseline", baseline);
        Assert.True(saved.ExitCode == 0, saved.Stderr);
        var options = new StreamEntropyOptions
        {
            Kafka = new KafkaOptions { BootstrapServers = "localhost:9092", GroupId = "g", Topics = ["events"] },
            Fields = [new FieldOptions { Name = "country" }, new FieldOptions { Name = "device" }, new FieldOptions { Name = "label" }],
            Pairs = [new PairOptions { Y = "label" }],
            Windows = [new WindowOptions { Name = "1m", Kind = "Tumbling", Size = TimeSpan.FromMinutes(1) }],
            Drift = new DriftOptions { Baseline = baseline },
        };
        options.Pairs[0].XFields.AddRange(["country", "device"]);

        ValidateOptionsResult result = new StreamEntropyOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Streaming.Drift.BaselineField tuple = Assert.Single(new BaselineLoader().Load(baseline).Fields, f => f.Name == "country+device");
        Assert.Equal([("[\"DE\",\"ios\"]", 2L), ("[\"FR\",\"web\"]", 1L), ("[\"DE\",\"web\"]", 1L)], tuple.Values.Select(v => (v.Value, v.Count)).OrderByDescending(v => v.Item2).ThenByDescending(v => v.Item1, StringComparer.Ordinal));
    }

    [Fact]
    public void ToFields_TupleWithABoundedField_IsBoundedByTheSchema()
    {
        var options = new StreamEntropyOptions
        {
            Fields = [new FieldOptions { Name = "country" }, new FieldOptions { Name = "id", MaxDistinct = 1024 }, new FieldOptions { Name = "label" }],
            Pairs = [new PairOptions { Y = "label" }],
        };
        options.Pairs[0].XFields.AddRange(["country", "id"]);

        Streaming.Counting.EventSchema schema = OptionsMapper.ToSchema(options);

        Assert.Equal(1024, schema.Fields[3].MaxDistinct);
        Assert.Equal(1024, schema.PairMaxDistinct(0));
    }
}
