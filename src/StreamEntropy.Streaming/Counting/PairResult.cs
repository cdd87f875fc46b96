using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Streaming.Counting;

/// <summary>The measures of one pair of fields over one window, in nats.</summary>
/// <param name="X">The first field's name.</param>
/// <param name="Y">The second field's name.</param>
/// <param name="Entropies">H(X), H(Y), H(X,Y) over the events that have both, and what follows from them.</param>
/// <param name="DistinctPairs">The number of distinct (x, y) pairs seen.</param>
public sealed record PairResult(string X, string Y, PairEntropies Entropies, int DistinctPairs)
{
    /// <summary>Gets the pair's key, <c>x,y</c>.</summary>
    public string Key => $"{X},{Y}";
}
