namespace StreamEntropy.Streaming.Drift;

/// <summary>One value x of a pair's first field and its share of H(Y|X) = Σₓ p(x) H(Y|X=x), now and in the reference.</summary>
/// <param name="X">The value's text.</param>
/// <param name="CurrentShare">p(x) in the current window (over the paired events).</param>
/// <param name="ReferenceShare">p(x) in the reference.</param>
/// <param name="CurrentConditionalEntropy">H(Y|X=x) in the current window, plug-in, nats; 0 when x is absent.</param>
/// <param name="ReferenceConditionalEntropy">H(Y|X=x) in the reference.</param>
public readonly record struct ConditionalDriver(
    string X,
    double CurrentShare,
    double ReferenceShare,
    double CurrentConditionalEntropy,
    double ReferenceConditionalEntropy)
{
    /// <summary>Gets p(x)·H(Y|X=x) in the current window.</summary>
    public double CurrentContribution => CurrentShare * CurrentConditionalEntropy;

    /// <summary>Gets p(x)·H(Y|X=x) in the reference.</summary>
    public double ReferenceContribution => ReferenceShare * ReferenceConditionalEntropy;

    /// <summary>Gets how much this value moved H(Y|X): current minus reference contribution.</summary>
    public double ContributionChange => CurrentContribution - ReferenceContribution;
}
