using System.Collections.Concurrent;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using StreamEntropy.Kafka.Broker;
using Testcontainers.Kafka;

namespace StreamEntropy.IntegrationTests.Infrastructure;

/// <summary>
/// The one broker of the integration tests: <c>KAFKA_BOOTSTRAP_SERVERS</c> if set, else Apache Kafka
/// in Testcontainers when a Docker engine answers, else librdkafka's mock cluster. The same tests
/// run against all three.
/// </summary>
public sealed class KafkaFixture : IAsyncLifetime
{
    /// <summary>Environment variable naming a real cluster to test against.</summary>
    public const string BootstrapVariable = "KAFKA_BOOTSTRAP_SERVERS";

    // Image documented by Testcontainers.Kafka 4.16 for KafkaBuilder(string).
    private const string KafkaImage = "confluentinc/cp-kafka:7.5.12";

    private static readonly TimeSpan DockerProbeTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ContainerStartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan AdminTimeout = TimeSpan.FromSeconds(15);

    private readonly ConcurrentBag<string> _createdTopics = [];
    private EmbeddedKafkaCluster? _cluster;
    private InvalidOperationException? _createTopicsUnsupported;
    private KafkaContainer? _container;

    /// <summary>Gets the bootstrap servers of the chosen broker.</summary>
    public string BootstrapServers { get; private set; } = "";

    /// <summary>Gets where the broker comes from.</summary>
    public BrokerKind Kind { get; private set; }

    /// <summary>Returns a topic name no other test (or earlier run against a shared cluster) uses.</summary>
    public static string UniqueTopic(string purpose) => $"it-{purpose}-{Guid.NewGuid():N}";

    /// <summary>Returns a consumer group id no other test uses.</summary>
    public static string UniqueGroup(string purpose) => $"it-{purpose}-{Guid.NewGuid():N}";

    public async Task InitializeAsync()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(BootstrapVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            Kind = BrokerKind.Env;
            BootstrapServers = fromEnvironment;
            return;
        }

        if (await DockerProbe.EngineAnswersAsync(DockerProbeTimeout))
        {
            // Docker answered: a real broker is wanted, so a failure here fails the run instead of
            // silently testing against the mock.
            _container = new KafkaBuilder(KafkaImage)
                .WithEnvironment("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0") // first group join at once, as on the mock
                .Build();
            using var cts = new CancellationTokenSource(ContainerStartTimeout);
            await _container.StartAsync(cts.Token);
            Kind = BrokerKind.Testcontainers;
            BootstrapServers = _container.GetBootstrapAddress();
            return;
        }

        // Zero initial rebalance delay: each test's first group join takes ~0.15 s instead of ~3 s.
        _cluster = EmbeddedKafkaCluster.Start(brokers: 1, groupInitialRebalanceDelay: TimeSpan.Zero);
        Kind = BrokerKind.Mock;
        BootstrapServers = _cluster.BootstrapServers;
    }

    /// <summary>Creates a topic with <paramref name="partitions"/> partitions and waits until clients can see it.</summary>
    public async Task CreateTopicAsync(string name, int partitions)
    {
        if (_cluster is not null)
        {
            _cluster.CreateTopic(name, partitions); // the mock does not serve the admin CreateTopics request
            return;
        }

        if (_createTopicsUnsupported is not null)
        {
            throw _createTopicsUnsupported; // fail the remaining tests at once, not after another timeout each
        }

        using IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        try
        {
            await admin.CreateTopicsAsync(
                [new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = -1 }],
                new CreateTopicsOptions { RequestTimeout = AdminTimeout, OperationTimeout = AdminTimeout });
        }
        catch (KafkaException e) when (Kind == BrokerKind.Env && e.Error.Code == ErrorCode.Local_TimedOut)
        {
            _createTopicsUnsupported = new InvalidOperationException(
                $"CreateTopics timed out on {BootstrapVariable}={BootstrapServers}. It must name a real Kafka cluster: a librdkafka " +
                "mock cluster (such as `stream-entropy broker`) never answers CreateTopics; unset the variable to test against " +
                "an in-process mock instead.",
                e);
            throw _createTopicsUnsupported;
        }

        _createdTopics.Add(name);

        // A real cluster creates topics asynchronously: wait until every partition has a leader.
        DateTime deadline = DateTime.UtcNow + AdminTimeout;
        while (true)
        {
            TopicMetadata? topic = admin.GetMetadata(name, TimeSpan.FromSeconds(5)).Topics.SingleOrDefault();
            if (topic is { Error.IsError: false } && topic.Partitions.Count == partitions && topic.Partitions.TrueForAll(p => p.Leader >= 0))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Topic {name} did not become ready within {AdminTimeout}.");
            }

            await Task.Delay(100); // polling a real cluster's metadata; there is no event to await
        }
    }

    public async Task DisposeAsync()
    {
        if (Kind == BrokerKind.Env && !_createdTopics.IsEmpty)
        {
            try
            {
                using IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
                await admin.DeleteTopicsAsync(_createdTopics, new DeleteTopicsOptions { RequestTimeout = AdminTimeout });
            }
            catch (KafkaException)
            {
                // Best effort on a shared cluster: the names are unique, a leftover topic harms no later run.
            }
        }

        _cluster?.Dispose();
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }
}
