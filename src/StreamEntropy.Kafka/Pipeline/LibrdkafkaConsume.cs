using System.Runtime.InteropServices;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>The librdkafka C functions of the batch poll (<see cref="BatchPoller"/>), which Confluent.Kafka does not
/// wrap: the consumer queue, <c>rd_kafka_consume_batch_queue</c> and what reads a <c>rd_kafka_message_t</c>.</summary>
/// <remarks>The imports resolve to the librdkafka copy Confluent.Kafka loaded, through the resolver that
/// <see cref="Broker.LibrdkafkaMock.EnsureLoaded"/> installs for this whole assembly (one resolver per assembly). Plain
/// <see cref="DllImportAttribute"/> with blittable arguments, as there: no unsafe code in this project. The three calls
/// made for every record that only read the message (<c>rd_kafka_topic_name</c>, <c>rd_kafka_message_timestamp</c>,
/// <c>rd_kafka_message_headers</c>: a few loads, no lock, no callback, no blocking) skip the GC transition of a P/Invoke
/// (<see cref="SuppressGCTransitionAttribute"/>); the calls that free memory, wait or serve callbacks keep it.</remarks>
internal static class LibrdkafkaConsume
{
    private const string LibraryName = "librdkafka";

    /// <summary><c>RD_KAFKA_RESP_ERR__PARTITION_EOF</c>: not an error, the end of a partition (only with
    /// <c>enable.partition.eof</c>, which the pipeline leaves off).</summary>
    internal const int PartitionEof = -191;

    /// <summary><c>RD_KAFKA_RESP_ERR__FATAL</c>: the real error is in <c>rd_kafka_fatal_error</c>.</summary>
    internal const int Fatal = -150;

    /// <summary><c>RD_KAFKA_RESP_ERR__NOENT</c>: <c>rd_kafka_message_headers</c> of a record without headers.</summary>
    internal const int NoEntry = -156;

    /// <summary>A new reference to the consumer group's queue (NULL for a client without a group); destroy it with
    /// <see cref="rd_kafka_queue_destroy"/> before the client is destroyed.</summary>
    [DllImport(LibraryName)]
    internal static extern IntPtr rd_kafka_queue_get_consumer(IntPtr rk);

    [DllImport(LibraryName)]
    internal static extern void rd_kafka_queue_destroy(IntPtr rkqu);

    /// <summary>Serves the queue's callbacks (rebalance, errors, statistics) on the calling thread and fills
    /// <paramref name="messages"/> until it holds <paramref name="size"/> messages or <paramref name="timeoutMs"/> has
    /// passed (0: only what is queued now).</summary>
    /// <returns>The number of messages, each to be freed with <see cref="rd_kafka_message_destroy"/>; −1 on error.</returns>
    [DllImport(LibraryName)]
    internal static extern nint rd_kafka_consume_batch_queue(IntPtr rkqu, int timeoutMs, [Out] IntPtr[] messages, nuint size);

    [DllImport(LibraryName)]
    internal static extern void rd_kafka_message_destroy(IntPtr message);

    /// <summary>The topic's name, valid while the message that refers to the topic lives.</summary>
    [DllImport(LibraryName)]
    [SuppressGCTransition]
    internal static extern IntPtr rd_kafka_topic_name(IntPtr rkt);

    /// <returns>The timestamp in ms, −1 when not available; <paramref name="type"/> is an <c>rd_kafka_timestamp_type_t</c>
    /// (numerically Confluent's <c>TimestampType</c>).</returns>
    [DllImport(LibraryName)]
    [SuppressGCTransition]
    internal static extern long rd_kafka_message_timestamp(IntPtr message, out int type);

    /// <returns>0 with the message's headers (owned by the message), or <see cref="NoEntry"/>.</returns>
    [DllImport(LibraryName)]
    [SuppressGCTransition]
    internal static extern int rd_kafka_message_headers(IntPtr message, out IntPtr headers);

    /// <returns>0, or <see cref="NoEntry"/> past the last header.</returns>
    [DllImport(LibraryName)]
    internal static extern int rd_kafka_header_get_all(IntPtr headers, nuint index, out IntPtr name, out IntPtr value, out nuint size);

    [DllImport(LibraryName)]
    internal static extern IntPtr rd_kafka_err2str(int error);

    [DllImport(LibraryName)]
    internal static extern int rd_kafka_fatal_error(IntPtr rk, [Out] byte[] errstr, nuint errstrSize);
}
