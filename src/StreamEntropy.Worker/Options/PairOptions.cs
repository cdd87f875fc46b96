namespace StreamEntropy.Worker.Options;

/// <summary>One measured pair of fields, by name.</summary>
public sealed class PairOptions
{
    /// <summary>Gets or sets the name of the first field (the conditioning one in H(Y|X)).</summary>
    public string X { get; set; } = "";

    /// <summary>Gets or sets the name of the second field.</summary>
    public string Y { get; set; } = "";
}
