using Confluent.Kafka;
using StreamEntropy.IntegrationTests.Infrastructure;

namespace StreamEntropy.IntegrationTests.Protocol;

[Collection(KafkaCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class MultiPartitionTopicTests(KafkaFixture kafka)
{
    [Fact]
    public async Task CreateTopic_EightPartitions_EveryPartitionRoundTripsInOrder()
    {
        const int Partitions = 8;
        const int PerPartition = 25;
        string topic = KafkaFixture.UniqueTopic("partitions");
        await kafka.CreateTopicAsync(topic, Partitions);

        using (IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.BootstrapServers }).Build())
        {
            TopicMetadata metadata = Assert.Single(admin.GetMetadata(topic, TestClients.Deadline).Topics);
            Assert.False(metadata.Error.IsError, metadata.Error.Reason);
            Assert.Equal(Enumerable.Range(0, Partitions), metadata.Partitions.Select(p => p.PartitionId).Order());
        }

        using (IProducer<string, string> producer = TestClients.Producer(kafka.BootstrapServers))
        {
            var pending = new List<Task<DeliveryResult<string, string>>>();
            for (int i = 0; i < PerPartition; i++)
            {
                for (int p = 0; p < Partitions; p++)
                {
                    pending.Add(producer.ProduceAsync(new TopicPartition(topic, p), new Message<string, string> { Key = $"p{p}", Value = $"p{p}-m{i}" }));
                }
            }

            DeliveryResult<string, string>[] delivered = await Task.WhenAll(pending).WaitAsync(TestClients.Deadline);
            Assert.All(delivered, d => Assert.Equal($"p{d.Partition.Value}", d.Message.Key));
        }

        using IConsumer<string, string> consumer = TestClients.Consumer(kafka.BootstrapServers, KafkaFixture.UniqueGroup("partitions"));
        consumer.Subscribe(topic);
        List<ConsumeResult<string, string>> consumed = TestClients.ConsumeExactly(consumer, Partitions * PerPartition);
        Assert.Equal(Partitions, consumer.Assignment.Count);
        consumer.Close();

        Dictionary<int, List<(long Offset, string Key, string Value)>> byPartition = TestClients.ByPartition(consumed);
        Assert.Equal(Enumerable.Range(0, Partitions), byPartition.Keys.Order());
        foreach ((int partition, List<(long Offset, string Key, string Value)> messages) in byPartition)
        {
            Assert.Equal(Enumerable.Range(0, PerPartition).Select(i => $"p{partition}-m{i}"), messages.Select(m => m.Value));
            Assert.Equal(Enumerable.Range(0, PerPartition).Select(i => (long)i), messages.Select(m => m.Offset));
        }
    }
}
