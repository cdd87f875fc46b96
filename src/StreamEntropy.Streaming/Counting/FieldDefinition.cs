namespace StreamEntropy.Streaming.Counting;

/// <summary>One field to measure: its name in output, where to find it in an event, and an optional bin width.</summary>
/// <param name="Name">The name used in output, metrics and pairs.</param>
/// <param name="Path">The dotted path in a JSON event (<c>user.country</c>) or the CSV column name. Not used by a tuple.</param>
/// <param name="BinWidth">When set, the field is numeric and counted in bins floor(value / width).</param>
/// <param name="MaxDistinct">A budget of distinct values per window: 0 (the default) counts exactly without limit; N
/// counts exactly up to N distinct values and then in a bounded summary with a certified entropy bracket, keying the
/// values by hash instead of interning them.</param>
/// <param name="Components">Set for a tuple: the names of the (non-tuple) fields whose values, taken together, are this
/// field's value (see <see cref="TupleComposer"/>), so that a pair (tuple, Y) measures H(Y | X₁, X₂) and I(X₁, X₂; Y).
/// Null for a field read from the event.</param>
public sealed record FieldDefinition(string Name, string Path, double? BinWidth = null, int MaxDistinct = 0, IReadOnlyList<string>? Components = null)
{
    /// <summary>The smallest budget accepted.</summary>
    public const int MinMaxDistinct = 16;

    /// <summary>The largest budget accepted (2²⁴; a summary of this size holds about 0.8 GB, per field, pair and pair marginal).</summary>
    public const int MaxMaxDistinct = 1 << 24;

    /// <summary>Gets whether this field is a tuple of other fields (<see cref="Components"/> is set).</summary>
    public bool IsTuple => Components is not null;

    /// <summary>Creates the tuple of <paramref name="components"/>, named by convention after them joined with '+'
    /// (<c>country+device</c>); its path is its name (never read) and it has its components' budget unless given one.</summary>
    public static FieldDefinition Tuple(IReadOnlyList<string> components, int maxDistinct = 0)
    {
        ArgumentNullException.ThrowIfNull(components);
        string name = TupleName(components);
        return new FieldDefinition(name, name, null, maxDistinct, [.. components]);
    }

    /// <summary>The conventional name of the tuple of <paramref name="components"/>: their names joined with '+'.</summary>
    public static string TupleName(IEnumerable<string> components) => string.Join('+', components);
}
