namespace StreamEntropy.IntegrationTests.Infrastructure;

/// <summary>Tests that run real worker processes (up to three at once) share their own <see cref="KafkaFixture"/> and
/// run alone, after the parallel collections: on a 2-core machine they would otherwise starve the timing-sensitive
/// demo worker of the Observability collection.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WorkerProcessCollectionDefinition : ICollectionFixture<KafkaFixture>
{
    public const string Name = "Kafka worker processes";
}
