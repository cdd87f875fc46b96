namespace StreamEntropy.Streaming.Drift;

/// <summary>The reference counts of one pair of fields.</summary>
/// <param name="X">The first field's name.</param>
/// <param name="Y">The second field's name.</param>
/// <param name="Values">The counts by (x, y) text, most frequent first.</param>
public sealed record BaselinePair(string X, string Y, IReadOnlyList<BaselinePairValue> Values)
{
    /// <summary>Gets the pair's key, <c>x,y</c>.</summary>
    public string Key => $"{X},{Y}";
}
