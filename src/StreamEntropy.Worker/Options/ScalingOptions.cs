namespace StreamEntropy.Worker.Options;

/// <summary>How instances share the work (src/StreamEntropy.Kafka/README.md, "Scaling out").</summary>
public sealed class ScalingOptions
{
    /// <summary>Gets or sets the mode: Standalone (one instance, one checkpoint file) or Group (any number of instances).</summary>
    public ScalingMode Mode { get; set; } = ScalingMode.Standalone;

    /// <summary>Gets or sets the compacted topic of per-partition states (Group mode).</summary>
    public string StateTopic { get; set; } = "entropy-state";

    /// <summary>Gets or sets the compacted topic of partial counts exchanged by the group (Group mode).</summary>
    public string PartialsTopic { get; set; } = "entropy-partials";

    /// <summary>Gets or sets how many later tumbling windows may exist before a merged window is closed without an
    /// input partition that has not passed it (idle or far behind); also how many closed windows are kept per
    /// field and pair (Group mode).</summary>
    public int MaxLagWindows { get; set; } = 3;
}
