using Confluent.Kafka;
using StreamEntropy.Kafka.Pipeline;

namespace StreamEntropy.Kafka.Tests.Fakes;

/// <summary>A cluster for Group mode: the partition count of each topic that exists, and the state topic's log.</summary>
internal sealed class FakeGroupBroker(FakeTopic stateTopic, IReadOnlyDictionary<string, int> partitions) : IGroupBroker
{
    /// <summary>Gets the topics whose metadata was asked for, in order.</summary>
    public List<string> Described { get; } = [];

    /// <summary>Gets how many state-topic readers were created.</summary>
    public int Readers { get; private set; }

    public TopicMetadata? Describe(IProducer<string?, byte[]> producer, string topic)
    {
        Described.Add(topic);
        int count = topic == stateTopic.Name ? stateTopic.Partitions : partitions.GetValueOrDefault(topic);
        return count == 0
            ? null
            : new TopicMetadata(topic, [.. Enumerable.Range(0, count).Select(p => new PartitionMetadata(p, 1, [1], [1], new Error(ErrorCode.NoError)))], new Error(ErrorCode.NoError));
    }

    public IConsumer<string?, byte[]> CreateStateReader()
    {
        Readers++;
        return new FakeConsumer(stateTopic);
    }
}
