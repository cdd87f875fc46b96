using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Drift;

namespace StreamEntropy.Kafka;

/// <summary>Source-generated log messages of the Kafka layer (event ids 100–199).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Consume error on {TopicPartition}: {Reason}")]
    public static partial void ConsumeError(this ILogger logger, string topicPartition, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Critical, Message = "Fatal Kafka error, stopping the consumer: {Reason}")]
    public static partial void FatalError(this ILogger logger, string reason);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Kafka client error ({Code}): {Reason}")]
    public static partial void ClientError(this ILogger logger, string code, string reason);

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Restored checkpoint {Path}: {Events} events counted, offsets {Offsets}")]
    public static partial void CheckpointRestored(this ILogger logger, string path, long events, IReadOnlyDictionary<(string Topic, int Partition), long> offsets);

    [LoggerMessage(EventId = 111, Level = LogLevel.Debug, Message = "Checkpoint written: {Path}, {Bytes} bytes, {Partitions} partitions")]
    public static partial void CheckpointWritten(this ILogger logger, string path, int bytes, int partitions);

    [LoggerMessage(EventId = 112, Level = LogLevel.Warning, Message = "Checkpoint skipped: {Reason}")]
    public static partial void CheckpointSkipped(this ILogger logger, string reason);

    [LoggerMessage(EventId = 114, Level = LogLevel.Error, Message = "Writing checkpoint {Path} failed: {Reason}")]
    public static partial void CheckpointFailed(this ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "Partitions assigned: {Partitions}")]
    public static partial void PartitionsAssigned(this ILogger logger, IEnumerable<TopicPartition> partitions);

    [LoggerMessage(EventId = 121, Level = LogLevel.Information, Message = "Partitions revoked: {Partitions}")]
    public static partial void PartitionsRevoked(this ILogger logger, IEnumerable<TopicPartitionOffset> partitions);

    [LoggerMessage(EventId = 130, Level = LogLevel.Debug, Message = "Malformed event at {Topic}[{Partition}]@{Offset} dead-lettered: {Error} {Detail}")]
    public static partial void DeadLettered(this ILogger logger, string topic, int partition, long offset, DecodeError error, string detail);

    [LoggerMessage(EventId = 131, Level = LogLevel.Error, Message = "Delivery to {Topic} failed: {Reason}")]
    public static partial void DeliveryFailed(this ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 132, Level = LogLevel.Warning, Message = "Dead letter too large for {Topic} ({Reason}): written with its value cut from {Bytes} to {Kept} bytes and a 'truncated' header")]
    public static partial void DeadLetterTruncated(this ILogger logger, string topic, int bytes, int kept, string reason);

    [LoggerMessage(EventId = 133, Level = LogLevel.Debug, Message = "Malformed event at {Topic}[{Partition}]@{Offset} replayed: its dead letter was written before the crash, not again")]
    public static partial void DeadLetterAlreadyWritten(this ILogger logger, string topic, int partition, long offset);

    [LoggerMessage(EventId = 134, Level = LogLevel.Information, Message = "Dead-letter topic {Topic} read since the checkpoint: {Records} records, {Replayed} of them dead letters of events about to be replayed (not written again)")]
    public static partial void DeadLettersScanned(this ILogger logger, string topic, long records, int replayed);

    [LoggerMessage(EventId = 135, Level = LogLevel.Warning, Message = "Could not read the dead-letter topic {Topic} ({Reason}); dead letters of replayed events may be written twice")]
    public static partial void DeadLetterScanFailed(this ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 136, Level = LogLevel.Warning, Message = "Stopping with {Records} records not acknowledged by the broker ({DeadLetters} dead letters, the rest output, alerts or partials)")]
    public static partial void FlushIncomplete(this ILogger logger, int records, long deadLetters);

    [LoggerMessage(EventId = 150, Level = LogLevel.Warning, Message = "Alert {State}: rule {Rule} on window {Window}, {Subject}: {Metric} = {Value} (threshold {Threshold})")]
    public static partial void Alert(this ILogger logger, AlertState state, string rule, string window, string subject, string metric, double value, double threshold);

    [LoggerMessage(EventId = 104, Level = LogLevel.Debug, Message = "librdkafka {Client} {Facility}: {Text}")]
    public static partial void LibrdkafkaLog(this ILogger logger, string client, string facility, string text);

    [LoggerMessage(EventId = 140, Level = LogLevel.Information, Message = "Consumer stopped: {Events} events counted, {Rejected} dead-lettered")]
    public static partial void Stopped(this ILogger logger, long events, long rejected);

    [LoggerMessage(EventId = 145, Level = LogLevel.Information, Message = "Warm-up: the engine's code compiled on {Events} made-up events in {Ms} ms, before the first record")]
    public static partial void WarmedUp(this ILogger logger, int events, long ms);

    [LoggerMessage(EventId = 146, Level = LogLevel.Warning, Message = "Warm-up failed (the first records pay for the compilation instead): {Reason}")]
    public static partial void WarmUpFailed(this ILogger logger, string reason);

    [LoggerMessage(EventId = 141, Level = LogLevel.Information, Message = "Hand-off: {Records} records in {Batches} batches over {ActiveMs} ms (first hand-off to last batch counted); the consume thread spent {PollMs} ms in polls that returned a record and waited {SenderWaits} times for room, {SenderWaitMs} ms in all; the counting thread counted for {CountingMs} ms")]
    public static partial void HandoffStopped(this ILogger logger, long records, long batches, long activeMs, long pollMs, long countingMs, long senderWaits, long senderWaitMs);

    [LoggerMessage(EventId = 160, Level = LogLevel.Information, Message = "Partition {Topic}[{Partition}] restored from the state topic: {Events} events counted, resuming at offset {Offset}")]
    public static partial void PartitionRestored(this ILogger logger, string topic, int partition, long events, long offset);

    [LoggerMessage(EventId = 165, Level = LogLevel.Information, Message = "Partition {Topic}[{Partition}] has no state in the state topic: counting it from the beginning")]
    public static partial void PartitionFromBeginning(this ILogger logger, string topic, int partition);

    [LoggerMessage(EventId = 161, Level = LogLevel.Error, Message = "Partition state {Key} in the state topic cannot be used: {Reason}")]
    public static partial void PartitionStateUnusable(this ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 162, Level = LogLevel.Warning, Message = "Partial at {Topic}[{Partition}]@{Offset} ignored: {Reason}")]
    public static partial void PartialIgnored(this ILogger logger, string topic, int partition, long offset, string reason);

    [LoggerMessage(EventId = 163, Level = LogLevel.Debug, Message = "Partition states written to {Topic}: {Partitions} partitions, {Bytes} bytes")]
    public static partial void PartitionStatesWritten(this ILogger logger, string topic, int partitions, long bytes);

    [LoggerMessage(EventId = 164, Level = LogLevel.Information, Message = "Merged drift state {Key} restored from the state topic: {Bytes} bytes")]
    public static partial void MergedDriftRestored(this ILogger logger, string key, int bytes);

    [LoggerMessage(EventId = 180, Level = LogLevel.Information, Message = "Discovered field {Field}")]
    public static partial void FieldDiscovered(this ILogger logger, string field);

    [LoggerMessage(EventId = 181, Level = LogLevel.Warning, Message = "Discovered fields: MaxFields reached at path {Path}; it and later new paths are not measured (their values are counted in streamentropy.discovery.dropped)")]
    public static partial void DiscoveryLimitReached(this ILogger logger, string path);

    [LoggerMessage(EventId = 182, Level = LogLevel.Warning, Message = "Discovered fields: a path longer than {MaxBytes} bytes is not measured (its values are counted in streamentropy.discovery.dropped)")]
    public static partial void DiscoveredPathTooLong(this ILogger logger, int maxBytes);

    [LoggerMessage(EventId = 183, Level = LogLevel.Warning, Message = "Discovered fields: the path {Path} has the name of a configured field and is not measured on its own")]
    public static partial void DiscoveredNameTaken(this ILogger logger, string path);

    [LoggerMessage(EventId = 142, Level = LogLevel.Information, Message = "Batch poll: records are read from librdkafka in batches of up to {Capacity}")]
    public static partial void BatchPollOn(this ILogger logger, int capacity);

    [LoggerMessage(EventId = 143, Level = LogLevel.Warning, Message = "Batch poll not available, records are read one Consume call at a time: {Reason}")]
    public static partial void BatchPollUnavailable(this ILogger logger, string reason);

    [LoggerMessage(EventId = 144, Level = LogLevel.Information, Message = "Batch poll: a rebalance callback ran inside a poll that had taken {Records} records; none was handed off, and {Partitions} partitions were sought back to read them again")]
    public static partial void BatchRewound(this ILogger logger, int records, int partitions);

    [LoggerMessage(EventId = 170, Level = LogLevel.Warning, Message = "Drift reference of window {Window} re-capture requested: {Outcome}")]
    public static partial void RecaptureRequested(this ILogger logger, string window, RecaptureOutcome outcome);
}
