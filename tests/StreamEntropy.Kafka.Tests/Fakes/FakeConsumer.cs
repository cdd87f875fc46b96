using Confluent.Kafka;

namespace StreamEntropy.Kafka.Tests.Fakes;

/// <summary>A consumer of hand-assigned partitions of a <see cref="FakeTopic"/>: the watermarks are the log's ends at
/// the time they are asked for, and each poll returns the next record of the assigned partitions in turn (records
/// appended after the assignment included), or null when there is none.</summary>
internal sealed class FakeConsumer(FakeTopic topic) : IConsumer<string?, byte[]>
{
    private readonly Dictionary<int, long> _positions = [];
    private int _turn;

    /// <summary>Gets or sets what happens at a poll that finds nothing (a test advances its clock here).</summary>
    public Action? OnEmptyPoll { get; set; }

    /// <summary>Gets or sets what happens once partitions are assigned (a test appends records written meanwhile here).</summary>
    public Action? OnAssign { get; set; }

    /// <summary>Gets or sets records the high watermark claims beyond the log's end (records a broker announced and
    /// never delivers).</summary>
    public int Undelivered { get; set; }

    /// <summary>Gets how many records were returned.</summary>
    public int Returned { get; private set; }

    /// <summary>Gets a value indicating whether the consumer was disposed.</summary>
    public bool Disposed { get; private set; }

    public string Name => "fake-consumer";

    public string MemberId => string.Empty;

    public List<TopicPartition> Assignment => [.. _positions.Keys.Select(p => new TopicPartition(topic.Name, new Partition(p)))];

    public List<string> Subscription => [];

    public IConsumerGroupMetadata ConsumerGroupMetadata => throw new NotSupportedException();

    public Handle Handle => throw new NotSupportedException("a fake has no librdkafka handle");

    public WatermarkOffsets QueryWatermarkOffsets(TopicPartition topicPartition, TimeSpan timeout)
    {
        Assert.Equal(topic.Name, topicPartition.Topic);
        return new WatermarkOffsets(new Offset(0), new Offset(topic.Log(topicPartition.Partition.Value).Count + Undelivered));
    }

    public void Assign(IEnumerable<TopicPartitionOffset> partitions)
    {
        _positions.Clear();
        foreach (TopicPartitionOffset tpo in partitions)
        {
            Assert.Equal(topic.Name, tpo.Topic);
            _positions[tpo.Partition.Value] = tpo.Offset.Value;
        }

        OnAssign?.Invoke();
    }

    public ConsumeResult<string?, byte[]>? Consume(TimeSpan timeout)
    {
        int[] assigned = [.. _positions.Keys.Order()];
        for (int i = 0; i < assigned.Length; i++)
        {
            int partition = assigned[(_turn + i) % assigned.Length];
            long position = _positions[partition];
            IReadOnlyList<Message<string?, byte[]>> log = topic.Log(partition);
            if (position < log.Count)
            {
                _turn = (_turn + i + 1) % assigned.Length;
                _positions[partition] = position + 1;
                Returned++;
                return new ConsumeResult<string?, byte[]>
                {
                    TopicPartitionOffset = new TopicPartitionOffset(topic.Name, new Partition(partition), new Offset(position)),
                    Message = log[(int)position],
                };
            }
        }

        OnEmptyPoll?.Invoke();
        return null;
    }

    public void Dispose() => Disposed = true;

    public ConsumeResult<string?, byte[]> Consume(int millisecondsTimeout) => throw new NotSupportedException();

    public ConsumeResult<string?, byte[]> Consume(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public int AddBrokers(string brokers) => throw new NotSupportedException();

    public void SetSaslCredentials(string username, string password) => throw new NotSupportedException();

    public void Subscribe(IEnumerable<string> topics) => throw new NotSupportedException();

    public void Subscribe(string topic) => throw new NotSupportedException();

    public void Unsubscribe() => throw new NotSupportedException();

    public void Assign(TopicPartition partition) => throw new NotSupportedException();

    public void Assign(TopicPartitionOffset partition) => throw new NotSupportedException();

    public void Assign(IEnumerable<TopicPartition> partitions) => throw new NotSupportedException();

    public void IncrementalAssign(IEnumerable<TopicPartitionOffset> partitions) => throw new NotSupportedException();

    public void IncrementalAssign(IEnumerable<TopicPartition> partitions) => throw new NotSupportedException();

    public void IncrementalUnassign(IEnumerable<TopicPartition> partitions) => throw new NotSupportedException();

    public void Unassign() => throw new NotSupportedException();

    public void StoreOffset(ConsumeResult<string?, byte[]> result) => throw new NotSupportedException();

    public void StoreOffset(TopicPartitionOffset offset) => throw new NotSupportedException();

    public List<TopicPartitionOffset> Commit() => throw new NotSupportedException();

    public void Commit(IEnumerable<TopicPartitionOffset> offsets) => throw new NotSupportedException();

    public void Commit(ConsumeResult<string?, byte[]> result) => throw new NotSupportedException();

    public void Seek(TopicPartitionOffset tpo) => throw new NotSupportedException();

    public void Pause(IEnumerable<TopicPartition> partitions) => throw new NotSupportedException();

    public void Resume(IEnumerable<TopicPartition> partitions) => throw new NotSupportedException();

    public List<TopicPartitionOffset> Committed(TimeSpan timeout) => throw new NotSupportedException();

    public List<TopicPartitionOffset> Committed(IEnumerable<TopicPartition> partitions, TimeSpan timeout) => throw new NotSupportedException();

    public Offset Position(TopicPartition partition) => throw new NotSupportedException();

    public List<TopicPartitionOffset> OffsetsForTimes(IEnumerable<TopicPartitionTimestamp> timestampsToSearch, TimeSpan timeout) => throw new NotSupportedException();

    public WatermarkOffsets GetWatermarkOffsets(TopicPartition topicPartition) => throw new NotSupportedException();

    public void Close() => throw new NotSupportedException();
}
