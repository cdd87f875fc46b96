namespace StreamEntropy.IntegrationTests.Infrastructure;

/// <summary>Every test class in <c>[Collection("Kafka")]</c> shares one <see cref="KafkaFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class KafkaCollectionDefinition : ICollectionFixture<KafkaFixture>
{
    public const string Name = "Kafka";
}
