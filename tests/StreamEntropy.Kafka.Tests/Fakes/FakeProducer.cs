using Confluent.Kafka;

namespace StreamEntropy.Kafka.Tests.Fakes;

/// <summary>A producer that keeps what it is given: each record waits, with its delivery handler, until the test
/// acknowledges or fails it (or a flush acknowledges it, as a broker that answers would).</summary>
internal sealed class FakeProducer : IProducer<string?, byte[]>
{
    private readonly List<(Produced Record, Action<DeliveryReport<string?, byte[]>>? Handler)> _unanswered = [];

    /// <summary>Gets every record produced, in order.</summary>
    public List<Produced> Produced { get; } = [];

    /// <summary>Gets or sets how many more records the local queue takes before it refuses with <c>Local_QueueFull</c>
    /// (null: no limit).</summary>
    public int? Room { get; set; }

    /// <summary>Gets or sets a value indicating whether <see cref="Flush(TimeSpan)"/> acknowledges what waits.</summary>
    public bool AcknowledgeOnFlush { get; set; } = true;

    public Handle Handle => throw new NotSupportedException("a fake has no librdkafka handle");

    public string Name => "fake-producer";

    /// <summary>Answers every record that waits: acknowledged, or refused with <paramref name="error"/>.</summary>
    public void Answer(ErrorCode error = ErrorCode.NoError)
    {
        var waiting = _unanswered.ToList();
        _unanswered.Clear();
        foreach ((Produced record, Action<DeliveryReport<string?, byte[]>>? handler) in waiting)
        {
            handler?.Invoke(new DeliveryReport<string?, byte[]>
            {
                Error = new Error(error),
                Message = record.Message,
                TopicPartitionOffset = new TopicPartitionOffset(record.Topic, record.Partition, Offset.Unset),
                Status = error == ErrorCode.NoError ? PersistenceStatus.Persisted : PersistenceStatus.NotPersisted,
            });
        }
    }

    public void Produce(string topic, Message<string?, byte[]> message, Action<DeliveryReport<string?, byte[]>>? deliveryHandler = null) =>
        Produce(new TopicPartition(topic, Partition.Any), message, deliveryHandler);

    public void Produce(TopicPartition topicPartition, Message<string?, byte[]> message, Action<DeliveryReport<string?, byte[]>>? deliveryHandler = null)
    {
        if (Room is int room)
        {
            if (room == 0)
            {
                throw new ProduceException<string?, byte[]>(new Error(ErrorCode.Local_QueueFull), new DeliveryResult<string?, byte[]> { Message = message });
            }

            Room = room - 1;
        }

        var record = new Produced(topicPartition.Topic, topicPartition.Partition, message);
        Produced.Add(record);
        _unanswered.Add((record, deliveryHandler));
    }

    public int Flush(TimeSpan timeout)
    {
        if (AcknowledgeOnFlush)
        {
            Answer();
        }

        return _unanswered.Count;
    }

    public void Flush(CancellationToken cancellationToken = default) => Flush(Timeout.InfiniteTimeSpan);

    public int Poll(TimeSpan timeout) => 0;

    public void Dispose()
    {
    }

    public int AddBrokers(string brokers) => throw new NotSupportedException();

    public void SetSaslCredentials(string username, string password) => throw new NotSupportedException();

    public Task<DeliveryResult<string?, byte[]>> ProduceAsync(string topic, Message<string?, byte[]> message, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<DeliveryResult<string?, byte[]>> ProduceAsync(TopicPartition topicPartition, Message<string?, byte[]> message, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public void InitTransactions(TimeSpan timeout) => throw new NotSupportedException();

    public void BeginTransaction() => throw new NotSupportedException();

    public void CommitTransaction(TimeSpan timeout) => throw new NotSupportedException();

    public void CommitTransaction() => throw new NotSupportedException();

    public void AbortTransaction(TimeSpan timeout) => throw new NotSupportedException();

    public void AbortTransaction() => throw new NotSupportedException();

    public void SendOffsetsToTransaction(IEnumerable<TopicPartitionOffset> offsets, IConsumerGroupMetadata groupMetadata, TimeSpan timeout) => throw new NotSupportedException();
}
