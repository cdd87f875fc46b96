using System.Globalization;
using StreamEntropy.Streaming.Demo;
using StreamEntropy.Worker.Demo;

namespace StreamEntropy.Worker.Commands;

/// <summary>The arguments of <c>stream-entropy generate</c>.</summary>
internal sealed record GenerateArguments(string BootstrapServers, string Topic, int Rate, TimeSpan? DriftAfter, TimeSpan? Duration, int Seed);

/// <summary><c>stream-entropy generate</c>: the demo's event generator against any Kafka cluster (used by docker-compose).</summary>
internal static class GenerateCommand
{
    public static async Task<int> RunAsync(GenerateArguments args, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(args.BootstrapServers))
        {
            await stderr.WriteLineAsync("error: --bootstrap-servers is required.").ConfigureAwait(false);
            return 2;
        }

        if (args.Rate is < 1 or > 1_000_000)
        {
            await stderr.WriteLineAsync("error: --rate must be between 1 and 1000000 events per second.").ConfigureAwait(false);
            return 2;
        }

        var producer = new DemoProducer(args.BootstrapServers, args.Topic, args.Rate, args.DriftAfter ?? TimeSpan.MaxValue, new DemoEventGenerator(args.Seed));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (args.Duration is { } duration)
        {
            stop.CancelAfter(duration);
        }

        await stderr.WriteLineAsync($"Producing demo events to {args.Topic} at {args.BootstrapServers}, {args.Rate}/s" +
            (args.DriftAfter is { } d ? $", drift after {d.TotalSeconds:0} s" : ", no drift")).ConfigureAwait(false);
        Task producing = producer.RunAsync(stop.Token);
        while (!producing.IsCompleted)
        {
            await Task.WhenAny(producing, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None)).ConfigureAwait(false);
            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"produced {producer.Produced} events{(producer.Drifted ? " (drifted)" : "")}")).ConfigureAwait(false);
        }

        await producing.ConfigureAwait(false);
        return 0;
    }
}
