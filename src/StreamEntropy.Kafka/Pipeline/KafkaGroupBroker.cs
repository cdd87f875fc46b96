using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>Group mode's metadata look-ups and state-topic reader, with the pipeline's client settings.</summary>
internal sealed class KafkaGroupBroker(PipelineSettings settings, ILogger logger) : IGroupBroker
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(15);

    public TopicMetadata? Describe(IProducer<string?, byte[]> producer, string topic)
    {
        using IAdminClient admin = new DependentAdminClientBuilder(producer.Handle).Build();
        Metadata metadata = admin.GetMetadata(topic, MetadataTimeout);
        return metadata.Topics.FirstOrDefault(m => m.Topic == topic);
    }

    public IConsumer<string?, byte[]> CreateStateReader()
    {
        var config = new ConsumerConfig(new Dictionary<string, string>(settings.Client))
        {
            BootstrapServers = settings.BootstrapServers,
            GroupId = settings.GroupId + ".state-reader", // never joins: partitions are assigned by hand, nothing is committed
            EnableAutoCommit = false,
            EnablePartitionEof = false,
        };
        return new ConsumerBuilder<string?, byte[]>(config)
            .SetLogHandler((_, m) => logger.LibrdkafkaLog(m.Name, m.Facility, m.Message))
            .Build();
    }
}
