using Microsoft.Extensions.Options;

namespace StreamEntropy.Worker.Options;

/// <summary>The <c>StreamEntropy</c> configuration section: what to measure, over which windows, from which topics.</summary>
public sealed class StreamEntropyOptions
{
    public const string SectionName = "StreamEntropy";

    /// <summary>Gets the Kafka connection, topics and client settings.</summary>
    [ValidateObjectMembers]
    public KafkaOptions Kafka { get; set; } = new();

    /// <summary>Gets the fields to measure. At least one is required.</summary>
    [ValidateEnumeratedItems]
    public List<FieldOptions> Fields { get; set; } = [];

    /// <summary>Gets the pairs of fields (by name) whose joint/conditional entropy and mutual information are measured.</summary>
    public List<PairOptions> Pairs { get; set; } = [];

    /// <summary>Gets the windows. The default is one cumulative window named <c>all</c>.</summary>
    public List<WindowOptions> Windows { get; set; } = [];

    /// <summary>Gets or sets the estimator: ml, miller-madow, chao-shen, grassberger or shrink. The default is ml.</summary>
    public string Estimator { get; set; } = "ml";

    /// <summary>Gets or sets the logarithm base of published values: 2 (bits), e (nats), 10 (bans). The default is 2.</summary>
    public string Base { get; set; } = "2";

    /// <summary>Gets or sets how often every window's current values are published. The default is 5 seconds.</summary>
    [Between("00:00:00.1", "1.00:00:00")]
    public TimeSpan PublishInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets which clock places events in windows: EventTime (the Kafka timestamp, default) or ProcessingTime.</summary>
    public TimeMode Time { get; set; } = TimeMode.EventTime;

    /// <summary>Gets the checkpoint settings.</summary>
    [ValidateObjectMembers]
    public CheckpointOptions Checkpoint { get; set; } = new();

    /// <summary>Gets the drift detection and alerting settings.</summary>
    public DriftOptions Drift { get; set; } = new();

    /// <summary>Gets or sets how several instances of one consumer group share the work.</summary>
    public ScalingOptions Scaling { get; set; } = new();

    /// <summary>Gets or sets the budget of distinct values per window for every field and pair: 0 (the default) counts
    /// exactly without limit; N (16 to 16 777 216) counts exactly up to N distinct values and then in a bounded summary
    /// with a certified entropy bracket. <see cref="FieldOptions.MaxDistinct"/> overrides it per field; a pair uses the
    /// larger budget of its two fields. Requires the ml estimator and no decay windows.</summary>
    [MaxDistinct]
    public int MaxDistinct { get; set; }

    /// <summary>Gets or sets the largest accepted event in bytes; larger events are dead-lettered. The default is 1 MiB.</summary>
    [Between(64, 64 * 1024 * 1024)]
    public int MaxEventBytes { get; set; } = 1 << 20;
}
