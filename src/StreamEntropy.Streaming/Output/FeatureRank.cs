using StreamEntropy.Core.Sketches;

namespace StreamEntropy.Streaming.Output;

/// <summary>One feature's row of a <see cref="FeatureRanking"/>: what the feature tells about the target, in nats.</summary>
/// <param name="Feature">The feature: the side of the pair that is not the target.</param>
/// <param name="X">The pair's X as configured.</param>
/// <param name="Y">The pair's Y as configured.</param>
/// <param name="Count">The events that had both fields.</param>
/// <param name="MutualInformation">I(feature; target) (the bracket's point estimate when not exact).</param>
/// <param name="MutualInformationStandardError">The plug-in standard error of I; null under a MaxDistinct budget.</param>
/// <param name="ConditionalTargetGivenFeature">H(target | feature): what is left of the target once the feature is known.</param>
/// <param name="SymmetricUncertainty">2·I / (H(feature) + H(target)), unitless.</param>
/// <param name="GainRatio">I / H(feature), unitless: the gain ratio of the feature, whichever side of the pair it is.</param>
/// <param name="MutualInformationBracket">The certified bracket of I when the pair's counts went over the budget; null when exact.</param>
/// <param name="ConditionalBracket">The certified bracket of H(target | feature) when not exact; null when exact.</param>
public sealed record FeatureRank(
    string Feature,
    string X,
    string Y,
    long Count,
    double MutualInformation,
    double? MutualInformationStandardError,
    double ConditionalTargetGivenFeature,
    double SymmetricUncertainty,
    double GainRatio,
    EntropyBracket? MutualInformationBracket,
    EntropyBracket? ConditionalBracket)
{
    /// <summary>Gets whether every measure of the row is exact.</summary>
    public bool IsExact => MutualInformationBracket is null;
}
