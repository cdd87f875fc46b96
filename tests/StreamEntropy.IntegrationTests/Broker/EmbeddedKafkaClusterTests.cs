using System.Diagnostics;
using Confluent.Kafka;
using StreamEntropy.IntegrationTests.Infrastructure;
using StreamEntropy.Kafka.Broker;

namespace StreamEntropy.IntegrationTests.Broker;

/// <summary>The mock cluster itself: always librdkafka's, whatever broker the fixture chose for the other tests.</summary>
[Trait("Category", "Integration")]
public sealed class EmbeddedKafkaClusterTests
{
    [Fact]
    public void Start_ThreeBrokers_BootstrapListsEveryBrokerOnLoopback()
    {
        using EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.Start(brokers: 3);

        Assert.Equal(3, cluster.BrokerCount);
        string[] servers = cluster.BootstrapServers.Split(',');
        Assert.Equal(3, servers.Distinct().Count());
        Assert.All(servers, s => Assert.Matches(@"^127\.0\.0\.1:\d{1,5}$", s));

        // Any one address is enough to discover the whole cluster.
        using IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = servers[^1] }).Build();
        Metadata metadata = admin.GetMetadata(TestClients.Deadline);
        Assert.Equal(servers.Order(), metadata.Brokers.Select(b => $"{b.Host}:{b.Port}").Order());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(EmbeddedKafkaCluster.MaxBrokers + 1)]
    public void Start_BrokerCountOutOfRange_Throws(int brokers) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => EmbeddedKafkaCluster.Start(brokers));

    [Fact]
    public void CreateTopic_TwelvePartitionsOnTwoBrokers_MetadataShowsTwelveLedPartitions()
    {
        using EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.Start(brokers: 2);
        cluster.CreateTopic("twelve", 12);

        using IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        TopicMetadata topic = Assert.Single(admin.GetMetadata("twelve", TestClients.Deadline).Topics);
        Assert.Equal(12, topic.Partitions.Count);
        Assert.All(topic.Partitions, p => Assert.Contains(p.Leader, new[] { 1, 2 }));
        Assert.Equal(2, topic.Partitions.Select(p => p.Leader).Distinct().Count()); // leadership is spread
    }

    [Fact]
    public void CreateTopic_ExistingName_ThrowsTopicAlreadyExists()
    {
        using EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.Start();
        cluster.CreateTopic("once", 2);

        KafkaException e = Assert.Throws<KafkaException>(() => cluster.CreateTopic("once", 2));
        Assert.Equal(ErrorCode.TopicAlreadyExists, e.Error.Code);
    }

    [Fact]
    public void CreateTopic_AfterDispose_ThrowsObjectDisposed()
    {
        EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.Start();
        cluster.Dispose();
        cluster.Dispose(); // idempotent

        Assert.Throws<ObjectDisposedException>(() => cluster.CreateTopic("late", 1));
    }

    [Fact]
    public async Task Produce_UnknownTopic_AutoCreatedWithDefaultPartitionCount()
    {
        using EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.Start();
        using (IProducer<string, string> producer = TestClients.Producer(cluster.BootstrapServers))
        {
            await producer.ProduceAsync("auto", new Message<string, string> { Key = "k", Value = "v" }).WaitAsync(TestClients.Deadline);
        }

        using IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        TopicMetadata topic = Assert.Single(admin.GetMetadata("auto", TestClients.Deadline).Topics);
        Assert.Equal(EmbeddedKafkaCluster.AutoCreatedTopicPartitions, topic.Partitions.Count);
    }

    [Fact]
    public void Produce_MoreThanFiveMiBToOnePartition_OldestDataIsDropped()
    {
        const int Messages = 8 * 1024;
        using EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.Start();
        cluster.CreateTopic("retention", 1);
        var value = new byte[1024];
        using (IProducer<Null, byte[]> producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 5 }).Build())
        {
            for (int i = 0; i < Messages; i++)
            {
                producer.Produce(new TopicPartition("retention", 0), new Message<Null, byte[]> { Value = value });
            }

            Assert.Equal(0, producer.Flush(TestClients.Deadline));
        }

        using IConsumer<Ignore, Ignore> consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "unused" }).Build();
        WatermarkOffsets watermarks = consumer.QueryWatermarkOffsets(new TopicPartition("retention", 0), TestClients.Deadline);

        Assert.Equal(Messages, watermarks.High.Value);
        long kept = watermarks.High.Value - watermarks.Low.Value;
        Assert.InRange(kept * value.Length, 3L << 20, 5L << 20); // ~5 MiB minus per-batch overhead survives
    }

    [Fact]
    public void Subscribe_ZeroInitialRebalanceDelay_FirstAssignmentWellUnderKafkasThreeSeconds()
    {
        using EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.Start(groupInitialRebalanceDelay: TimeSpan.Zero);
        cluster.CreateTopic("join", 2);
        TimeSpan? assignedAfter = null;
        var clock = Stopwatch.StartNew();
        using IConsumer<Ignore, Ignore> consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
            {
                BootstrapServers = cluster.BootstrapServers,
                GroupId = "join",
                SessionTimeoutMs = 6000,
            })
            .SetPartitionsAssignedHandler((_, _) => assignedAfter = clock.Elapsed)
            .Build();

        consumer.Subscribe("join");
        while (assignedAfter is null && clock.Elapsed < TestClients.Deadline)
        {
            consumer.Consume(TimeSpan.FromMilliseconds(50)); // assignment callbacks run inside Consume
        }

        Assert.NotNull(assignedAfter);
        Assert.InRange(assignedAfter.Value, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        Assert.Equal(2, consumer.Assignment.Count);
        consumer.Close();
    }
}
