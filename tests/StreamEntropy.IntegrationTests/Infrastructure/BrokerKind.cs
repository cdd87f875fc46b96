namespace StreamEntropy.IntegrationTests.Infrastructure;

/// <summary>Where the integration tests' broker comes from, in order of preference.</summary>
public enum BrokerKind
{
    /// <summary>A real cluster named by <c>KAFKA_BOOTSTRAP_SERVERS</c>.</summary>
    Env,

    /// <summary>Apache Kafka in a container started by Testcontainers (a Docker engine answered).</summary>
    Testcontainers,

    /// <summary>librdkafka's in-process mock cluster (<c>EmbeddedKafkaCluster</c>).</summary>
    Mock,
}
