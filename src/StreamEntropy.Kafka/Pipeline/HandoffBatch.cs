using System.Buffers;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Engine;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>Consecutive records handed from the consume thread to the counting thread: their keys and values copied
/// back to back into one pooled arena, and per record its partition, offset, timestamps and headers (or, from the batch
/// poll, its librdkafka message to read them from).</summary>
/// <remarks>
/// <para>Filled by the consume thread only (<see cref="Append(ReadOnlySpan{byte})"/> from the <see cref="ArenaDeserializer"/>, or <see cref="Append(IntPtr, int)"/> from the
/// <see cref="BatchPoller"/>, then <see cref="Add(ConsumeResult{PayloadSlice, PayloadSlice}, long)"/>), read by the counting thread only once handed off, and reused after <see cref="Reset"/>. The raw
/// bytes live until the batch is counted: long enough to dead-letter a rejected event (<see cref="ToResult"/>).</para>
/// <para>A record from the batch poll also keeps its librdkafka message until <see cref="Reset"/> destroys it, and its
/// headers are read from that message only when <see cref="ToResult"/> asks for them, that is for a dead letter:
/// librdkafka parses a record's headers at every request, even for a record without any (it allocates a buffer, reads
/// the count 0 and frees it again), which cost the consume thread about 70–100 ns a record. Every batch holding such
/// messages must therefore be reset or disposed before the consumer they came from is destroyed
/// (<see cref="Handoff.Dispose"/> does it for all of its batches).</para>
/// </remarks>
internal sealed class HandoffBatch : IDisposable
{
    private readonly int _maxEvents;
    private readonly int _maxBytes;
    private readonly Entry[] _entries;
    private readonly int[] _starts; // a run's values for EntropyEngine.ProcessMany (see CountRun)
    private readonly int[] _lengths;
    private readonly long[] _times;
    private readonly IntPtr[] _messages; // per record from the batch poll: its librdkafka message, destroyed by Reset
    private byte[] _arena;
    private int _used;

    /// <param name="maxEvents">The number of records after which <see cref="IsFull"/>.</param>
    /// <param name="maxBytes">The arena bytes after which <see cref="IsFull"/> (a larger record still fits: the arena grows).</param>
    public HandoffBatch(int maxEvents, int maxBytes)
    {
        _maxEvents = maxEvents;
        _maxBytes = maxBytes;
        _entries = new Entry[maxEvents];
        _starts = new int[maxEvents];
        _lengths = new int[maxEvents];
        _times = new long[maxEvents];
        _messages = new IntPtr[maxEvents];
        _arena = ArrayPool<byte>.Shared.Rent(maxBytes);
    }

    /// <summary>Gets the number of records.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the bytes of keys and values held.</summary>
    public int Bytes => _used;

    /// <summary>Gets a value indicating whether the batch should be handed off now.</summary>
    public bool IsFull => Count >= _maxEvents || _used >= _maxBytes;

    /// <summary>Copies <paramref name="data"/> to the end of the arena (growing it if needed).</summary>
    /// <returns>Where it lies.</returns>
    public PayloadSlice Append(ReadOnlySpan<byte> data)
    {
        EnsureRoom(data.Length);
        data.CopyTo(_arena.AsSpan(_used));
        var slice = new PayloadSlice(_used, data.Length);
        _used += data.Length;
        return slice;
    }

    /// <summary>Copies <paramref name="length"/> bytes at <paramref name="data"/> (librdkafka's buffer, which the batch
    /// poll reads) to the end of the arena; a null pointer is a null key or value.</summary>
    /// <returns>Where it lies.</returns>
    public PayloadSlice Append(IntPtr data, int length)
    {
        if (data == IntPtr.Zero)
        {
            return PayloadSlice.Null;
        }

        EnsureRoom(length);
        Marshal.Copy(data, _arena, _used, length);
        var slice = new PayloadSlice(_used, length);
        _used += length;
        return slice;
    }

    /// <summary>Adds a consumed record whose key and value <see cref="Append(ReadOnlySpan{byte})"/> has copied.</summary>
    /// <param name="result">The record.</param>
    /// <param name="timestampMs">The time to count it at (its Kafka timestamp or the clock's when it was polled).</param>
    public void Add(ConsumeResult<PayloadSlice, PayloadSlice> result, long timestampMs)
    {
        Message<PayloadSlice, PayloadSlice> message = result.Message;
        Add(result.Topic, result.Partition, result.Offset.Value, timestampMs, message.Timestamp, message.Key, message.Value, message.Headers, IntPtr.Zero);
    }

    /// <summary>Adds a record whose key and value <see cref="Append(IntPtr, int)"/> has copied (the batch poll), taking
    /// over its librdkafka message (or <see cref="IntPtr.Zero"/>: a record without headers): the batch reads the
    /// headers from it only in <see cref="ToResult"/> and destroys it in <see cref="Reset"/>.</summary>
    public void Add(string topic, Partition partition, long offset, long timestampMs, Timestamp timestamp, PayloadSlice key, PayloadSlice value, IntPtr message) =>
        Add(topic, partition, offset, timestampMs, timestamp, key, value, headers: null, message);

