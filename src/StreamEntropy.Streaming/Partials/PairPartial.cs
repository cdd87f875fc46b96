namespace StreamEntropy.Streaming.Partials;

/// <summary>The joint counts of one pair: each distinct (x, y)'s UTF-8 texts and count (the marginals follow from them).</summary>
/// <param name="X">The first field's name.</param>
/// <param name="Y">The second field's name.</param>
/// <param name="XValues">The x of each distinct pair.</param>
/// <param name="YValues">The y of each distinct pair, same order.</param>
/// <param name="Counts">The count of each distinct pair, same order.</param>
public sealed record PairPartial(string X, string Y, IReadOnlyList<byte[]> XValues, IReadOnlyList<byte[]> YValues, IReadOnlyList<long> Counts)
{
    /// <summary>Gets the pair's key, <c>x,y</c>.</summary>
    public string Key => $"{X},{Y}";
}
