namespace StreamEntropy.Worker.Options;

/// <summary>One window over which entropies are computed.</summary>
public sealed class WindowOptions
{
    /// <summary>Gets or sets the name used in output (<c>all</c>, <c>1m</c>, …).</summary>
    public string Name { get; set; } = "";

    /// <summary>Gets or sets the kind: Cumulative, Tumbling, Sliding or Decay.</summary>
    public string Kind { get; set; } = "Cumulative";

    /// <summary>Gets or sets the length of a tumbling or sliding window.</summary>
    public TimeSpan? Size { get; set; }

    /// <summary>Gets or sets the step of a sliding window; it must divide Size.</summary>
    public TimeSpan? Step { get; set; }

    /// <summary>Gets or sets the half-life of a decay window.</summary>
    public TimeSpan? HalfLife { get; set; }
}
