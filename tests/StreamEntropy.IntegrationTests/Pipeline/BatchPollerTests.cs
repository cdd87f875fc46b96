using System.Text;
using Confluent.Kafka;
using StreamEntropy.Core.Estimation;
using StreamEntropy.IntegrationTests.Infrastructure;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.IntegrationTests.Pipeline;

/// <summary>The batch poll (<see cref="BatchPoller"/>) against the real broker: what it copies into a hand-off batch is
/// exactly what Confluent's <c>Consume</c> delivers for the same records, error events included, and the pipeline counts
/// the same with it as without it.</summary>
[Collection(KafkaCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class BatchPollerTests(KafkaFixture kafka) : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly string _state = Directory.CreateTempSubdirectory("se-batch-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Fact]
    public async Task Poll_MixedRecords_BatchHoldsWhatConsumeDelivers()
    {
        string topic = KafkaFixture.UniqueTopic("batch");
        await kafka.CreateTopicAsync(topic, 2);
        var sent = new List<(int Partition, Message<byte[]?, byte[]?> Message)>();
        var random = new Random(11);
        for (int i = 0; i < 600; i++)
        {
            var message = new Message<byte[]?, byte[]?>
            {
                Key = i % 7 == 0 ? null : Encoding.UTF8.GetBytes($"key-{i}"),
                Value = i % 50 == 3 ? null : i % 61 == 5 ? [] : RandomBytes(random, random.Next(1, 300)), // tombstones and empty values
                Headers = i % 5 == 0 ? [new Header("trace", Encoding.UTF8.GetBytes($"t{i}")), new Header("trace", null), new Header("é", [0, 255])] : [],
                Timestamp = new Timestamp(1_700_000_000_000 + (i * 1000L), TimestampType.CreateTime),
            };
            sent.Add((i % 2, message));
        }

        using (IProducer<byte[]?, byte[]?> producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers }).Build())
        {
            foreach ((int partition, Message<byte[]?, byte[]?> message) in sent)
            {
                producer.Produce(new TopicPartition(topic, new Partition(partition)), message);
            }

            Assert.Equal(0, producer.Flush(Deadline));
        }

        Dictionary<(int, long), ConsumeResult<byte[]?, byte[]?>> expected = ReadWithConsume(topic, sent.Count);

        using var batch = new HandoffBatch(maxEvents: 2048, maxBytes: 512 * 1024);
        using IConsumer<Ignore, Ignore> consumer = new ConsumerBuilder<Ignore, Ignore>(Config(KafkaFixture.UniqueGroup("batch"))).Build();
        using BatchPoller poller = BatchPoller.TryCreate(consumer, capacity: 97, out string? whyNot) ?? throw new Xunit.Sdk.XunitException($"no batch poll: {whyNot}");
        consumer.Subscribe(topic);
        var actual = new Dictionary<(int, long), ConsumeResult<byte[]?, byte[]?>>();
        DateTime deadline = DateTime.UtcNow + Deadline;
        while (actual.Count < sent.Count && DateTime.UtcNow < deadline)
        {
            int received = poller.Poll(TimeSpan.FromMilliseconds(100), 97);
            for (int i = 0; i < received; i++)
            {
                Assert.Equal(0, poller.ErrorOf(i));
                poller.AddTo(i, batch, useEventTime: true, nowMs: 0);
                Assert.Throws<InvalidOperationException>(() => poller.ErrorOf(i)); // the batch's now, not the poller's
            }

            for (int i = 0; i < batch.Count; i++)
            {
                ConsumeResult<byte[]?, byte[]?> r = batch.ToResult(i);
                Assert.Equal(r.Message.Timestamp.UnixTimestampMs, batch.TimestampMs(i)); // counted at the record's own time
                Assert.True(actual.TryAdd((r.Partition.Value, r.Offset.Value), r), $"record {r.TopicPartitionOffset} delivered twice");
            }

            poller.Release(); // frees nothing here: every record went to the batch
            batch.Reset(); // destroys the messages; ToResult above read their headers from them while they lived
        }

        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (((int, long) at, ConsumeResult<byte[]?, byte[]?> want) in expected)
        {
            ConsumeResult<byte[]?, byte[]?> got = actual[at];
            Assert.Equal(topic, got.Topic);
            Assert.Equal(want.Message.Key, got.Message.Key);
            Assert.Equal(want.Message.Value, got.Message.Value);
            Assert.Equal(want.Message.Value is null, got.Message.Value is null);
            Assert.Equal(want.Message.Timestamp, got.Message.Timestamp);
            Assert.Equal(HeaderTexts(want.Message.Headers), HeaderTexts(got.Message.Headers));
        }

        // The records sent: every one arrived at its partition, in order, with what was sent.
        foreach (IGrouping<int, (int Partition, Message<byte[]?, byte[]?> Message)> partition in sent.GroupBy(s => s.Partition))
        {
            long offset = actual.Keys.Where(k => k.Item1 == partition.Key).Min(k => k.Item2);
            foreach ((int _, Message<byte[]?, byte[]?> message) in partition)
            {
                ConsumeResult<byte[]?, byte[]?> got = actual[(partition.Key, offset++)];
                Assert.Equal(message.Key, got.Message.Key);
                Assert.Equal(message.Value, got.Message.Value);
                Assert.Equal(message.Timestamp.UnixTimestampMs, got.Message.Timestamp.UnixTimestampMs);
                Assert.Equal(message.Headers.Count, got.Message.Headers?.Count ?? 0);
            }
        }
    }

    [Fact]
    public void Poll_UnknownTopic_ErrorEventAsConsumeThrowsIt()
    {
        string missing = KafkaFixture.UniqueTopic("missing");
        var config = Config(KafkaFixture.UniqueGroup("missing"));
        config.AllowAutoCreateTopics = false;

        ErrorCode consumeError;
        using (IConsumer<Ignore, Ignore> reference = new ConsumerBuilder<Ignore, Ignore>(config).Build())
        {
            reference.Subscribe(missing);
            ConsumeException thrown = Assert.Throws<ConsumeException>(() =>
            {
                DateTime end = DateTime.UtcNow + Deadline;
                while (DateTime.UtcNow < end)
                {
                    reference.Consume(TimeSpan.FromMilliseconds(100));
                }
            });
            consumeError = thrown.Error.Code;
            reference.Close();
        }

        config.GroupId = KafkaFixture.UniqueGroup("missing");
        using IConsumer<Ignore, Ignore> consumer = new ConsumerBuilder<Ignore, Ignore>(config).Build();
        using BatchPoller poller = BatchPoller.TryCreate(consumer, capacity: 16, out string? whyNot) ?? throw new Xunit.Sdk.XunitException($"no batch poll: {whyNot}");
        consumer.Subscribe(missing);
        int error = 0;
        string reason = "";
        DateTime deadline = DateTime.UtcNow + Deadline;
        while (error == 0 && DateTime.UtcNow < deadline)
        {
            int received = poller.Poll(TimeSpan.FromMilliseconds(100), 16);
            for (int i = 0; i < received && error == 0; i++)
            {
                error = poller.ErrorOf(i);
                reason = error == 0 ? "" : poller.ErrorReason(i);
            }

            poller.Release();
        }

        Assert.Equal(consumeError, (ErrorCode)error);
        Assert.Contains(missing, reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_BatchPollOnAndOff_CountExactlyAlike()
    {
        string topic = KafkaFixture.UniqueTopic("ab");
        await kafka.CreateTopicAsync(topic, 3);
        List<byte[]> events = PipelineHarness.Events(6000, seed: 23);
        await PipelineHarness.ProduceAsync(kafka.BootstrapServers, topic, events, roundRobinPartitions: 3);
        FrequencySet reference = PipelineHarness.Profile(events, out int valid);

        var results = new List<WindowSnapshot>();
        foreach (bool batchPoll in new[] { false, true })
        {
            string state = Directory.CreateDirectory(Path.Combine(_state, batchPoll ? "on" : "off")).FullName;
            using EntropyPipeline pipeline = PipelineHarness.CreatePipeline(kafka.BootstrapServers, topic, KafkaFixture.UniqueGroup("ab"), KafkaFixture.UniqueTopic("out"), KafkaFixture.UniqueTopic("dead"), state, batchPoll: batchPoll);
            using var cts = new CancellationTokenSource();
            Task run = Task.Factory.StartNew(() => pipeline.Run(cts.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            DateTime deadline = DateTime.UtcNow + Deadline;
            while (!(pipeline.Latest is { } l && l.Processed + l.Rejected == events.Count) && DateTime.UtcNow < deadline && !run.IsCompleted)
            {
                await Task.Delay(100);
            }

            cts.Cancel();
            await run.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(valid, pipeline.Latest!.Processed);
            Assert.Equal(events.Count - valid, pipeline.Latest.Rejected);
            results.Add(pipeline.Latest.Windows.Single());
        }

        for (int f = 0; f < reference.Encoder.Schema.Fields.Count; f++)
        {
            FieldResult expected = ResultCalculator.Field(reference, f, EntropyEstimator.MaximumLikelihood);
            foreach (WindowSnapshot window in results)
            {
                FieldResult actual = window.Fields.Single(x => x.Name == expected.Name);
                Assert.Equal(expected.Count, actual.Count);
                Assert.Equal(expected.Distinct, actual.Distinct);
                Assert.Equal(expected.Entropy, actual.Entropy, 1e-9);
            }
        }
    }

    [Fact]
    public async Task Run_MembersJoinAndLeaveMidStream_CountsEveryEventOnce()
    {
        // Rebalances while records stream in: a second member joins the group twice (taking partitions, eager protocol:
        // every partition is revoked and assigned again) and leaves. It commits nothing, so what it reads is read again
        // by the pipeline, whose one engine must end with every event exactly once: polls that saw a callback among
        // their records are read again (BatchRewinds, reported), the others hand off in callback order.
        string topic = KafkaFixture.UniqueTopic("rebalance");
        await kafka.CreateTopicAsync(topic, 4);
        List<byte[]> events = PipelineHarness.Events(40_000, seed: 31);
        FrequencySet reference = PipelineHarness.Profile(events, out int valid);
        string group = KafkaFixture.UniqueGroup("rebalance");
        using EntropyPipeline pipeline = PipelineHarness.CreatePipeline(kafka.BootstrapServers, topic, group, KafkaFixture.UniqueTopic("out"), KafkaFixture.UniqueTopic("dead"), _state);
        using var cts = new CancellationTokenSource();
        Task run = Task.Factory.StartNew(() => pipeline.Run(cts.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Task produce = Task.Run(async () =>
        {
            foreach (byte[][] chunk in events.Chunk(2000))
            {
                await PipelineHarness.ProduceAsync(kafka.BootstrapServers, topic, chunk, roundRobinPartitions: 4);
                await Task.Delay(150);
            }
        });

        for (int join = 0; join < 2; join++)
        {
            DateTime ready = DateTime.UtcNow + Deadline;
            while (!(pipeline.Latest is { Processed: > 0 }) && DateTime.UtcNow < ready && !run.IsCompleted)
            {
                await Task.Delay(50);
            }

            var config = Config(group);
            config.SessionTimeoutMs = 6000;
            using IConsumer<Ignore, Ignore> member = new ConsumerBuilder<Ignore, Ignore>(config).Build();
            member.Subscribe(topic);
            DateTime until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (member.Assignment.Count == 0 && DateTime.UtcNow < until && !run.IsCompleted)
            {
                member.Consume(TimeSpan.FromMilliseconds(50));
            }

            Assert.NotEmpty(member.Assignment); // the pipeline gave partitions up: a rebalance happened
            for (int i = 0; i < 10; i++)
            {
                member.Consume(TimeSpan.FromMilliseconds(50));
            }

            member.Close(); // leaves: the pipeline takes every partition back
        }

        await produce;
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(pipeline.Latest is { } l && l.Processed + l.Rejected >= events.Count) && DateTime.UtcNow < deadline && !run.IsCompleted)
        {
            await Task.Delay(100);
        }

        await Task.Delay(1000); // an event counted twice would show now
        cts.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(60));
        Console.WriteLine($"batch poll: {pipeline.BatchRewinds} polls read again after a rebalance inside them");
        Assert.Equal(valid, pipeline.Latest!.Processed);
        Assert.Equal(events.Count - valid, pipeline.Latest.Rejected);
        FieldResult expected = ResultCalculator.Field(reference, 0, EntropyEstimator.MaximumLikelihood);
        FieldResult actual = pipeline.Latest.Windows.Single().Fields.Single(f => f.Name == expected.Name);
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Entropy, actual.Entropy, 1e-9);
    }

    private ConsumerConfig Config(string group) => new()
    {
        BootstrapServers = kafka.BootstrapServers,
        GroupId = group,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
    };

    private Dictionary<(int, long), ConsumeResult<byte[]?, byte[]?>> ReadWithConsume(string topic, int count)
    {
        using IConsumer<byte[]?, byte[]?> consumer = new ConsumerBuilder<byte[]?, byte[]?>(Config(KafkaFixture.UniqueGroup("consume"))).Build();
        consumer.Subscribe(topic);
        var records = new Dictionary<(int, long), ConsumeResult<byte[]?, byte[]?>>();
        DateTime deadline = DateTime.UtcNow + Deadline;
        while (records.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } r)
            {
                records[(r.Partition.Value, r.Offset.Value)] = r;
            }
        }

        consumer.Close();
        Assert.Equal(count, records.Count);
        return records;
    }

    // Name and value of each header, in order ("null" for a null value); none for a record without headers.
    private static List<string> HeaderTexts(Headers? headers) =>
        [.. (headers ?? []).Select(h => $"{h.Key}={(h.GetValueBytes() is { } v ? Convert.ToHexString(v) : "null")}")];

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
