using Confluent.Kafka;
using StreamEntropy.IntegrationTests.Infrastructure;
using StreamEntropy.Worker.Commands;

namespace StreamEntropy.IntegrationTests.Commands;

/// <summary>
/// <c>stream-entropy broker</c>, in process: RunAsync with captured writers. (As a child process
/// once Program.cs wires the command line.)
/// </summary>
[Trait("Category", "Integration")]
public sealed class BrokerCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task RunAsync_TwoBrokers_PrintsBootstrapFirstServesClientsAndStopsOnCancel()
    {
        var stdout = new LineSignallingWriter();
        var stderr = new LineSignallingWriter();
        using var cts = new CancellationTokenSource();

        Task<int> run = BrokerCommand.RunAsync(2, stdout, stderr, cts.Token);
        // Completes only when stdout is flushed after the line: a script reading a pipe would see it.
        string firstLine = await stdout.FirstFlushedLine.WaitAsync(Timeout);

        Assert.StartsWith("BOOTSTRAP=", firstLine, StringComparison.Ordinal);
        string bootstrap = firstLine["BOOTSTRAP=".Length..];
        string[] servers = bootstrap.Split(',');
        Assert.Equal(2, servers.Length);
        Assert.All(servers, s => Assert.Matches(@"^127\.0\.0\.1:\d{1,5}$", s));
        await stderr.FirstFlushedLine.WaitAsync(Timeout); // the hint is written, then flushed, after the BOOTSTRAP line
        Assert.Contains("kcat -b " + bootstrap, stderr.ToString(), StringComparison.Ordinal);

        // Serve a real client through the printed address (explicit partition: no group needed).
        const string Topic = "broker-command";
        using (IProducer<string, string> producer = TestClients.Producer(bootstrap))
        {
            DeliveryResult<string, string> report = await producer
                .ProduceAsync(new TopicPartition(Topic, 0), new Message<string, string> { Key = "k", Value = "hello" })
                .WaitAsync(Timeout);
            Assert.Equal(PersistenceStatus.Persisted, report.Status);
        }

        using (var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "unused" }).Build())
        {
            consumer.Assign(new TopicPartitionOffset(Topic, 0, Offset.Beginning));
            ConsumeResult<string, string>? result = consumer.Consume(Timeout);
            Assert.NotNull(result);
            Assert.Equal(("k", "hello"), (result.Message.Key, result.Message.Value));
        }

        Assert.False(run.IsCompleted, "the command must serve until cancelled");
        await cts.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(Timeout));
        Assert.Equal(firstLine + "\n", stdout.ToString().ReplaceLineEndings("\n")); // nothing else on stdout

        // The cluster is gone: a fresh client finds no broker.
        using IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap })
            .SetLogHandler((_, _) => { }) // "connection refused" is the expected outcome, not noise for the test log
            .Build();
        Assert.Throws<KafkaException>(() => admin.GetMetadata(TimeSpan.FromSeconds(2)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(17)]
    public async Task RunAsync_BrokerCountOutOfRange_OneLineErrorAndExitCode2(int brokers)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int exitCode = await BrokerCommand.RunAsync(brokers, stdout, stderr, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(2, exitCode);
        Assert.Empty(stdout.ToString());
        string error = stderr.ToString();
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--brokers", error, StringComparison.Ordinal);
    }
}
