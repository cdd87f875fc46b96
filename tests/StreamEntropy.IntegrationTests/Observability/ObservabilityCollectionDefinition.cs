namespace StreamEntropy.IntegrationTests.Observability;

/// <summary>The page, metrics and dashboard tests share one running demo worker (<see cref="DemoWorkerFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class ObservabilityCollectionDefinition : ICollectionFixture<DemoWorkerFixture>
{
    public const string Name = "Observability";
}
