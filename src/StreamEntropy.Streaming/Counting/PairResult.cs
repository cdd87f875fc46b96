using StreamEntropy.Core.Estimation;
using StreamEntropy.Core.Sketches;

namespace StreamEntropy.Streaming.Counting;

/// <summary>The measures of one pair of fields over one window, in nats.</summary>
/// <param name="X">The first field's name.</param>
/// <param name="Y">The second field's name.</param>
/// <param name="Entropies">H(X), H(Y), H(X,Y) over the events that have both, and what follows from them.</param>
/// <param name="DistinctPairs">The number of distinct (x, y) pairs seen; an estimate when the joint counts are not exact.</param>
public sealed record PairResult(string X, string Y, PairEntropies Entropies, int DistinctPairs)
{
    /// <summary>Gets certified brackets (nats) of every measure when the pair's joint or marginal counts went over the
    /// MaxDistinct budget in this window; null when the counts are exact. Its estimates are the point values to report.</summary>
    public PairEntropyBrackets? Brackets { get; init; }

    /// <summary>Gets the delta-method standard error of the plug-in I(X;Y), in nats (see
    /// <see cref="MutualInformationError"/>); null when the pair is counted under a MaxDistinct budget, whose joint
    /// counts are keyed by hash and so cannot be matched to their marginals. It is the error of the plug-in value
    /// whatever the configured estimator, as the entropies' standard errors are.</summary>
    public double? MutualInformationStandardError { get; init; }

    /// <summary>Gets whether every measure is exact.</summary>
    public bool IsExact => Brackets is null;

    /// <summary>Gets the pair's key, <c>x,y</c>.</summary>
    public string Key => $"{X},{Y}";
}
