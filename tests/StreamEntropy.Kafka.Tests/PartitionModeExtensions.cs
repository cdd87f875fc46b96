using System.Diagnostics.CodeAnalysis;
using Confluent.Kafka;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Engine;

namespace StreamEntropy.Kafka.Tests;

/// <summary>Lets the mode tests hand a record over as Confluent delivers it, as the pipeline's batches do.</summary>
internal static class PartitionModeExtensions
{
    public static bool TryCount(this IPartitionMode mode, ConsumeResult<byte[]?, byte[]?> record, long timestampMs, [NotNullWhen(true)] out EntropyEngine? engine, out DecodeError error) =>
        mode.TryCount(record.TopicPartition, record.Offset.Value, record.Message.Value, record.Message.Value is null, timestampMs, out engine, out error);
}
