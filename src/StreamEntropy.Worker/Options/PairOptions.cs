namespace StreamEntropy.Worker.Options;

/// <summary>One measured pair of fields, by name.</summary>
public sealed class PairOptions
{
    /// <summary>Gets or sets the name of the first field (the conditioning one in H(Y|X)), when X is one field
    /// (<c>"X": "country"</c>).</summary>
    public string X { get; set; } = "";

    /// <summary>Gets the fields of X when X is several (<c>"X": ["country", "device"]</c>, or <c>Pairs:0:X:0</c>,
    /// <c>Pairs:0:X:1</c>): the pair then conditions on their tuple, named <c>country+device</c>. Bound from the same key
    /// as <see cref="X"/>, which configuration gives either a value or numbered children; empty when X is one field.</summary>
    [ConfigurationKeyName("X")]
    public List<string> XFields { get; } = [];

    /// <summary>Gets or sets the name of the second field.</summary>
    public string Y { get; set; } = "";

    /// <summary>Gets whether X is several fields (a tuple).</summary>
    internal bool IsTuple => XFields.Count > 0;

    /// <summary>Gets the name of X in the schema: the field's, or the tuple's (its fields joined with '+').</summary>
    internal string XName => IsTuple ? Streaming.Counting.FieldDefinition.TupleName(XFields) : X;
}
