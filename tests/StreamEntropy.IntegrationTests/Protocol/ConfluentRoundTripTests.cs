using Confluent.Kafka;
using StreamEntropy.IntegrationTests.Infrastructure;

namespace StreamEntropy.IntegrationTests.Protocol;

[Collection(KafkaCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class ConfluentRoundTripTests(KafkaFixture kafka)
{
    [Fact]
    public async Task ProduceConsume_ThousandKeyedMessages_SamePayloadsInSameOrderPerPartition()
    {
        const int Count = 1000;
        const int Partitions = 4;
        string topic = KafkaFixture.UniqueTopic("roundtrip");
        await kafka.CreateTopicAsync(topic, Partitions);

        var delivered = new List<DeliveryResult<string, string>>(Count);
        using (IProducer<string, string> producer = TestClients.Producer(kafka.BootstrapServers))
        {
            var pending = new Task<DeliveryResult<string, string>>[Count];
            for (int i = 0; i < Count; i++)
            {
                pending[i] = producer.ProduceAsync(topic, new Message<string, string> { Key = $"key-{i % 37}", Value = $"value-{i}" });
            }

            delivered.AddRange(await Task.WhenAll(pending).WaitAsync(TestClients.Deadline));
            producer.Flush(TestClients.Deadline);
        }

        Assert.All(delivered, d => Assert.Equal(PersistenceStatus.Persisted, d.Status));
        Assert.Equal(Partitions, delivered.Select(d => d.Partition.Value).Distinct().Count());

        List<ConsumeResult<string, string>> consumed;
        using (IConsumer<string, string> consumer = TestClients.Consumer(kafka.BootstrapServers, KafkaFixture.UniqueGroup("roundtrip")))
        {
            consumer.Subscribe(topic);
            consumed = TestClients.ConsumeExactly(consumer, Count);
            Assert.Equal(Partitions, consumer.Assignment.Count);

            // Offset commits reach the group coordinator: committed = last consumed + 1 per partition.
            consumer.Commit();
            Dictionary<int, long> committed = consumer.Committed(consumer.Assignment, TestClients.Deadline)
                .ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
            Dictionary<int, long> expectedCommitted = consumed.GroupBy(r => r.Partition.Value)
                .ToDictionary(g => g.Key, g => g.Max(r => r.Offset.Value) + 1);
            Assert.Equal(expectedCommitted.OrderBy(p => p.Key), committed.OrderBy(p => p.Key));
            consumer.Close();
        }

        Assert.Equal(Count, consumed.Count);
        Dictionary<int, List<(long Offset, string Key, string Value)>> expected = TestClients.ByPartition(delivered);
        Dictionary<int, List<(long Offset, string Key, string Value)>> actual = TestClients.ByPartition(consumed);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach ((int partition, List<(long Offset, string Key, string Value)> messages) in expected)
        {
            Assert.Equal(messages, actual[partition]);
        }

        // Keyed messages: each key lives in exactly one partition, and within it the values keep send order.
        foreach (IGrouping<string, ConsumeResult<string, string>> key in consumed.GroupBy(r => r.Message.Key))
        {
            Assert.Single(key.Select(r => r.Partition.Value).Distinct());
            int[] sequence = key.Select(r => int.Parse(r.Message.Value["value-".Length..], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(sequence.Order(), sequence);
        }
    }
}
