namespace StreamEntropy.Streaming.Drift;

/// <summary>How far a pair of fields has moved from its reference; information in nats.</summary>
/// <param name="X">The first field's name.</param>
/// <param name="Y">The second field's name.</param>
/// <param name="CurrentMutualInformation">I(X;Y) in the current window, by the chosen estimator.</param>
/// <param name="ReferenceMutualInformation">I(X;Y) in the reference.</param>
/// <param name="CurrentConditionalEntropy">H(Y|X) in the current window.</param>
/// <param name="ReferenceConditionalEntropy">H(Y|X) in the reference.</param>
/// <param name="Joint">The drift of the joint distribution of (x, y), named by the pair's key.</param>
/// <param name="Drivers">The values of X that moved H(Y|X) most, largest |change| first; empty unless asked for.</param>
public sealed record PairDrift(
    string X,
    string Y,
    double CurrentMutualInformation,
    double ReferenceMutualInformation,
    double CurrentConditionalEntropy,
    double ReferenceConditionalEntropy,
    FieldDrift Joint,
    IReadOnlyList<ConditionalDriver> Drivers)
{
    /// <summary>Gets the pair's key, <c>x,y</c>.</summary>
    public string Key => $"{X},{Y}";

    /// <summary>Gets I_current − I_reference.</summary>
    public double MutualInformationChange => CurrentMutualInformation - ReferenceMutualInformation;

    /// <summary>Gets H(Y|X)_current − H(Y|X)_reference.</summary>
    public double ConditionalEntropyChange => CurrentConditionalEntropy - ReferenceConditionalEntropy;

    /// <summary>Gets the chain-rule split of the joint entropy's change, ΔH(X,Y) = ΔH(X) + ΔH(Y|X), with its verdict
    /// (inputs, relation, both or none); null when not computed (a pair scored by <see cref="DriftCalculator.Pair"/> always
    /// has one).</summary>
    public ChainAttribution? Chain { get; init; }
}
