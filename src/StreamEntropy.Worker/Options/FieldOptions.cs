using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Worker.Options;

/// <summary>One measured field, or (a name of <c>*</c> or <c>prefix.*</c>) a rule that measures every leaf path it
/// matches as events arrive.</summary>
public sealed class FieldOptions
{
    /// <summary>Gets or sets the name used in output and pairs; <c>*</c> or <c>prefix.*</c> for discovered fields.</summary>
    public string Name { get; set; } = "";

    /// <summary>Gets or sets, for discovered fields, the paths to leave out (<c>id</c>, <c>debug.*</c>).</summary>
    public List<string> Exclude { get; set; } = [];

    /// <summary>Gets or sets, for discovered fields, the most fields this entry adds (default
    /// <see cref="DiscoveryRule.DefaultMaxFields"/>); paths found beyond it are counted in a metric, not measured.</summary>
    public int? MaxFields { get; set; }

    /// <summary>Gets or sets the dotted JSON path; defaults to the name (not used by discovered fields).</summary>
    public string? Path { get; set; }

    /// <summary>Gets whether this entry discovers fields: its name is a pattern (<c>*</c> or <c>prefix.*</c>; any name
    /// with a <c>*</c> is taken for one, and checked as one). A key containing <c>*</c> is read with Name and Path.</summary>
    internal bool Discovers => Name.Contains('*', StringComparison.Ordinal);

    /// <summary>Gets or sets a bin width that makes the field numeric (bins floor(value / width)).</summary>
    public double? BinWidth { get; set; }

    /// <summary>Gets or sets this field's budget of distinct values per window (0 = unlimited, exact); unset, the
    /// section's <see cref="StreamEntropyOptions.MaxDistinct"/> applies (for discovered fields, when that is 0,
    /// <see cref="DiscoveryRule.DefaultMaxDistinct"/>).</summary>
    [MaxDistinct]
    public int? MaxDistinct { get; set; }
}
