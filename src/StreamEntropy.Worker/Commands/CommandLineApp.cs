using System.CommandLine;
using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Worker.Commands;

/// <summary>The <c>stream-entropy</c> command line: run, demo, broker, profile, compare, replay.</summary>
internal static class CommandLineApp
{
    public static Task<int> InvokeAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        RootCommand root = Build(stdout, stderr);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // Usage errors: one line each on stderr and exit code 2, like every other bad option.
            foreach (System.CommandLine.Parsing.ParseError error in parse.Errors)
            {
                stderr.WriteLine($"error: {error.Message}");
            }

            stderr.WriteLine("Run 'stream-entropy --help' for usage.");
            return Task.FromResult(2);
        }

        var configuration = new InvocationConfiguration { Output = stdout, Error = stderr };
        if (parse.CommandResult.Command.Name is "run" or "demo")
        {
            // The host handles SIGTERM and Ctrl-C itself and stops within its ShutdownTimeout (final publication,
            // checkpoint, commit, leaving the group). System.CommandLine's own handler would end the process after its
            // 2 s ProcessTerminationTimeout, cutting a large checkpoint in half.
            configuration.ProcessTerminationTimeout = null;
        }

        return parse.InvokeAsync(configuration, cancellationToken);
    }

    private static RootCommand Build(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("StreamEntropy: rolling entropy, conditional entropy and mutual information of event streams.");
        root.Subcommands.Add(BuildRun(stderr));
        root.Subcommands.Add(BuildDemo(stdout, stderr));
        root.Subcommands.Add(BuildProfile(stdout, stderr));
        root.Subcommands.Add(BuildCompare(stdout, stderr));
        root.Subcommands.Add(BuildReplay(stdout, stderr));
        root.Subcommands.Add(BuildBroker(stdout, stderr));
        root.Subcommands.Add(BuildGenerate(stderr));

        return root;
    }

    private static Option<string> BaseOption() => new("--base")
    {
        Description = "Logarithm base of the results: 2 (bits), e (nats), 10 (bans) or any number > 1.",
        DefaultValueFactory = _ => "2",
    };

    private static Option<string> EstimatorOption() => new("--estimator")
    {
        Description = $"Entropy estimator: {string.Join(", ", EntropyEstimatorNames.All)}.",
        DefaultValueFactory = _ => "ml",
    };

    private static Option<string> FormatOption() => new("--format")
    {
        Description = "Output format: table (for people) or json (one document on stdout).",
        DefaultValueFactory = _ => "table",
    };

    private static Option<string[]> FieldOption() => new("--field")
    {
        Description = "A field to profile: a CSV column or a dotted JSON path (repeatable). Default: every field.",
    };

    private static Option<string?> DelimiterOption() => new("--delimiter")
    {
        Description = "The CSV field delimiter: one ASCII character, or tab, comma, semicolon or pipe. Default: whichever of , ; tab | the header line holds most of.",
    };

    private static Option<string[]> BinWidthOption() => new("--bin-width")
    {
        Description = "NAME=WIDTH: treat a field as numeric, counted in bins floor(value / WIDTH) (repeatable).",
    };

    private static Command BuildRun(TextWriter stderr)
    {
        var config = new Option<string?>("--config") { Description = "A JSON configuration file (same shape as appsettings.json)." };
        var command = new Command("run", "Run the worker: consume Kafka topics, publish rolling entropies. Extra --Section:Key=value arguments override configuration.")
        {
            config,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, ct) => RunCommand.RunAsync(parse.GetValue(config), [.. parse.UnmatchedTokens], stderr, ct));
        return command;
    }

    private static Command BuildDemo(TextWriter stdout, TextWriter stderr)
    {
        var rate = new Option<int>("--rate") { Description = "Events produced per second.", DefaultValueFactory = _ => 2000 };
        var driftAfter = new Option<double>("--drift-after") { Description = "Seconds until the drift is injected.", DefaultValueFactory = _ => 45 };
        var duration = new Option<double?>("--duration") { Description = "Stop after this many seconds (default: run until Ctrl-C)." };
        var wide = new Option<bool>("--wide") { Description = "A model's input events instead: 50 features and a label, no field listed (all discovered), every feature ranked by what it tells about the label." };
        var command = new Command("demo", "Embedded Kafka, generated events with a drift after a while, and the worker on them, with a live view.")
        {
            rate, driftAfter, duration, wide,
        };
        command.TreatUnmatchedTokensAsErrors = false; // --urls and --Section:Key=value overrides pass through
        command.SetAction((parse, ct) => DemoCommand.RunAsync(
            new DemoArguments(
                parse.GetValue(rate),
                TimeSpan.FromSeconds(parse.GetValue(driftAfter)),
                parse.GetValue(duration) is double d ? TimeSpan.FromSeconds(d) : null,
                [.. parse.UnmatchedTokens],
                parse.GetValue(wide)),
            stdout,
            stderr,
            ct));
        return command;
    }

    private static Command BuildProfile(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("FILE") { Description = "A CSV file with a header row, or JSON Lines; - reads standard input." };
        var field = FieldOption();
        var pair = new Option<string[]>("--pair")
        {
            Description = "X,Y: a pair of fields for joint and conditional entropy and mutual information (repeatable). "
                + "One side may be a pattern, '*' or 'prefix.*': '*,label' pairs every field (listed with --field, else in the file) with label. "
                + "X may join several fields with '+' (country+device,label) to condition on them together.",
        };
        var rank = new Option<string?>("--rank") { Description = "TARGET: also rank the fields paired with TARGET by I(X; TARGET), with its standard error, H(TARGET|X), SU and gain ratio." };
        var binWidth = BinWidthOption();
        var logBase = BaseOption();
        var estimator = EstimatorOption();
        var format = FormatOption();
        var delimiter = DelimiterOption();
        var saveBaseline = new Option<string?>("--save-baseline") { Description = "Also write the counts to PATH as a drift baseline (StreamEntropy:Drift:Baseline)." };
        var maxDistinct = new Option<string?>("--max-distinct")
        {
            Description = "N (16 to 16777216): bounded memory. Each field, pair and pair marginal is counted exactly up to N distinct values, "
                + "then by a bounded summary: \"exact\": false, the entropy is a point estimate with a bracket [entropyLower, entropyUpper] "
                + "guaranteed to contain the exact plug-in value. Only --estimator ml.",
        };
        var command = new Command("profile", "Entropy of each field, and joint/conditional entropy and mutual information of pairs, in a file.")
        {
            file, field, pair, binWidth, logBase, estimator, format, saveBaseline, maxDistinct, delimiter, rank,
        };
        command.SetAction(parse => ProfileCommand.Run(
            new ProfileArguments(
                parse.GetValue(file)!,
                parse.GetValue(field) ?? [],
                parse.GetValue(pair) ?? [],
                parse.GetValue(binWidth) ?? [],
                parse.GetValue(logBase)!,
                parse.GetValue(estimator)!,
                parse.GetValue(format)!,
                parse.GetValue(saveBaseline),
                parse.GetValue(maxDistinct),
                parse.GetValue(delimiter),
                parse.GetValue(rank)),
            stdout,
            stderr,
            showProgress: ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected));
        return command;
    }

    private static Command BuildCompare(TextWriter stdout, TextWriter stderr)
    {
        var reference = new Argument<string>("REFERENCE") { Description = "The reference file (CSV or JSON Lines); - reads standard input." };
        var current = new Argument<string>("CURRENT") { Description = "The current file to compare with the reference." };
        var field = FieldOption();
        var binWidth = BinWidthOption();
        var logBase = BaseOption();
        var estimator = EstimatorOption();
        var epsilon = new Option<double>("--epsilon")
        {
            Description = "Share used in place of a zero share in KL and PSI (no renormalisation).",
            DefaultValueFactory = _ => Divergences.DefaultEpsilon,
        };
        var format = FormatOption();
        var delimiter = DelimiterOption();
        var command = new Command("compare", "KL divergence, Jensen–Shannon and PSI of each field between a reference and a current file.")
        {
            reference, current, field, binWidth, logBase, estimator, epsilon, format, delimiter,
        };
        command.SetAction(parse => CompareCommand.Run(
            new CompareArguments(
                parse.GetValue(reference)!,
                parse.GetValue(current)!,
                parse.GetValue(field) ?? [],
                parse.GetValue(binWidth) ?? [],
                parse.GetValue(logBase)!,
                parse.GetValue(estimator)!,
                parse.GetValue(epsilon),
                parse.GetValue(format)!,
                parse.GetValue(delimiter)),
            stdout,
            stderr));
        return command;
    }

    private static Command BuildReplay(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("FILE") { Description = "A CSV file with a header row, or JSON Lines: the events, in order." };
        var config = new Option<string>("--config") { Description = "The worker's JSON configuration file (fields, pairs, windows, drift rules; Kafka settings unused).", Required = true };
        var inject = new Option<string[]>("--inject")
        {
            Description = "'field=value:from%->to%@row': from row `row` on (0 is the first), rewrite a seeded pseudo-random subset of rows "
                + "so that the share of `value` in `field` goes from from% to to% (repeatable).",
        };
        var timeColumn = new Option<string?>("--time-column") { Description = "NAME: the column (or dotted JSON path) of the event time: epoch seconds or milliseconds, or ISO-8601. Default: row i at i / --rate seconds." };
        var rate = new Option<double>("--rate") { Description = "Rows per second when there is no --time-column.", DefaultValueFactory = _ => 1000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the rows --inject rewrites.", DefaultValueFactory = _ => 1 };
        var format = FormatOption();
        var delimiter = DelimiterOption();
        var command = new Command("replay", "Run the worker's windows, drift monitor and alert rules over a file as a stream, optionally injecting drift; report what each rule raised and when.")
        {
            file, config, inject, timeColumn, rate, seed, format, delimiter,
        };
        command.SetAction(parse => ReplayCommand.Run(
            new ReplayArguments(
                parse.GetValue(file)!,
                parse.GetValue(config)!,
                parse.GetValue(inject) ?? [],
                parse.GetValue(timeColumn),
                parse.GetValue(rate),
                parse.GetValue(format)!,
                parse.GetValue(seed),
                parse.GetValue(delimiter)),
            stdout,
            stderr));
        return command;
    }

    private static Command BuildGenerate(TextWriter stderr)
    {
        var bootstrap = new Option<string>("--bootstrap-servers") { Description = "Kafka bootstrap servers, host:port[,host:port].", Required = true };
        var topic = new Option<string>("--topic") { Description = "The topic to produce to.", DefaultValueFactory = _ => "events" };
        var rate = new Option<int>("--rate") { Description = "Events per second.", DefaultValueFactory = _ => 500 };
        var driftAfter = new Option<double?>("--drift-after") { Description = "Seconds until the drift is injected (default: never)." };
        var duration = new Option<double?>("--duration") { Description = "Stop after this many seconds (default: until Ctrl-C / SIGTERM)." };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 42 };
        var command = new Command("generate", "Produce the demo's realistic events (skewed fields, dependent pairs, a few malformed) to a Kafka topic.")
        {
            bootstrap, topic, rate, driftAfter, duration, seed,
        };
        command.SetAction((parse, ct) => GenerateCommand.RunAsync(
            new GenerateArguments(
                parse.GetValue(bootstrap)!,
                parse.GetValue(topic)!,
                parse.GetValue(rate),
                parse.GetValue(driftAfter) is double d ? TimeSpan.FromSeconds(d) : null,
                parse.GetValue(duration) is double s ? TimeSpan.FromSeconds(s) : null,
                parse.GetValue(seed)),
            stderr,
            ct));
        return command;
    }

    private static Command BuildBroker(TextWriter stdout, TextWriter stderr)
    {
        var brokers = new Option<int>("--brokers") { Description = "Number of mock brokers (1–16).", DefaultValueFactory = _ => 1 };
        var command = new Command("broker", "Start librdkafka's mock Kafka cluster on 127.0.0.1 and print BOOTSTRAP=host:port.") { brokers };
        command.SetAction((parse, ct) => BrokerCommand.RunAsync(parse.GetValue(brokers), stdout, stderr, ct));
        return command;
    }
}
