using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;
using StreamEntropy.Kafka.Broker;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>Polls a Confluent.Kafka consumer's librdkafka queue for many records in one native call
/// (<c>rd_kafka_consume_batch_queue</c>) and copies each record straight into a <see cref="HandoffBatch"/>: no
/// <c>ConsumeResult</c>, <c>Message</c>, topic string or P/Invoke round trip per record, which is what Confluent's
/// per-record <c>Consume</c> costs.</summary>
/// <remarks>
/// <para>The call serves the consumer queue as Confluent's <c>Consume</c> does (the main queue is forwarded to it):
/// rebalance, error, statistics and commit callbacks run on the calling thread, inside the call, through the delegates
/// Confluent registered, so its rebalance handling (the handler, then <c>Assign</c>/<c>Unassign</c>) is unchanged. What
/// differs, and what the caller must handle: a callback runs <em>between</em> records the call has already taken and
/// records it takes after (librdkafka lists this as a known issue of the batch API), so records of one call that saw
/// a rebalance are not in callback order. <see cref="EntropyPipeline"/> therefore asks for one record whenever it waits
/// (callbacks then always come first), and drops the records of a larger call that saw a callback and seeks their
/// partitions back (see the Kafka README, "Batch poll").</para>
/// <para>The <c>rd_kafka_t</c> comes from the consumer's <see cref="IClient.Handle"/>: Confluent keeps it in the
/// internal property <c>Handle.LibrdkafkaHandle</c> (a <see cref="SafeHandle"/>), read here by reflection. If that
/// property is missing (another Confluent version) or the queue cannot be had, <see cref="TryCreate"/> says why and
/// the pipeline keeps Confluent's <c>Consume</c>. The handle's reference count is raised while this object lives, so
/// the client cannot be freed under a call.</para>
/// <para>Consume thread only.</para>
/// </remarks>
internal sealed class BatchPoller : IDisposable
{
    private static readonly int TopicField = (int)Marshal.OffsetOf<NativeMessage>(nameof(NativeMessage.Topic));
    private static readonly int PartitionField = (int)Marshal.OffsetOf<NativeMessage>(nameof(NativeMessage.Partition));
    private static readonly int PayloadField = (int)Marshal.OffsetOf<NativeMessage>(nameof(NativeMessage.Payload));
    private static readonly int LengthField = (int)Marshal.OffsetOf<NativeMessage>(nameof(NativeMessage.Length));
    private static readonly int KeyField = (int)Marshal.OffsetOf<NativeMessage>(nameof(NativeMessage.Key));
    private static readonly int KeyLengthField = (int)Marshal.OffsetOf<NativeMessage>(nameof(NativeMessage.KeyLength));
    private static readonly int OffsetField = (int)Marshal.OffsetOf<NativeMessage>(nameof(NativeMessage.Offset));

    private readonly SafeHandle _client;
    private readonly IntPtr _rk;
    private readonly IntPtr[] _messages;
    private IntPtr _queue;
    private int _held; // messages of the last poll, not yet released
    private IntPtr _lastTopicHandle; // topic handles are valid while a message refers to them: cached per poll only
    private string _lastTopic = "";

    private BatchPoller(SafeHandle client, IntPtr queue, int capacity)
    {
        _client = client;
        _rk = client.DangerousGetHandle();
        _queue = queue;
        _messages = new IntPtr[capacity];
    }

    /// <summary>Binds to <paramref name="consumer"/>'s librdkafka consumer queue.</summary>
    /// <param name="consumer">A consumer built by Confluent.Kafka's <c>ConsumerBuilder</c> with a group id.</param>
    /// <param name="capacity">The most records one poll returns.</param>
    /// <param name="whyNot">Why there is no batch poll, when null is returned.</param>
    /// <returns>The poller, or null: use <c>Consume</c>.</returns>
    public static BatchPoller? TryCreate(IClient consumer, int capacity, out string? whyNot)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        whyNot = null;
        try
        {
            LibrdkafkaMock.EnsureLoaded(); // routes this assembly's librdkafka imports to the copy Confluent loaded
        }
        catch (Exception e) when (e is DllNotFoundException or InvalidOperationException)
        {
            whyNot = $"librdkafka could not be bound: {e.Message}";
            return null;
        }

