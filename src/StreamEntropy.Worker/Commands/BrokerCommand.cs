using StreamEntropy.Kafka.Broker;

namespace StreamEntropy.Worker.Commands;

/// <summary><c>stream-entropy broker [--brokers N]</c>: a Kafka cluster on 127.0.0.1 for people without Docker.</summary>
internal static class BrokerCommand
{
    /// <summary>Prefix of the first stdout line; scripts parse <c>BOOTSTRAP=host:port[,host:port...]</c>.</summary>
    public const string BootstrapPrefix = "BOOTSTRAP=";

    /// <summary>Starts the cluster, prints its address and serves until <paramref name="cancellationToken"/> fires.</summary>
    /// <param name="brokers">Number of brokers, 1 to <see cref="EmbeddedKafkaCluster.MaxBrokers"/>.</param>
    /// <param name="stdout">Receives exactly one line, <c>BOOTSTRAP=...</c>, flushed at once.</param>
    /// <param name="stderr">Receives the human hint, or a one-line error.</param>
    /// <param name="cancellationToken">Ctrl-C / SIGTERM, wired by the caller.</param>
    /// <returns>0 after a clean stop, 1 if the cluster cannot start, 2 for an invalid broker count.</returns>
    public static async Task<int> RunAsync(int brokers, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        if (brokers is < 1 or > EmbeddedKafkaCluster.MaxBrokers)
        {
            await stderr.WriteLineAsync($"broker: --brokers must be between 1 and {EmbeddedKafkaCluster.MaxBrokers}, got {brokers}.").ConfigureAwait(false);
            return 2;
        }

        EmbeddedKafkaCluster cluster;
        try
        {
            // A new group is assigned at once instead of after Kafka's default 3 s wait for more
            // members: this cluster serves interactive use, where that wait only looks like a hang.
            cluster = EmbeddedKafkaCluster.Start(brokers, groupInitialRebalanceDelay: TimeSpan.Zero);
        }
        catch (InvalidOperationException e)
        {
            await stderr.WriteLineAsync("broker: " + e.Message).ConfigureAwait(false);
            return 1;
        }

        using (cluster)
        {
            string bootstrap = cluster.BootstrapServers;
            await stdout.WriteLineAsync(BootstrapPrefix + bootstrap).ConfigureAwait(false);
            await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);

            await stderr.WriteLineAsync(
                $$"""
                Kafka mock cluster (librdkafka, {{brokers}} broker(s)) on {{bootstrap}}. In memory only; not for production.
                Topics are auto-created with {{EmbeddedKafkaCluster.AutoCreatedTopicPartitions}} partitions; each partition keeps only its last ~5 MiB.
                Try:  kcat -b {{bootstrap}} -L
                      echo '{"team":"a"}' | kcat -P -b {{bootstrap}} -t events
                      kcat -C -b {{bootstrap}} -t events -o beginning -e
                Press Ctrl-C to stop.
                """).ConfigureAwait(false);
            await stderr.FlushAsync(CancellationToken.None).ConfigureAwait(false);

            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The only way out: Ctrl-C / SIGTERM arrive as cancellation.
            }
        }

        await stderr.WriteLineAsync("broker: stopped.").ConfigureAwait(false);
        return 0;
    }
}
