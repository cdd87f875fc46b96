using Spectre.Console;
using StreamEntropy.Kafka.Broker;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Streaming.Demo;
using StreamEntropy.Worker.Demo;
using StreamEntropy.Worker.Hosting;
using StreamEntropy.Worker.Options;

namespace StreamEntropy.Worker.Commands;

/// <summary>The arguments of <c>stream-entropy demo</c>.</summary>
internal sealed record DemoArguments(int Rate, TimeSpan DriftAfter, TimeSpan? Duration, string[] Overrides, bool Wide = false);

/// <summary><c>stream-entropy demo</c>: embedded broker, generated events with a drift, the worker, a live view.</summary>
internal static class DemoCommand
{
    public static async Task<int> RunAsync(DemoArguments args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (args.Rate is < 1 or > 1_000_000)
        {
            await stderr.WriteLineAsync("error: --rate must be between 1 and 1000000 events per second.").ConfigureAwait(false);
            return 2;
        }

        string stateDirectory = Path.Combine(Path.GetTempPath(), $"stream-entropy-demo-{Environment.ProcessId}");
        using EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.Start();
        cluster.CreateTopic(DemoConfiguration.InputTopic, 4);
        await stderr.WriteLineAsync($"Embedded Kafka (librdkafka mock cluster) at {cluster.BootstrapServers}; state in {stateDirectory}").ConfigureAwait(false);

        bool terminal = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
        Dictionary<string, string?> configuration = args.Wide
            ? DemoConfiguration.BuildWide(cluster.BootstrapServers, stateDirectory)
            : DemoConfiguration.Build(cluster.BootstrapServers, stateDirectory);
        if (terminal)
        {
            // The live view owns the terminal: only errors are logged there; alerts are shown in the view and the page.
            configuration["Logging:LogLevel:Default"] = "Error";
            configuration["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Error";
        }

        WebApplication app = WorkerHost.Build(args.Overrides, configFile: null, configuration);
        await using (app.ConfigureAwait(false))
        {
            if (!await WorkerHost.ReportConfigurationProblemsAsync(app, stderr).ConfigureAwait(false))
            {
                return 2;
            }

            if (!await WorkerHost.TryStartAsync(app, stderr, cancellationToken).ConfigureAwait(false))
            {
                return 2;
            }

            string urls = string.Join(" ", app.Urls);
            await stderr.WriteLineAsync($"Worker running; HTTP on {urls}").ConfigureAwait(false);
            await stderr.WriteLineAsync("Point the worker at a real cluster: stream-entropy run --config my.json --StreamEntropy:Kafka:BootstrapServers=broker:9092 --StreamEntropy:Kafka:Topics:0=events").ConfigureAwait(false);
            EntropyPipeline pipeline = app.Services.GetRequiredService<EntropyPipeline>();
            var logBase = app.Services.GetRequiredService<EngineSettings>().Base;
            var producer = new DemoProducer(cluster.BootstrapServers, DemoConfiguration.InputTopic, args.Rate, args.DriftAfter, args.Wide ? new WideDemoEventGenerator() : null);

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping);
            if (args.Duration is { } duration)
            {
                stop.CancelAfter(duration);
            }

            Task producing = Task.Run(() => producer.RunAsync(stop.Token), CancellationToken.None);
            if (terminal)
            {
                IAnsiConsole console = TerminalOutput.Create(stdout);
                var selector = new WindowSelector(RotateEvery);
                await console.Live(LiveView.Render(null, producer, logBase, cluster.BootstrapServers, urls))
                    .StartAsync(async context =>
                    {
                        long nextRender = 0;
                        while (!stop.IsCancellationRequested)
                        {
                            bool switched = ReadKeys(selector);
                            long now = Environment.TickCount64;
                            if (switched || now >= nextRender)
                            {
                                int windows = pipeline.Latest?.Windows.Count ?? 0;
                                context.UpdateTarget(LiveView.Render(pipeline.Latest, producer, logBase, cluster.BootstrapServers, urls, selector.Current(windows, now)));
                                nextRender = now + 1000;
                            }

                            await Delay(TimeSpan.FromMilliseconds(100), stop.Token).ConfigureAwait(false); // keys answer within 0.1 s
                        }
                    }).ConfigureAwait(false);
            }
            else
            {
                while (!stop.IsCancellationRequested)
                {
                    await Delay(TimeSpan.FromSeconds(5), stop.Token).ConfigureAwait(false);
                    await stdout.WriteAsync(LiveView.RenderPlain(pipeline.Latest, producer, logBase)).ConfigureAwait(false);
                    await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }

            await producing.ConfigureAwait(false);
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await stdout.WriteAsync("final:\n" + LiveView.RenderPlain(pipeline.Latest, producer, logBase)).ConfigureAwait(false);
        }

        try
        {
            Directory.Delete(stateDirectory, recursive: true); // the demo's broker is gone with it: its checkpoints are meaningless now
        }
        catch (IOException)
        {
            // best effort: a temp folder
        }

        return Environment.ExitCode;
    }

    // The live view shows one window at a time so that it fits 24 lines; it moves on by itself unless a key chose one.
    private static readonly TimeSpan RotateEvery = TimeSpan.FromSeconds(6);

    /// <summary>← → (or h l) step through the windows, 1–9 pick one; returns true when the choice changed.</summary>
    private static bool ReadKeys(WindowSelector selector)
    {
        if (Console.IsInputRedirected)
        {
            return false;
        }

        bool switched = false;
        while (Console.KeyAvailable)
        {
            ConsoleKeyInfo key = Console.ReadKey(intercept: true);
            switched |= key.Key switch
            {
                ConsoleKey.RightArrow or ConsoleKey.L or ConsoleKey.Tab => selector.Step(+1),
                ConsoleKey.LeftArrow or ConsoleKey.H => selector.Step(-1),
                _ when key.KeyChar is >= '1' and <= '9' => selector.Pick(key.KeyChar - '1'),
                _ => false,
            };
        }

        return switched;
    }

    private static async Task Delay(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping: the caller's loop condition ends the wait
        }
    }
}
