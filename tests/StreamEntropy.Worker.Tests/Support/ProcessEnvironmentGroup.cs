namespace StreamEntropy.Worker.Tests.Support;

/// <summary>Tests that build the worker host, which reads process-wide environment variables, run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentGroup
{
    public const string Name = "Process environment";
}
