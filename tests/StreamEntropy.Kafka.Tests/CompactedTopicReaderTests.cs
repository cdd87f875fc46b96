using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Time.Testing;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Kafka.Tests.Fakes;

namespace StreamEntropy.Kafka.Tests;

/// <summary>The reader of the state topic: newest value per wanted key, up to the end the topic had when it began,
/// within a deadline of the injected clock.</summary>
public sealed class CompactedTopicReaderTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 23, 0, 0, TimeSpan.Zero));

    private static byte[] Value(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(byte[] value) => Encoding.UTF8.GetString(value);

    [Fact]
    public void Read_KeepsTheNewestValueOfEachWantedKey_ATombstoneDeletesIt()
    {
        var topic = new FakeTopic("state", 3);
        topic.Append(0, "g/events/0", Value("old"));
        topic.Append(1, "g/events/1", Value("one"));
        topic.Append(0, "g/events/0", Value("new"));
        topic.Append(2, "g/events/2", Value("two"));
        topic.Append(2, "g/events/2", null); // deleted
        topic.Append(1, "g/unwanted/0", Value("other"));
        var consumer = new FakeConsumer(topic);

        Dictionary<string, byte[]> found = new CompactedTopicReader(() => consumer, _time)
            .Read("state", topic.Partitions, new HashSet<string>(["g/events/0", "g/events/1", "g/events/2", "g/events/3"]));

        Assert.Equal(["g/events/0", "g/events/1"], found.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("new", Text(found["g/events/0"]));
        Assert.Equal("one", Text(found["g/events/1"]));
        Assert.Equal(6, consumer.Returned);
        Assert.True(consumer.Disposed);
    }

    // Also: a record written to a partition already read to its end, while another is still read, is passed over.
    [Fact]
    public void Read_StopsAtTheHighWatermarkTheTopicHadWhenTheReadBegan()
    {
        var topic = new FakeTopic("state", 2);
        topic.Append(0, "g/events/0", Value("saved"));
        topic.Append(1, "g/events/1", Value("saved"));
        topic.Append(1, "g/events/1", Value("newer"));
        var consumer = new FakeConsumer(topic)
        {
            // Written by another member once the read began: not waited for, and not read.
            OnAssign = () =>
            {
                topic.Append(0, "g/events/0", Value("later"));
                topic.Append(1, "g/events/1", Value("later"));
            },
        };

        Dictionary<string, byte[]> found = new CompactedTopicReader(() => consumer, _time)
            .Read("state", topic.Partitions, new HashSet<string>(["g/events/0", "g/events/1"]));

        Assert.Equal("saved", Text(found["g/events/0"]));
        Assert.Equal("newer", Text(found["g/events/1"]));
    }

    [Fact]
    public void Read_EmptyPartitions_AreNotWaitedFor()
    {
        var topic = new FakeTopic("state", 4);
        topic.Append(2, "g/events/2", Value("only"));
        int emptyPolls = 0;
        var consumer = new FakeConsumer(topic) { OnEmptyPoll = () => emptyPolls++ };

        Dictionary<string, byte[]> found = new CompactedTopicReader(() => consumer, _time)
            .Read("state", topic.Partitions, new HashSet<string>(["g/events/2"]));

        Assert.Equal("only", Text(Assert.Single(found).Value));
        Assert.Equal([new TopicPartition("state", new Partition(2))], consumer.Assignment);
        Assert.Equal(0, emptyPolls);
    }

    [Fact]
    public void Read_NoWantedKey_CreatesNoConsumer()
    {
        int created = 0;
        var reader = new CompactedTopicReader(() => { created++; return new FakeConsumer(new FakeTopic("state", 1)); }, _time);

        Assert.Empty(reader.Read("state", 1, new HashSet<string>()));
        Assert.Equal(0, created);
    }

    [Fact]
    public void Read_EndNotReachedBeforeTheDeadline_FailsAsTimedOut()
    {
        var topic = new FakeTopic("state", 1);
        topic.Append(0, "g/events/0", Value("saved"));
        DateTimeOffset started = _time.GetUtcNow();
        var consumer = new FakeConsumer(topic)
        {
            Undelivered = 1, // the watermark promises a record that never comes
            OnEmptyPoll = () => _time.Advance(TimeSpan.FromSeconds(1)),
        };

        KafkaException e = Assert.Throws<KafkaException>(() => new CompactedTopicReader(() => consumer, _time)
            .Read("state", topic.Partitions, new HashSet<string>(["g/events/0"])));

        Assert.Equal(ErrorCode.Local_TimedOut, e.Error.Code);
        Assert.Equal("Reading the state topic 'state' did not reach its end within 60 s.", e.Error.Reason);
        TimeSpan waited = _time.GetUtcNow() - started;
        Assert.InRange(waited, CompactedTopicReader.ReadTimeout, CompactedTopicReader.ReadTimeout + TimeSpan.FromSeconds(1));
        Assert.True(consumer.Disposed);
    }
}
