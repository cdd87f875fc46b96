using Confluent.Kafka;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>Reads a compacted topic from its start to the end it has when the read begins, and keeps the newest value
/// of each wanted key (a tombstone deletes it): how Group mode finds the saved state of what it takes over.</summary>
/// <remarks>O(size of the topic) per read; compaction keeps that about one record per key. The reader's consumer is
/// assigned partitions by hand, so it never joins a group and commits nothing.</remarks>
/// <param name="createConsumer">Creates the consumer of one read (disposed at its end).</param>
/// <param name="time">The clock of the read's deadline.</param>
internal sealed class CompactedTopicReader(Func<IConsumer<string?, byte[]>> createConsumer, TimeProvider time)
{
    /// <summary>How long one partition's watermark look-up may take.</summary>
    public static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(15);

    /// <summary>How long a whole read may take before it fails.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>Reads partitions 0 to <paramref name="partitions"/> − 1 of <paramref name="topic"/> up to their high
    /// watermarks as of now (records written later are not waited for).</summary>
    /// <returns>The newest value of each key of <paramref name="keys"/> that has one.</returns>
    /// <exception cref="KafkaException">The end was not reached within <see cref="ReadTimeout"/>, or a look-up failed.</exception>
    public Dictionary<string, byte[]> Read(string topic, int partitions, IReadOnlySet<string> keys)
    {
        var found = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return found;
        }

        using IConsumer<string?, byte[]> reader = createConsumer();
        var ends = new Dictionary<int, long>();
        var assignment = new List<TopicPartitionOffset>();
        for (int partition = 0; partition < partitions; partition++)
        {
            var tp = new TopicPartition(topic, new Partition(partition));
            WatermarkOffsets marks = reader.QueryWatermarkOffsets(tp, MetadataTimeout);
            if (marks.High.Value > marks.Low.Value)
            {
                ends[partition] = marks.High.Value;
                assignment.Add(new TopicPartitionOffset(tp, marks.Low));
            }
        }

        reader.Assign(assignment);
        DateTimeOffset deadline = time.GetUtcNow() + ReadTimeout;
        while (ends.Count > 0)
        {
            if (time.GetUtcNow() > deadline)
            {
                throw new KafkaException(new Error(ErrorCode.Local_TimedOut, $"Reading the state topic '{topic}' did not reach its end within {ReadTimeout.TotalSeconds:0} s."));
            }

            ConsumeResult<string?, byte[]>? r = reader.Consume(PollTimeout);
            if (r?.Message is null || !ends.TryGetValue(r.Partition.Value, out long end))
            {
                continue; // nothing, or a record written to a partition after the read began and already read to its end
            }

            if (r.Message.Key is { } key && keys.Contains(key))
            {
                if (r.Message.Value is { } value)
                {
                    found[key] = value;
                }
                else
                {
                    found.Remove(key); // a tombstone deletes the state
                }
            }

            if (r.Offset.Value + 1 >= end)
            {
                ends.Remove(r.Partition.Value);
            }
        }

        return found;
    }
}
