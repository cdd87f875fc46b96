namespace StreamEntropy.Worker.Options;

/// <summary>One measured field.</summary>
public sealed class FieldOptions
{
    /// <summary>Gets or sets the name used in output and pairs.</summary>
    public string Name { get; set; } = "";

    /// <summary>Gets or sets the dotted JSON path; defaults to the name.</summary>
    public string? Path { get; set; }

    /// <summary>Gets or sets a bin width that makes the field numeric (bins floor(value / width)).</summary>
    public double? BinWidth { get; set; }

    /// <summary>Gets or sets this field's budget of distinct values per window (0 = unlimited, exact); unset, the
    /// section's <see cref="StreamEntropyOptions.MaxDistinct"/> applies.</summary>
    [MaxDistinct]
    public int? MaxDistinct { get; set; }
}
