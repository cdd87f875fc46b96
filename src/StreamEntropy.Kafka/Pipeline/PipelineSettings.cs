using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>The plain settings of the consume–count–publish pipeline (the Worker maps its options to these).</summary>
public sealed record PipelineSettings
{
    public required string BootstrapServers { get; init; }

    public required string GroupId { get; init; }

    public required IReadOnlyList<string> Topics { get; init; }

    public required string OutputTopic { get; init; }

    public required string DeadLetterTopic { get; init; }

    /// <summary>Gets the topic of alert raises and clears; null or empty to publish none.</summary>
    public string? AlertTopic { get; init; }

    /// <summary>Gets librdkafka settings passed to every client (security, SASL, SSL, tuning).</summary>
    public IReadOnlyDictionary<string, string> Client { get; init; } = new Dictionary<string, string>();

    public TimeSpan PublishInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(10);

    public required string CheckpointDirectory { get; init; }

    /// <summary>Gets a value indicating whether events are placed in windows by their Kafka timestamp (else by the clock).</summary>
    public bool UseEventTime { get; init; } = true;

    public LogBase Base { get; init; } = LogBase.Bits;

    /// <summary>Gets the largest event counted (larger ones are dead-lettered); the producer is sized so that its dead
    /// letter fits.</summary>
    public int MaxEventBytes { get; init; } = 1 << 20;

    /// <summary>Gets a value indicating whether the input consumer is polled in batches straight from librdkafka
    /// (<c>rd_kafka_consume_batch_queue</c>) instead of one <c>Consume</c> call per record; on by default. Where the
    /// binding is not available the pipeline logs why and uses <c>Consume</c>.</summary>
    public bool BatchPoll { get; init; } = true;

    /// <summary>Gets the scale-out settings: null to run as the only instance (one checkpoint file for all partitions),
    /// set to share the work with the other instances of the consumer group.</summary>
    public ScaleOutSettings? ScaleOut { get; init; }
}
