namespace StreamEntropy.Worker.Options;

/// <summary>The <c>StreamEntropy</c> configuration section: what to measure, over which windows, from which topics.</summary>
public sealed class StreamEntropyOptions
{
    public const string SectionName = "StreamEntropy";

    /// <summary>Gets the Kafka connection, topics and client settings.</summary>
    public KafkaOptions Kafka { get; set; } = new();

    /// <summary>Gets the fields to measure. At least one is required.</summary>
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
    public TimeSpan PublishInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets which clock places events in windows: EventTime (the Kafka timestamp, default) or ProcessingTime.</summary>
    public TimeMode Time { get; set; } = TimeMode.EventTime;

    /// <summary>Gets the checkpoint settings.</summary>
    public CheckpointOptions Checkpoint { get; set; } = new();

    /// <summary>Gets the drift detection and alerting settings.</summary>
    public DriftDetectionOptions Drift { get; set; } = new();

    /// <summary>Gets or sets how several instances of one consumer group share the work.</summary>
    public ScalingOptions Scaling { get; set; } = new();

    /// <summary>Gets or sets the budget of distinct values per window for every field and pair: 0 (the default) counts
    /// exactly without limit; N (16 to 16 777 216) counts exactly up to N distinct values and then in a bounded summary
    /// with a certified entropy bracket. <see cref="FieldOptions.MaxDistinct"/> overrides it per field; a pair uses the
    /// larger budget of its two fields. Requires the ml estimator and no decay windows.</summary>
    public int MaxDistinct { get; set; }

    /// <summary>Gets or sets the largest accepted event in bytes; larger events are dead-lettered. The default is 1 MiB.</summary>
    public int MaxEventBytes { get; set; } = 1 << 20;
}

/// <summary>Which clock assigns events to windows.</summary>
public enum TimeMode
{
    /// <summary>The Kafka message timestamp.</summary>
    EventTime,

    /// <summary>The worker's clock when the event is consumed.</summary>
    ProcessingTime,
}

/// <summary>Kafka connection and topics (<c>StreamEntropy:Kafka</c>).</summary>
public sealed class KafkaOptions
{
    /// <summary>Gets or sets the bootstrap servers, host:port[,host:port]. The default is localhost:9092.</summary>
    public string BootstrapServers { get; set; } = "localhost:9092";

    /// <summary>Gets or sets the consumer group. The default is stream-entropy.</summary>
    public string GroupId { get; set; } = "stream-entropy";

    /// <summary>Gets the input topics. At least one is required.</summary>
    public List<string> Topics { get; set; } = [];

    /// <summary>Gets or sets the topic that receives the entropy records. The default is entropy.</summary>
    public string OutputTopic { get; set; } = "entropy";

    /// <summary>Gets or sets the topic that receives malformed events unchanged. The default is entropy-dead-letters.</summary>
    public string DeadLetterTopic { get; set; } = "entropy-dead-letters";

    /// <summary>Gets or sets the topic that receives alert raises and clears. The default is entropy-alerts.</summary>
    public string AlertTopic { get; set; } = "entropy-alerts";

    /// <summary>Gets any librdkafka settings passed through to the clients (security.protocol, sasl.*, ssl.*, …).</summary>
    public Dictionary<string, string> Client { get; set; } = [];
}

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
    public int? MaxDistinct { get; set; }
}

/// <summary>One measured pair of fields, by name.</summary>
public sealed class PairOptions
{
    public string X { get; set; } = "";

    public string Y { get; set; } = "";
}

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

/// <summary>Where and how often the state is checkpointed.</summary>
public sealed class CheckpointOptions
{
    /// <summary>Gets or sets the directory of checkpoint files. The default is <c>state</c>.</summary>
    public string Directory { get; set; } = "state";

    /// <summary>Gets or sets how often a checkpoint is written. The default is 10 seconds.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Drift scoring of closed windows against a reference, and alert rules (<c>StreamEntropy:Drift</c>).</summary>
public sealed class DriftDetectionOptions
{
    /// <summary>Gets or sets a value indicating whether closed tumbling and sliding windows are scored. The default is true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Gets or sets a baseline file written by <c>profile --save-baseline</c>; when unset, each window's first
    /// complete window is its reference.</summary>
    public string? Baseline { get; set; }

    /// <summary>Gets the alert rules; when empty, the built-in defaults (field-psi, pair-mi) apply.</summary>
    public List<AlertRuleOptions> Rules { get; set; } = [];

    /// <summary>Gets or sets how many values of X that moved H(Y|X) most are reported per pair and closed window
    /// (from H(Y|X) = Σ p(x) H(Y|X=x)); 0 turns it off. The default is 3.</summary>
    public int TopDrivers { get; set; } = 3;

    /// <summary>Gets or sets the fewest events a complete closed window needs to become a window's reference when no
    /// baseline file is given (1 to 10⁹). The default is 1 000: fewer cannot pass the default rules' G-test gate.</summary>
    public long MinimumReferenceEvents { get; set; } = 1_000;

    /// <summary>Gets or sets a value indicating whether references and alert states saved in the checkpoint (or, in
    /// Group mode, in the state topic) are discarded at start, so that references are captured afresh. The default is false.</summary>
    public bool RecaptureOnStart { get; set; }
}

/// <summary>One alert rule: raise when a drift metric crosses a threshold for some consecutive windows.</summary>
public sealed class AlertRuleOptions
{
    /// <summary>Gets or sets the rule's name (unique).</summary>
    public string Name { get; set; } = "";

    /// <summary>Gets or sets the metric: js, psi, kl, entropyChangeSe, gTestLog10P, miChange, conditionalEntropyChange, jointJs, jointPsi, jointGTestLog10P.</summary>
    public string Metric { get; set; } = "";

    /// <summary>Gets or sets the raise threshold (absolute value of the metric; information in nats).</summary>
    public double Threshold { get; set; }

    /// <summary>Gets or sets how many consecutive windows must cross the threshold. The default is 2.</summary>
    public int RaiseAfter { get; set; } = 2;

    /// <summary>Gets or sets the clear threshold (hysteresis); the default is half the threshold.</summary>
    public double? ClearThreshold { get; set; }

    /// <summary>Gets or sets how many consecutive windows must be below the clear threshold. The default is 2.</summary>
    public int ClearAfter { get; set; } = 2;

    /// <summary>Gets or sets a field name or pair key (x,y) the rule is limited to.</summary>
    public string? Subject { get; set; }

    /// <summary>Gets or sets a window name the rule is limited to.</summary>
    public string? Window { get; set; }

    /// <summary>Gets or sets a minimum G-test significance (−log10 p) required on top of the threshold.</summary>
    public double? MinimumSignificance { get; set; }
}

/// <summary>How instances share the work (README "Scaling out").</summary>
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

/// <summary>How instances share the work.</summary>
public enum ScalingMode
{
    /// <summary>One instance reads every partition; its state is one checkpoint file.</summary>
    Standalone,

    /// <summary>The instances of a consumer group share the partitions; state travels through a compacted topic and
    /// the global numbers are merged from per-partition partials.</summary>
    Group,
}