    private void Add(string topic, Partition partition, long offset, long timestampMs, Timestamp timestamp, PayloadSlice key, PayloadSlice value, Headers? headers, IntPtr message)
    {
        // One TopicPartition per run of records of one partition, not one per record.
        TopicPartition topicPartition = Count > 0 && _entries[Count - 1].Partition is { } last
            && last.Partition == partition && string.Equals(last.Topic, topic, StringComparison.Ordinal)
            ? last
            : new TopicPartition(topic, partition);
        _messages[Count] = message;
        _entries[Count++] = new Entry(topicPartition, offset, timestampMs, timestamp, key, value, headers);
    }

    /// <summary>Gets the partition of record <paramref name="i"/>.</summary>
    public TopicPartition Partition(int i) => _entries[i].Partition;

    /// <summary>Gets the offset of record <paramref name="i"/>.</summary>
    public long Offset(int i) => _entries[i].Offset;

    /// <summary>Gets the time to count record <paramref name="i"/> at.</summary>
    public long TimestampMs(int i) => _entries[i].TimestampMs;

    /// <summary>Gets a value indicating whether record <paramref name="i"/> has no value (a tombstone).</summary>
    public bool IsTombstone(int i) => _entries[i].Value.IsNull;

    /// <summary>Gets the value of record <paramref name="i"/> (empty for a tombstone).</summary>
    public ReadOnlySpan<byte> Value(int i) => Span(_entries[i].Value);

    /// <summary>Gets the end of the run of records of one partition that starts at record <paramref name="from"/>: the
    /// records share one <see cref="TopicPartition"/> object (see <see cref="Add(string, Partition, long, long, Timestamp, PayloadSlice, PayloadSlice, IntPtr)"/>).</summary>
    public int RunEnd(int from)
    {
        TopicPartition partition = _entries[from].Partition;
        int end = from + 1;
        while (end < Count && ReferenceEquals(_entries[end].Partition, partition))
        {
            end++;
        }

        return end;
    }

    /// <summary>Counts the values of records <paramref name="from"/> .. <paramref name="to"/> − 1 in
    /// <paramref name="engine"/> with one <see cref="EntropyEngine.ProcessMany"/>, straight from the arena (a
    /// tombstone is an empty event, rejected as by <see cref="EntropyEngine.Process"/>).</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="from">The first record.</param>
    /// <param name="to">The end of the records.</param>
    /// <param name="results">Gets each record's result, from index 0.</param>
    /// <param name="details">Gets each rejected record's error detail, from index 0.</param>
    public void CountRun(EntropyEngine engine, int from, int to, Span<DecodeError> results, Span<string?> details)
    {
        int n = to - from;
        for (int i = 0; i < n; i++)
        {
            Entry e = _entries[from + i];
            _starts[i] = e.Value.IsNull ? 0 : e.Value.Start;
            _lengths[i] = e.Value.IsNull ? 0 : e.Value.Length;
            _times[i] = e.TimestampMs;
        }

        engine.ProcessMany(_arena.AsSpan(0, _used), _starts.AsSpan(0, n), _lengths.AsSpan(0, n), _times.AsSpan(0, n), results, details);
    }

    /// <summary>Copies record <paramref name="i"/> out of the arena as Confluent would have delivered it (for a dead letter).</summary>
    public ConsumeResult<byte[]?, byte[]?> ToResult(int i)
    {
        Entry e = _entries[i];
        return new ConsumeResult<byte[]?, byte[]?>
        {
            TopicPartitionOffset = new TopicPartitionOffset(e.Partition, new Offset(e.Offset)),
            Message = new Message<byte[]?, byte[]?>
            {
                Key = e.Key.IsNull ? null : Span(e.Key).ToArray(),
                Value = e.Value.IsNull ? null : Span(e.Value).ToArray(),
                Headers = _messages[i] != IntPtr.Zero ? BatchPoller.HeadersOf(_messages[i]) : e.Headers,
                Timestamp = e.Timestamp,
            },
        };
    }

    /// <summary>Empties the batch for reuse (the arena is kept), destroying the librdkafka messages it took over.</summary>
    public void Reset()
    {
        for (int i = 0; i < Count; i++)
        {
            if (_messages[i] != IntPtr.Zero)
            {
                LibrdkafkaConsume.rd_kafka_message_destroy(_messages[i]);
                _messages[i] = IntPtr.Zero;
            }
        }

        Array.Clear(_entries, 0, Count); // no references to headers or partitions kept alive
        Count = 0;
        _used = 0;
    }

    public void Dispose()
    {
        Reset();
        ArrayPool<byte>.Shared.Return(_arena);
        _arena = [];
    }

    private void EnsureRoom(int length)
    {
        if (_arena.Length - _used < length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(_arena.Length * 2, _used + length));
            _arena.AsSpan(0, _used).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_arena);
            _arena = larger;
        }
    }

    private ReadOnlySpan<byte> Span(PayloadSlice slice) => slice.IsNull ? [] : _arena.AsSpan(slice.Start, slice.Length);

    private readonly record struct Entry(TopicPartition Partition, long Offset, long TimestampMs, Timestamp Timestamp, PayloadSlice Key, PayloadSlice Value, Headers? Headers);
}