        // Confluent.Kafka 2.x: public class Handle { internal SafeKafkaHandle LibrdkafkaHandle { get; } }.
        PropertyInfo? property = typeof(Handle).GetProperty("LibrdkafkaHandle", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
        if (property?.GetValue(consumer.Handle) is not SafeHandle client || client.IsInvalid || client.IsClosed)
        {
            whyNot = "this Confluent.Kafka version does not expose the librdkafka handle of a consumer (Handle.LibrdkafkaHandle)";
            return null;
        }

        bool added = false;
        try
        {
            client.DangerousAddRef(ref added);
            IntPtr queue = LibrdkafkaConsume.rd_kafka_queue_get_consumer(client.DangerousGetHandle());
            if (queue == IntPtr.Zero)
            {
                whyNot = "the consumer has no group queue";
                client.DangerousRelease();
                return null;
            }

            return new BatchPoller(client, queue, capacity);
        }
        catch (Exception e) when (e is ObjectDisposedException or EntryPointNotFoundException or DllNotFoundException)
        {
            if (added)
            {
                client.DangerousRelease();
            }

            whyNot = $"librdkafka's consumer queue could not be had: {e.Message}";
            return null;
        }
    }

    /// <summary>Releases the records of the previous poll, then serves callbacks and takes up to
    /// <paramref name="max"/> records, waiting up to <paramref name="timeout"/> for them all.</summary>
    /// <returns>The number of records (and error events) taken: read them with <see cref="ErrorOf"/>,
    /// <see cref="PartitionOf"/>, <see cref="OffsetOf"/> and <see cref="AddTo"/> until <see cref="Release"/>.</returns>
    public int Poll(TimeSpan timeout, int max)
    {
        ObjectDisposedException.ThrowIf(_queue == IntPtr.Zero, this);
        Release();
        int size = Math.Clamp(max, 1, _messages.Length);
        int timeoutMs = (int)Math.Ceiling(Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue));
        nint taken = LibrdkafkaConsume.rd_kafka_consume_batch_queue(_queue, timeoutMs, _messages, (nuint)size);
        _held = taken > 0 ? (int)taken : 0; // −1: an invalid argument, which this class never passes
        _lastTopicHandle = IntPtr.Zero;
        return _held;
    }

    /// <summary>Gets the error code of record <paramref name="i"/> (numerically an <see cref="ErrorCode"/>): 0 for a record.</summary>
    public int ErrorOf(int i) => Marshal.ReadInt32(Message(i));

    /// <summary>Gets the topic of record <paramref name="i"/> (null for an error without one).</summary>
    public string? TopicOf(int i)
    {
        IntPtr rkt = Marshal.ReadIntPtr(Message(i), TopicField);
        if (rkt == IntPtr.Zero)
        {
            return null;
        }

        if (rkt != _lastTopicHandle)
        {
            _lastTopic = Marshal.PtrToStringUTF8(LibrdkafkaConsume.rd_kafka_topic_name(rkt)) ?? "";
            _lastTopicHandle = rkt;
        }

        return _lastTopic;
    }

    /// <summary>Gets the partition of record <paramref name="i"/>.</summary>
    public int PartitionOf(int i) => Marshal.ReadInt32(Message(i), PartitionField);

    /// <summary>Gets the offset of record <paramref name="i"/>.</summary>
    public long OffsetOf(int i) => Marshal.ReadInt64(Message(i), OffsetField);

    /// <summary>Gets the reason of the error event <paramref name="i"/> (its payload, else librdkafka's text for the code).</summary>
    public string ErrorReason(int i)
    {
        IntPtr message = Message(i);
        int error = Marshal.ReadInt32(message);
        if (error == LibrdkafkaConsume.Fatal)
        {
            byte[] text = new byte[512];
            int fatal = LibrdkafkaConsume.rd_kafka_fatal_error(_rk, text, (nuint)text.Length);
            return $"{(ErrorCode)fatal}: {Encoding.UTF8.GetString(text, 0, Math.Max(0, Array.IndexOf(text, (byte)0)))}";
        }

        IntPtr payload = Marshal.ReadIntPtr(message, PayloadField);
        long length = (long)(nuint)Marshal.ReadIntPtr(message, LengthField);
        return payload != IntPtr.Zero && length is > 0 and < 4096
            ? Marshal.PtrToStringUTF8(payload, (int)length)
            : Marshal.PtrToStringUTF8(LibrdkafkaConsume.rd_kafka_err2str(error)) ?? error.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Copies record <paramref name="i"/> (key, value, timestamp) into <paramref name="batch"/>, as
    /// <see cref="ArenaDeserializer"/> and <c>Consume</c> would have delivered it, and hands the batch its message:
    /// the batch reads its headers only for a dead letter and destroys it when reset. Record <paramref name="i"/> is
    /// then no longer this poller's to read or release.</summary>
    /// <param name="i">The record (its <see cref="ErrorOf"/> is 0).</param>
    /// <param name="batch">The batch being filled.</param>
    /// <param name="useEventTime">Count it at its Kafka timestamp when it has one (else at <paramref name="nowMs"/>).</param>
    /// <param name="nowMs">The clock's time of the poll.</param>
    public void AddTo(int i, HandoffBatch batch, bool useEventTime, long nowMs)
    {
        IntPtr message = Message(i);
        PayloadSlice key = batch.Append(Marshal.ReadIntPtr(message, KeyField), checked((int)(nuint)Marshal.ReadIntPtr(message, KeyLengthField)));
        PayloadSlice value = batch.Append(Marshal.ReadIntPtr(message, PayloadField), checked((int)(nuint)Marshal.ReadIntPtr(message, LengthField)));
        long unixMs = LibrdkafkaConsume.rd_kafka_message_timestamp(message, out int type);
        var timestamp = new Timestamp(unixMs, (TimestampType)type);
        long countAt = useEventTime && timestamp.Type != TimestampType.NotAvailable ? unixMs : nowMs;
        batch.Add(TopicOf(i)!, new Partition(PartitionOf(i)), OffsetOf(i), countAt, timestamp, key, value, message);
        _messages[i] = IntPtr.Zero; // the batch's now
    }

    /// <summary>Frees the records of the last poll that no batch took over (librdkafka's buffers go with the last
    /// message that refers to them).</summary>
    public void Release()
    {
        for (int i = 0; i < _held; i++)
        {
            if (_messages[i] != IntPtr.Zero)
            {
                LibrdkafkaConsume.rd_kafka_message_destroy(_messages[i]);
                _messages[i] = IntPtr.Zero;
            }
        }

        _held = 0;
    }

    public void Dispose()
    {
        if (_queue == IntPtr.Zero)
        {
            return;
        }

        Release();
        LibrdkafkaConsume.rd_kafka_queue_destroy(_queue);
        _queue = IntPtr.Zero;
        _client.DangerousRelease();
    }

    /// <summary>The headers of a live librdkafka message as Confluent delivers them (null when the record has none).</summary>
    internal static Headers? HeadersOf(IntPtr message)
    {
        if (LibrdkafkaConsume.rd_kafka_message_headers(message, out IntPtr native) != 0)
        {
            return null;
        }

        var headers = new Headers();
        for (nuint n = 0; LibrdkafkaConsume.rd_kafka_header_get_all(native, n, out IntPtr name, out IntPtr value, out nuint size) == 0; n++)
        {
            byte[]? bytes = null;
            if (value != IntPtr.Zero)
            {
                bytes = new byte[checked((int)size)];
                Marshal.Copy(value, bytes, 0, bytes.Length);
            }

            headers.Add(Marshal.PtrToStringUTF8(name) ?? "", bytes);
        }

        return headers;
    }

    private IntPtr Message(int i)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)i, (uint)_held, nameof(i));
        IntPtr message = _messages[i];
        return message != IntPtr.Zero ? message : throw new InvalidOperationException($"record {i} of the poll was handed to a batch");
    }
}
