namespace StreamEntropy.Worker.Options;

/// <summary>Kafka connection and topics (<c>StreamEntropy:Kafka</c>).</summary>
public sealed class KafkaOptions
{
    /// <summary>Gets or sets the bootstrap servers, host:port[,host:port]. The default is localhost:9092.</summary>
    [NotEmpty]
    public string BootstrapServers { get; set; } = "localhost:9092";

    /// <summary>Gets or sets the consumer group. The default is stream-entropy.</summary>
    [NotEmpty]
    public string GroupId { get; set; } = "stream-entropy";

    /// <summary>Gets the input topics. At least one is required.</summary>
    public List<string> Topics { get; set; } = [];

    /// <summary>Gets or sets the topic that receives the entropy records. The default is entropy.</summary>
    [NotEmpty]
    public string OutputTopic { get; set; } = "entropy";

    /// <summary>Gets or sets the topic that receives malformed events unchanged. The default is entropy-dead-letters.</summary>
    [NotEmpty]
    public string DeadLetterTopic { get; set; } = "entropy-dead-letters";

    /// <summary>Gets or sets the topic that receives alert raises and clears. The default is entropy-alerts.</summary>
    public string AlertTopic { get; set; } = "entropy-alerts";

    /// <summary>Gets or sets a value indicating whether the input consumer reads records from librdkafka in batches
    /// (one native call for up to 2048 records) instead of one Confluent.Kafka <c>Consume</c> call per record. The
    /// default is true; false is the previous consume loop.</summary>
    public bool BatchPoll { get; set; } = true;

    /// <summary>Gets any librdkafka settings passed through to the clients (security.protocol, sasl.*, ssl.*, …).</summary>
    public Dictionary<string, string> Client { get; set; } = [];
}
