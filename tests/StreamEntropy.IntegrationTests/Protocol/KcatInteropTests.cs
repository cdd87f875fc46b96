using System.Globalization;
using System.Text;
using Confluent.Kafka;
using StreamEntropy.IntegrationTests.Infrastructure;

namespace StreamEntropy.IntegrationTests.Protocol;

/// <summary>The broker talks to an independent client (kcat, C, its own librdkafka), not only to Confluent.Kafka.</summary>
[Collection(KafkaCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class KcatInteropTests(KafkaFixture kafka)
{
    private const string Kcat = "kcat";
    private const int Partitions = 3;
    private const int Count = 200;
    private static readonly TimeSpan KcatTimeout = TimeSpan.FromSeconds(20);

    [RequiresToolFact(Kcat)]
    public async Task KcatProduce_ConfluentConsume_SameKeyedMessagesInSendOrderPerKey()
    {
        string kcat = SystemTool.Require(Kcat);
        string topic = KafkaFixture.UniqueTopic("kcat-in");
        await kafka.CreateTopicAsync(topic, Partitions);

        var lines = new StringBuilder();
        var sent = new List<(string Key, string Value)>(Count);
        for (int i = 0; i < Count; i++)
        {
            (string key, string value) = ($"k{i % 7}", $"v{i}-ü€"); // non-ASCII: bytes must survive both clients
            sent.Add((key, value));
            lines.Append(key).Append(':').Append(value).Append('\n');
        }

        ChildProcess.Result produced = await ChildProcess.RunAsync(
            kcat, ["-P", "-b", kafka.BootstrapServers, "-t", topic, "-K", ":"], lines.ToString(), KcatTimeout);
        Assert.True(produced.ExitCode == 0, $"kcat -P exited with {produced.ExitCode}: {produced.Stderr}");

        using IConsumer<string, string> consumer = TestClients.Consumer(kafka.BootstrapServers, KafkaFixture.UniqueGroup("kcat-in"));
        consumer.Subscribe(topic);
        List<ConsumeResult<string, string>> consumed = TestClients.ConsumeExactly(consumer, Count);
        consumer.Close();

        Assert.Equal(Count, consumed.Count);
        foreach (IGrouping<string, (string Key, string Value)> key in sent.GroupBy(m => m.Key))
        {
            // Same key → same partition → kcat's send order is kept.
            Assert.Equal(key.Select(m => m.Value), consumed.Where(r => r.Message.Key == key.Key).Select(r => r.Message.Value));
        }
    }

    [RequiresToolFact(Kcat)]
    public async Task ConfluentProduce_KcatConsume_SamePartitionOffsetKeyAndValue()
    {
        string kcat = SystemTool.Require(Kcat);
        string topic = KafkaFixture.UniqueTopic("kcat-out");
        await kafka.CreateTopicAsync(topic, Partitions);

        DeliveryResult<string, string>[] delivered;
        using (IProducer<string, string> producer = TestClients.Producer(kafka.BootstrapServers))
        {
            IEnumerable<Task<DeliveryResult<string, string>>> pending = Enumerable.Range(0, Count)
                .Select(i => producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i % 11}", Value = $"value {i} ✓" }));
            delivered = await Task.WhenAll(pending).WaitAsync(TestClients.Deadline);
        }

        ChildProcess.Result read = await ChildProcess.RunAsync(
            kcat,
            ["-C", "-b", kafka.BootstrapServers, "-t", topic, "-o", "beginning", "-e", "-q", "-f", @"%p\t%o\t%k\t%s\n"],
            stdin: null,
            KcatTimeout);
        Assert.True(read.ExitCode == 0, $"kcat -C exited with {read.ExitCode}: {read.Stderr}");

        List<(int Partition, long Offset, string Key, string Value)> seen = read.Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Select(f => (int.Parse(f[0], CultureInfo.InvariantCulture), long.Parse(f[1], CultureInfo.InvariantCulture), f[2], f[3]))
            .ToList();

        Assert.Equal(Count, seen.Count);
        Assert.Equal(
            delivered.Select(d => (d.Partition.Value, d.Offset.Value, d.Message.Key, d.Message.Value)).Order(),
            seen.Order());

        // Within each partition kcat reports offsets in increasing order.
        foreach (IGrouping<int, (int Partition, long Offset, string Key, string Value)> partition in seen.GroupBy(s => s.Partition))
        {
            long[] offsets = partition.Select(s => s.Offset).ToArray();
            Assert.Equal(offsets.Order(), offsets);
        }
    }
}
