namespace StreamEntropy.Streaming.Partials;

/// <summary>The joint counts of one pair: each distinct (x, y)'s UTF-8 texts and count (the marginals follow from them),
/// or, for a pair with a <c>MaxDistinct</c> budget, its bounded joint and marginal counts serialised.</summary>
/// <param name="X">The first field's name.</param>
/// <param name="Y">The second field's name.</param>
/// <param name="XValues">The x of each distinct pair (empty for a bounded pair).</param>
/// <param name="YValues">The y of each distinct pair, same order.</param>
/// <param name="Counts">The count of each distinct pair, same order.</param>
public sealed record PairPartial(string X, string Y, IReadOnlyList<byte[]> XValues, IReadOnlyList<byte[]> YValues, IReadOnlyList<long> Counts)
{
    /// <summary>Gets the pair's key, <c>x,y</c>.</summary>
    public string Key => $"{X},{Y}";

    /// <summary>Gets the pair's budget of distinct values; 0 for exact counts by value.</summary>
    public int MaxDistinct { get; init; }

    /// <summary>Gets the serialised bounded counts when <see cref="MaxDistinct"/> is set; else null.</summary>
    public byte[]? Summary { get; init; }
}
