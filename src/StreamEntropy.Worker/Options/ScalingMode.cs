namespace StreamEntropy.Worker.Options;

/// <summary>How instances share the work.</summary>
public enum ScalingMode
{
    /// <summary>One instance reads every partition; its state is one checkpoint file.</summary>
    Standalone,

    /// <summary>The instances of a consumer group share the partitions; state travels through a compacted topic and
    /// the global numbers are merged from per-partition partials.</summary>
    Group,
}
