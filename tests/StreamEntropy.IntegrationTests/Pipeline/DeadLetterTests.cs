using System.Globalization;
using System.Text;
using Confluent.Kafka;
using StreamEntropy.IntegrationTests.Infrastructure;
using StreamEntropy.Kafka.Pipeline;

namespace StreamEntropy.IntegrationTests.Pipeline;

/// <summary>Poison pills through the real pipeline: tombstones, keyed and headered malformed events, events over
/// MaxEventBytes and events too large for any dead letter: each is dead-lettered as it was sent (or truncated, said so and
/// counted), and counting goes on.</summary>
[Collection(KafkaCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class DeadLetterTests(KafkaFixture kafka) : IDisposable
{
    private const int MaxEventBytes = 4096;

    private readonly string _state = Directory.CreateTempSubdirectory("se-dead-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Fact]
    public async Task Run_PoisonPills_DeadLetteredAsSentOrTruncatedAndCountingGoesOn()
    {
        string topic = KafkaFixture.UniqueTopic("pills");
        string output = KafkaFixture.UniqueTopic("out");
        string dead = KafkaFixture.UniqueTopic("dead");
        await kafka.CreateTopicAsync(topic, 1); // one partition: offsets name the events below
        List<byte[]> before = PipelineHarness.Events(300, seed: 71, malformedShare: 0);
        List<byte[]> after = PipelineHarness.Events(300, seed: 72, malformedShare: 0);
        byte[] large = JsonObjectOfSize(10_000); // over MaxEventBytes, within the producer's limit: dead-lettered whole
        byte[] huge = JsonObjectOfSize(300_000); // over the producer's limit (MaxEventBytes + 64 KiB): truncated
        var pills = new List<Message<byte[]?, byte[]?>>
        {
            new() { Key = "k-tomb"u8.ToArray(), Value = null, Headers = [new Header("trace", "t1"u8.ToArray())] },
            new() { Key = "k-bad"u8.ToArray(), Value = "not json"u8.ToArray(), Headers = [new Header("trace", "t2"u8.ToArray()), new Header("trace", "t2b"u8.ToArray()), new Header("error", "theirs"u8.ToArray())] },
            new() { Key = null, Value = [], Headers = [] },
            new() { Key = "k-large"u8.ToArray(), Value = large, Headers = [] },
            new() { Key = "k-huge"u8.ToArray(), Value = huge, Headers = [new Header("trace", "t5"u8.ToArray())] },
        };
        await ProduceAsync(topic, [.. before.Select(e => new Message<byte[]?, byte[]?> { Value = e }), .. pills, .. after.Select(e => new Message<byte[]?, byte[]?> { Value = e })]);

        using EntropyPipeline pipeline = PipelineHarness.CreatePipeline(kafka.BootstrapServers, topic, KafkaFixture.UniqueGroup("pills"), output, dead, _state, maxEventBytes: MaxEventBytes);
        int total = before.Count + pills.Count + after.Count;
        using var cts = new CancellationTokenSource();
        Task run = Task.Factory.StartNew(() => pipeline.Run(cts.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        DateTime deadline = DateTime.UtcNow.AddSeconds(45);
        while (!(pipeline.Latest is { } l && l.Processed + l.Rejected == total) && DateTime.UtcNow < deadline && !run.IsCompleted)
        {
            await Task.Delay(100);
        }

        cts.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(60)); // rethrows if the loop died on a pill

        Assert.Equal(before.Count + after.Count, pipeline.Latest!.Processed); // every valid event after the pills is counted
        Assert.Equal(pills.Count, pipeline.Latest.Rejected);
        Assert.Equal(1, pipeline.DeadLettersTruncated);

        Dictionary<long, Message<byte[]?, byte[]?>> letters = ReadDeadLetters(dead, pills.Count);
        Assert.Equal(pills.Count, letters.Count);
        long first = before.Count;

        Message<byte[]?, byte[]?> tombstone = letters[first];
        Assert.Null(tombstone.Value); // a tombstone stays a tombstone
        Assert.Equal("k-tomb", Encoding.UTF8.GetString(tombstone.Key!));
        Assert.Equal(["t1"], Values(tombstone.Headers, "trace"));
        Assert.Equal("InvalidJson", Last(tombstone.Headers, "error"));
        Assert.Contains("tombstone", Last(tombstone.Headers, "error.detail"), StringComparison.Ordinal);

        Message<byte[]?, byte[]?> bad = letters[first + 1];
        Assert.Equal("not json"u8.ToArray(), bad.Value);
        Assert.Equal("k-bad", Encoding.UTF8.GetString(bad.Key!));
        Assert.Equal(["t2", "t2b"], Values(bad.Headers, "trace")); // the producer's headers, in order, repeats kept
        Assert.Equal(["theirs", "InvalidJson"], Values(bad.Headers, "error")); // theirs first, ours last
        Assert.Equal(topic, Last(bad.Headers, "source.topic"));
        Assert.Equal("0", Last(bad.Headers, "source.partition"));
        Assert.Equal((first + 1).ToString(CultureInfo.InvariantCulture), Last(bad.Headers, "source.offset"));
        Assert.NotEmpty(Last(bad.Headers, "source.group"));

        Message<byte[]?, byte[]?> empty = letters[first + 2];
        Assert.Null(empty.Key);
        Assert.NotNull(empty.Value); // an empty value is not a tombstone either
        Assert.Empty(empty.Value);

        Message<byte[]?, byte[]?> whole = letters[first + 3];
        Assert.Equal(large, whole.Value);
        Assert.Equal("TooLarge", Last(whole.Headers, "error"));
        Assert.False(whole.Headers.TryGetLastBytes("truncated", out _));

        Message<byte[]?, byte[]?> cut = letters[first + 4];
        Assert.Equal(huge[..DeadLetterWriter.TruncatedValueBytes], cut.Value);
        Assert.Equal("k-huge", Encoding.UTF8.GetString(cut.Key!));
        Assert.Equal(["t5"], Values(cut.Headers, "trace"));
        Assert.Equal("TooLarge", Last(cut.Headers, "error"));
        Assert.StartsWith($"the value had {huge.Length} bytes; the first {DeadLetterWriter.TruncatedValueBytes} are kept", Last(cut.Headers, "truncated"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_EventsOverLibrdkafkasDefaultMessageSize_DeadLetteredWholeOrTruncatedNotACrashLoop()
    {
        // The case: MaxEventBytes at its default (1 MiB) is above librdkafka's default message.max.bytes
        // (1 000 000), so the dead letter of a 1.05 MB event used to throw out of the consume loop, at every restart.
        string topic = KafkaFixture.UniqueTopic("big");
        string dead = KafkaFixture.UniqueTopic("dead");
        await kafka.CreateTopicAsync(topic, 1);
        byte[] over = JsonObjectOfSize(1_050_000); // over MaxEventBytes, within MaxEventBytes + 64 KiB: whole
        byte[] huge = JsonObjectOfSize(1_500_000); // beyond: truncated
        List<byte[]> valid = PipelineHarness.Events(100, seed: 73, malformedShare: 0);
        await ProduceAsync(topic, [.. valid.Take(50).Select(e => new Message<byte[]?, byte[]?> { Value = e }), new() { Value = over }, new() { Value = huge }, .. valid.Skip(50).Select(e => new Message<byte[]?, byte[]?> { Value = e })]);

        using EntropyPipeline pipeline = PipelineHarness.CreatePipeline(kafka.BootstrapServers, topic, KafkaFixture.UniqueGroup("big"), KafkaFixture.UniqueTopic("out"), dead, _state);
        using var cts = new CancellationTokenSource();
        Task run = Task.Factory.StartNew(() => pipeline.Run(cts.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        DateTime deadline = DateTime.UtcNow.AddSeconds(45);
        while (!(pipeline.Latest is { } l && l.Processed + l.Rejected == valid.Count + 2) && DateTime.UtcNow < deadline && !run.IsCompleted)
        {
            await Task.Delay(100);
        }

        cts.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(60)); // rethrows if the loop died on the event

        Assert.Equal(valid.Count, pipeline.Latest!.Processed);
        Assert.Equal(2, pipeline.Latest.Rejected);
        Assert.Equal(1, pipeline.DeadLettersTruncated);
        Dictionary<long, Message<byte[]?, byte[]?>> letters = ReadDeadLetters(dead, 2);
        Assert.Equal(over, letters[50].Value);
        Assert.Equal(huge[..DeadLetterWriter.TruncatedValueBytes], letters[51].Value);
        Assert.StartsWith($"the value had {huge.Length} bytes", Last(letters[51].Headers, "truncated"), StringComparison.Ordinal);
    }

    private static byte[] JsonObjectOfSize(int bytes) => Encoding.UTF8.GetBytes("{\"page\":\"" + new string('x', bytes - 11) + "\"}");

    private async Task ProduceAsync(string topic, IEnumerable<Message<byte[]?, byte[]?>> messages)
    {
        using IProducer<byte[]?, byte[]?> producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            MessageMaxBytes = 10 << 20, // like `kcat -X message.max.bytes=10485760`: the input topic takes what the worker cannot forward
            EnableIdempotence = true,
        }).Build();
        foreach (Message<byte[]?, byte[]?> message in messages)
        {
            await producer.ProduceAsync(topic, message); // one at a time: offsets in list order
        }
    }

    private Dictionary<long, Message<byte[]?, byte[]?>> ReadDeadLetters(string topic, int expected)
    {
        using IConsumer<byte[]?, byte[]?> consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            GroupId = KafkaFixture.UniqueGroup("dead-reader"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var letters = new Dictionary<long, Message<byte[]?, byte[]?>>();
        int read = 0;
        DateTime deadline = DateTime.UtcNow + TestClients.Deadline;
        while (read < expected && DateTime.UtcNow < deadline)
        {
            try
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { Message: { } m })
                {
                    read++;
                    letters[long.Parse(Last(m.Headers, "source.offset"), CultureInfo.InvariantCulture)] = m;
                }
            }
            catch (ConsumeException e) when (!e.Error.IsFatal)
            {
                // the topic may not be visible yet
            }
        }

        Assert.Equal(expected, read); // and no source offset twice
        return letters;
    }

    private static string[] Values(Headers headers, string name) =>
        [.. headers.Where(h => h.Key == name).Select(h => Encoding.UTF8.GetString(h.GetValueBytes()))];

    private static string Last(Headers headers, string name) => PipelineHarness.Header(headers, name);
}
