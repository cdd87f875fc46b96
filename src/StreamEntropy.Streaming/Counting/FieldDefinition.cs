namespace StreamEntropy.Streaming.Counting;

/// <summary>One field to measure: its name in output, where to find it in an event, and an optional bin width.</summary>
/// <param name="Name">The name used in output, metrics and pairs.</param>
/// <param name="Path">The dotted path in a JSON event (<c>user.country</c>) or the CSV column name.</param>
/// <param name="BinWidth">When set, the field is numeric and counted in bins floor(value / width).</param>
/// <param name="MaxDistinct">A budget of distinct values per window: 0 (the default) counts exactly without limit; N
/// counts exactly up to N distinct values and then in a bounded summary with a certified entropy bracket, keying the
/// values by hash instead of interning them.</param>
public sealed record FieldDefinition(string Name, string Path, double? BinWidth = null, int MaxDistinct = 0)
{
    /// <summary>The smallest budget accepted.</summary>
    public const int MinMaxDistinct = 16;

    /// <summary>The largest budget accepted (2²⁴; a summary of this size holds about 0.8 GB, per field, pair and pair marginal).</summary>
    public const int MaxMaxDistinct = 1 << 24;
}
