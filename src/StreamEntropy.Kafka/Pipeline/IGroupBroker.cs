using Confluent.Kafka;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>What Group mode asks of the cluster besides the pipeline's consumer and producer: topic metadata and a
/// reader of the state topic (a seam, so that Group mode can be tested without a broker).</summary>
internal interface IGroupBroker
{
    /// <summary>Looks up the metadata of <paramref name="topic"/> through a client sharing the connection of
    /// <paramref name="producer"/>; null when the broker returned none for it.</summary>
    TopicMetadata? Describe(IProducer<string?, byte[]> producer, string topic);

    /// <summary>Creates a consumer that reads the state topic by hand-assigned partitions (it never joins the group).</summary>
    IConsumer<string?, byte[]> CreateStateReader();
}
