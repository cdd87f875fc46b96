using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using StreamEntropy.Kafka.State;
using StreamEntropy.Streaming.Decoding;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>Writes malformed events to the dead-letter topic as the producer sent them (key, headers, value or
/// tombstone) plus headers naming the source and the reason, and makes the topic exactly-once with respect to the input.</summary>
/// <remarks>
/// <para>Exactly-once: every dead letter carries its source topic, partition, offset and consumer group. A checkpoint
/// is written only when no dead letter is unacknowledged, and it records, per dead-letter partition, an offset below
/// which no later dead letter can land (<see cref="Progress"/>). After a crash the events past the checkpoint are
/// replayed; before that, <see cref="Scan"/> reads the dead-letter topic from the recorded offsets to its end and
/// remembers the source offsets this group already dead-lettered there, and <see cref="Write"/> skips those.</para>
/// <para>A dead letter the broker refuses as too large is written again with its value cut to
/// <see cref="TruncatedValueBytes"/> and a <c>truncated</c> header, and counted in <see cref="Truncated"/>: a poison
/// pill never stops the consume loop.</para>
/// <para>Threads: <see cref="Write"/>, <see cref="Scan"/> and <see cref="Progress"/> run on the counting thread; delivery
/// reports arrive on librdkafka's poll thread and only touch the counters and the acknowledged positions.</para>
/// </remarks>
internal sealed class DeadLetterWriter : IDisposable
{
    /// <summary>Bytes of the value kept in a dead letter that was too large for the broker.</summary>
    public const int TruncatedValueBytes = 16 * 1024;

    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ScanTimeout = TimeSpan.FromSeconds(60);

    private readonly PipelineSettings _settings;
    private readonly ILogger _logger;
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, long> _scanFrom = []; // guarded by _gate
    private readonly HashSet<(string Topic, int Partition, long Offset)> _written = [];
    private long _pending;
    private long _failures;
    private long _truncated;
    private long _skipped;

    /// <param name="settings">The pipeline's settings (dead-letter topic, group, client settings).</param>
    /// <param name="logger">Where delivery failures and truncations are reported.</param>
    /// <param name="handle">The pipeline producer's handle: dead letters share its connection and its flush.</param>
    public DeadLetterWriter(PipelineSettings settings, ILogger logger, Handle handle)
    {
        _settings = settings;
        _logger = logger;
        _producer = new DependentProducerBuilder<byte[]?, byte[]?>(handle).Build();
    }

    /// <summary>Gets how many dead letters were produced and not yet acknowledged or refused.</summary>
    public long Pending => Interlocked.Read(ref _pending);

    /// <summary>Gets how many dead letters could not be delivered at all since the process started.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Gets how many dead letters were written truncated because the full event was too large.</summary>
    public long Truncated => Interlocked.Read(ref _truncated);

    /// <summary>Gets how many dead letters were not written again because a previous life had written them.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Gets the positions to record in a checkpoint written now (call when <see cref="Pending"/> is 0).</summary>
    public DeadLetterProgress Progress()
    {
        lock (_gate)
        {
            return new DeadLetterProgress(_settings.DeadLetterTopic, new Dictionary<int, long>(_scanFrom));
        }
    }

    /// <summary>Learns what earlier lives wrote: reads the dead-letter topic from the positions of
    /// <paramref name="progress"/> (from the beginning of a partition it has none for) to the current end, and remembers
    /// this group's dead letters of source offsets at or after <paramref name="replayFrom"/> (for a source partition
    /// <paramref name="replayFrom"/> does not name: every offset), which are about to be replayed.</summary>
    /// <remarks>Also takes the current end of each partition as a lower bound for this life's dead letters. If the topic
    /// cannot be read, says so and goes on: dead letters of the replayed events may then be written twice.</remarks>
    public void Scan(DeadLetterProgress? progress, IReadOnlyDictionary<(string Topic, int Partition), long> replayFrom)
    {
        IReadOnlyDictionary<int, long> from = progress is not null && string.Equals(progress.Topic, _settings.DeadLetterTopic, StringComparison.Ordinal)
            ? progress.ScanFrom
            : new Dictionary<int, long>();
        try
        {
            ScanCore(from, replayFrom);
        }
        catch (KafkaException e)
        {
            _logger.DeadLetterScanFailed(_settings.DeadLetterTopic, e.Error.Reason);
            lock (_gate)
            {
                foreach ((int partition, long offset) in from)
                {
                    Raise(partition, offset); // still lower bounds of every later dead letter
                }
            }
        }
    }

    /// <summary>Dead-letters the event of <paramref name="result"/> unless a previous life already did.</summary>
    public void Write(ConsumeResult<byte[]?, byte[]?> result, DecodeError error, string detail)
    {
        if (_written.Remove((result.Topic, result.Partition.Value, result.Offset.Value)))
        {
            Interlocked.Increment(ref _skipped);
            _logger.DeadLetterAlreadyWritten(result.Topic, result.Partition.Value, result.Offset.Value);
            return;
        }

        _logger.DeadLettered(result.Topic, result.Partition.Value, result.Offset.Value, error, detail);
        Message<byte[]?, byte[]?> message = Build(result, error, detail);
        try
        {
            Produce(message, truncatedFrom: null);
        }
        catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.MsgSizeTooLarge)
        {
            ProduceTruncated(message, e.Error.Reason);
        }
        catch (ProduceException<byte[]?, byte[]?> e)
        {
            // The local queue is full (broker away for long): this dead letter is lost; the checkpoint must not cover it.
            Interlocked.Increment(ref _failures);
            _logger.DeliveryFailed(_settings.DeadLetterTopic, e.Error.Reason);
        }
    }

    public void Dispose() => _producer.Dispose();

    private Message<byte[]?, byte[]?> Build(ConsumeResult<byte[]?, byte[]?> result, DecodeError error, string detail)
    {
        // The producer's own headers first, then ours: readers that take the last header of a name see ours.
        var headers = new Headers();
        foreach (IHeader header in result.Message.Headers ?? [])
        {
            headers.Add(header.Key, header.GetValueBytes());
        }

        headers.Add("error", Encoding.UTF8.GetBytes(error.ToString()));
        headers.Add("error.detail", Encoding.UTF8.GetBytes(detail));
        headers.Add("source.topic", Encoding.UTF8.GetBytes(result.Topic));
        headers.Add("source.partition", Encoding.UTF8.GetBytes(result.Partition.Value.ToString(CultureInfo.InvariantCulture)));
        headers.Add("source.offset", Encoding.UTF8.GetBytes(result.Offset.Value.ToString(CultureInfo.InvariantCulture)));
        headers.Add("source.timestamp", Encoding.UTF8.GetBytes(result.Message.Timestamp.UnixTimestampMs.ToString(CultureInfo.InvariantCulture)));
        headers.Add("source.group", Encoding.UTF8.GetBytes(_settings.GroupId));
        return new Message<byte[]?, byte[]?>
        {
            Key = result.Message.Key,
            Value = result.Message.Value, // null stays null: a tombstone is dead-lettered as a tombstone
            Headers = headers,
            Timestamp = Timestamp.Default,
        };
    }

    private void Produce(Message<byte[]?, byte[]?> message, int? truncatedFrom)
    {
        Interlocked.Increment(ref _pending);
        try
        {
            _producer.Produce(_settings.DeadLetterTopic, message, report => OnDelivered(report, truncatedFrom));
        }
        catch
        {
            Interlocked.Decrement(ref _pending);
            throw;
        }
    }

    private void ProduceTruncated(Message<byte[]?, byte[]?> original, string reason)
    {
        int length = original.Value?.Length ?? 0;
        byte[]? value = original.Value is null ? null : original.Value[..Math.Min(length, TruncatedValueBytes)];
        var headers = new Headers();
        foreach (IHeader header in original.Headers)
        {
            headers.Add(header.Key, header.GetValueBytes());
        }

        headers.Add("truncated", Encoding.UTF8.GetBytes(
            $"the value had {length.ToString(CultureInfo.InvariantCulture)} bytes; the first {(value?.Length ?? 0).ToString(CultureInfo.InvariantCulture)} are kept ({reason})"));
        var copy = new Message<byte[]?, byte[]?> { Key = original.Key, Value = value, Headers = headers, Timestamp = Timestamp.Default };
        Interlocked.Increment(ref _truncated);
        _logger.DeadLetterTruncated(_settings.DeadLetterTopic, length, value?.Length ?? 0, reason);
        try
        {
            Produce(copy, truncatedFrom: length);
        }
        catch (ProduceException<byte[]?, byte[]?> e)
        {
            Interlocked.Increment(ref _failures);
            _logger.DeliveryFailed(_settings.DeadLetterTopic, e.Error.Reason);
        }
    }

    private void OnDelivered(DeliveryReport<byte[]?, byte[]?> report, int? truncatedFrom)
    {
        try
        {
            if (!report.Error.IsError)
            {
                lock (_gate)
                {
                    Raise(report.Partition.Value, report.Offset.Value + 1);
                }
            }
            else if (report.Error.Code == ErrorCode.MsgSizeTooLarge && truncatedFrom is null)
            {
                ProduceTruncated(report.Message, report.Error.Reason); // the broker's limit is below ours: send the cut copy
            }
            else
            {
                Interlocked.Increment(ref _failures);
                _logger.DeliveryFailed(_settings.DeadLetterTopic, report.Error.Reason);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _pending); // after the copy is counted as pending, so no checkpoint sees neither
        }
    }

    private void Raise(int partition, long offset)
    {
        if (!_scanFrom.TryGetValue(partition, out long known) || offset > known)
        {
            _scanFrom[partition] = offset;
        }
    }

    private void ScanCore(IReadOnlyDictionary<int, long> from, IReadOnlyDictionary<(string Topic, int Partition), long> replayFrom)
    {
        using IAdminClient admin = new DependentAdminClientBuilder(_producer.Handle).Build();
        Metadata metadata = admin.GetMetadata(_settings.DeadLetterTopic, MetadataTimeout);
        TopicMetadata? topic = metadata.Topics.FirstOrDefault(t => t.Topic == _settings.DeadLetterTopic);
        if (topic is null || topic.Error.IsError || topic.Partitions.Count == 0)
        {
            return; // no dead-letter topic yet: nothing written before, and every later dead letter is new
        }

        var config = new ConsumerConfig(new Dictionary<string, string>(_settings.Client))
        {
            BootstrapServers = _settings.BootstrapServers,
            GroupId = _settings.GroupId + ".dead-letter-reader", // never joins: partitions are assigned by hand, nothing is committed
            EnableAutoCommit = false,
            EnablePartitionEof = false,
        };
        using IConsumer<Ignore, Ignore> reader = new ConsumerBuilder<Ignore, Ignore>(config)
            .SetLogHandler((_, m) => _logger.LibrdkafkaLog(m.Name, m.Facility, m.Message))
            .Build();
        var ends = new Dictionary<int, long>();
        var assignment = new List<TopicPartitionOffset>();
        foreach (PartitionMetadata p in topic.Partitions)
        {
            var tp = new TopicPartition(_settings.DeadLetterTopic, new Partition(p.PartitionId));
            WatermarkOffsets marks = reader.QueryWatermarkOffsets(tp, MetadataTimeout);
            lock (_gate)
            {
                Raise(p.PartitionId, marks.High.Value); // this life's dead letters land at or after the current end
            }

            long start = Math.Max(marks.Low.Value, from.TryGetValue(p.PartitionId, out long f) ? f : 0);
            if (marks.High.Value > start)
            {
                ends[p.PartitionId] = marks.High.Value;
                assignment.Add(new TopicPartitionOffset(tp, new Offset(start)));
            }
        }

        reader.Assign(assignment);
        DateTime deadline = DateTime.UtcNow + ScanTimeout;
        long read = 0;
        while (ends.Count > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new KafkaException(new Error(ErrorCode.Local_TimedOut, $"reading it did not reach its end within {ScanTimeout.TotalSeconds:0} s"));
            }

            ConsumeResult<Ignore, Ignore>? r = reader.Consume(TimeSpan.FromMilliseconds(200));
            if (r?.Message is null)
            {
                continue;
            }

            read++;
            if (Source(r.Message.Headers) is { } source && (!replayFrom.TryGetValue((source.Topic, source.Partition), out long replay) || source.Offset >= replay))
            {
                _written.Add(source);
            }

            if (r.Offset.Value + 1 >= ends[r.Partition.Value])
            {
                ends.Remove(r.Partition.Value);
            }
        }

        _logger.DeadLettersScanned(_settings.DeadLetterTopic, read, _written.Count);
    }

    // The source of one of this group's dead letters, or null for another group's (or an older version's) record.
    private (string Topic, int Partition, long Offset)? Source(Headers? headers)
    {
        if (headers is null
            || !headers.TryGetLastBytes("source.group", out byte[] group)
            || !string.Equals(Encoding.UTF8.GetString(group), _settings.GroupId, StringComparison.Ordinal)
            || !headers.TryGetLastBytes("source.topic", out byte[] topic)
            || !headers.TryGetLastBytes("source.partition", out byte[] partition)
            || !headers.TryGetLastBytes("source.offset", out byte[] offset)
            || !int.TryParse(Encoding.UTF8.GetString(partition), NumberStyles.None, CultureInfo.InvariantCulture, out int p)
            || !long.TryParse(Encoding.UTF8.GetString(offset), NumberStyles.None, CultureInfo.InvariantCulture, out long o))
        {
            return null;
        }

        return (Encoding.UTF8.GetString(topic), p, o);
    }
}
