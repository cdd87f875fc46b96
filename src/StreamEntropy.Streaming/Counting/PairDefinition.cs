namespace StreamEntropy.Streaming.Counting;

/// <summary>A pair of fields, by name, whose joint and conditional entropies and mutual information are measured.</summary>
public sealed record PairDefinition(string X, string Y)
{
    /// <summary>Gets the pair's key in output: <c>x,y</c>.</summary>
    public string Key => $"{X},{Y}";
}
