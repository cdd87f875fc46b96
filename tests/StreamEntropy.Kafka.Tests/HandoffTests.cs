using System.Text;
using Confluent.Kafka;
using StreamEntropy.Kafka.Pipeline;

namespace StreamEntropy.Kafka.Tests;

/// <summary>The hand-off between the consume thread and the counting thread: order, actions behind the records handed
/// off before them, back-pressure, failures, and the batch arena.</summary>
public sealed class HandoffTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    // What the ArenaDeserializer and the consume loop do with one record.
    private static void Add(Handoff handoff, string topic, int partition, long offset, string? key, string? value, Headers? headers = null)
    {
        var arena = new ArenaDeserializer(handoff);
        var result = new ConsumeResult<PayloadSlice, PayloadSlice>
        {
            TopicPartitionOffset = new TopicPartitionOffset(topic, new Partition(partition), new Offset(offset)),
            Message = new Message<PayloadSlice, PayloadSlice>
            {
                Key = arena.Deserialize(key is null ? [] : Encoding.UTF8.GetBytes(key), key is null, SerializationContext.Empty),
                Value = arena.Deserialize(value is null ? [] : Encoding.UTF8.GetBytes(value), value is null, SerializationContext.Empty),
                Headers = headers ?? [],
                Timestamp = new Timestamp(1_764_000_000_000 + offset, TimestampType.CreateTime),
            },
        };
        handoff.Filling.Add(result, 1_764_000_000_000 + offset);
    }

    // The counting side, on its own thread: the offsets of every record taken, in order.
    private static (Thread Counter, List<long> Seen) StartCounter(Handoff handoff)
    {
        var seen = new List<long>();
        var counter = new Thread(() => Count(handoff, seen));
        counter.Start();
        return (counter, seen);
    }

    private static void Count(Handoff handoff, List<long> seen)
    {
        while (handoff.Take(TimeSpan.FromMilliseconds(10), out HandoffBatch? batch))
        {
            if (batch is not null)
            {
                lock (seen)
                {
                    for (int i = 0; i < batch.Count; i++)
                    {
                        seen.Add(batch.Offset(i));
                    }
                }

                handoff.Return(batch);
            }
        }
    }

    private static int CountOf(List<long> seen)
    {
        lock (seen)
        {
            return seen.Count;
        }
    }

    [Fact]
    public void Batch_KeepsKeysValuesTombstonesAndHeaders_AsConsumed()
    {
        using var handoff = new Handoff(capacity: 2, maxEvents: 16, maxBytes: 8);
        var headers = new Headers { { "trace", [1, 2, 3] } };
        Add(handoff, "events", 3, 41, "k1", """{"country":"de"}""", headers);
        Add(handoff, "events", 3, 42, null, null);
        Add(handoff, "other", 0, 7, "", "x");

        HandoffBatch batch = handoff.Filling;
        Assert.Equal(3, batch.Count);
        Assert.True(batch.IsFull); // past 8 bytes: the arena grew to hold them all
        Assert.Equal("""{"country":"de"}""", Encoding.UTF8.GetString(batch.Value(0)));
        Assert.Same(batch.Partition(0), batch.Partition(1)); // one TopicPartition per run of a partition
        Assert.Equal(new TopicPartition("other", new Partition(0)), batch.Partition(2));
        Assert.True(batch.IsTombstone(1));
        Assert.True(batch.Value(1).IsEmpty);
        Assert.Equal(1_764_000_000_042, batch.TimestampMs(1));

        ConsumeResult<byte[]?, byte[]?> first = batch.ToResult(0);
        Assert.Equal("k1", Encoding.UTF8.GetString(first.Message.Key!));
        Assert.Equal("""{"country":"de"}""", Encoding.UTF8.GetString(first.Message.Value!));
        Assert.Equal([1, 2, 3], first.Message.Headers.GetLastBytes("trace"));
        Assert.Equal(new TopicPartitionOffset("events", new Partition(3), new Offset(41)), first.TopicPartitionOffset);
        Assert.Equal(1_764_000_000_041, first.Message.Timestamp.UnixTimestampMs);

        ConsumeResult<byte[]?, byte[]?> tombstone = batch.ToResult(1);
        Assert.Null(tombstone.Message.Key);
        Assert.Null(tombstone.Message.Value);
        Assert.Equal([], batch.ToResult(2).Message.Key!); // an empty key is not a null key
    }

    [Fact]
    public void Invoke_RunsBehindEveryRecordHandedOffBefore_OnTheCountingThread()
    {
        using var handoff = new Handoff(capacity: 2, maxEvents: 4, maxBytes: 1024);
        (Thread counter, List<long> seen) = StartCounter(handoff);
        for (long offset = 0; offset < 50; offset++)
        {
            Add(handoff, "events", 0, offset, null, "{}");
            if (handoff.Filling.IsFull)
            {
                handoff.Send();
            }
        }

        // The last two records are still being filled: Invoke hands them off first.
        (int Seen, int Thread) atAction = handoff.Invoke(() => (CountOf(seen), Environment.CurrentManagedThreadId));
        handoff.Complete();
        Assert.True(counter.Join(Wait));

        Assert.Equal(50, atAction.Seen);
        Assert.Equal(counter.ManagedThreadId, atAction.Thread);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), seen);
    }

    [Fact]
    public async Task Send_QueueFull_WaitsUntilTheCounterTakesABatch()
    {
        using var handoff = new Handoff(capacity: 2, maxEvents: 1, maxBytes: 1024);
        for (long offset = 0; offset < 2; offset++)
        {
            Add(handoff, "events", 0, offset, null, "{}");
            handoff.Send();
        }

        Add(handoff, "events", 0, 2, null, "{}");
        Task third = Task.Run(handoff.Send);
        DateTime deadline = DateTime.UtcNow + Wait;
        while (!handoff.SenderWaiting && DateTime.UtcNow < deadline)
        {
            Thread.Yield();
        }

        Assert.True(handoff.SenderWaiting);
        Assert.False(third.IsCompleted);

        Assert.True(handoff.Take(TimeSpan.Zero, out HandoffBatch? batch));
        Assert.Equal(0, batch!.Offset(0));
        handoff.Return(batch);
        await third.WaitAsync(Wait);
        Assert.Equal(1, handoff.SenderWaits);

        Assert.True(handoff.Take(TimeSpan.Zero, out batch));
        Assert.Equal(1, batch!.Offset(0));
        Assert.True(handoff.Take(TimeSpan.Zero, out batch));
        Assert.Equal(2, batch!.Offset(0));
    }

    [Fact]
    public void Return_LeavesTheBatchAsCounted_UntilTheConsumeSideTakesItUpOrIsIdle()
    {
        using var handoff = new Handoff(capacity: 4, maxEvents: 4, maxBytes: 1024);
        HandoffBatch first = handoff.Filling;
        Add(handoff, "events", 0, 0, "k", "{}");
        handoff.Send();
        Assert.True(handoff.Take(TimeSpan.Zero, out HandoffBatch? taken));
        Assert.Same(first, taken);

        handoff.Return(taken!); // the counting side: nothing of the batch is freed on this thread
        Assert.Equal(1, first.Count);
        Assert.Equal("{}", Encoding.UTF8.GetString(first.Value(0)));

        handoff.ResetReturned(); // the consume side, before its next poll
        Assert.Equal(0, first.Count);
        Assert.Equal(0, first.Bytes);

        Add(handoff, "events", 0, 1, "k", "{}");
        handoff.Send();
        Assert.True(handoff.Take(TimeSpan.Zero, out taken));
        handoff.Return(taken!);
        Assert.Equal(1, taken!.Count);
        Add(handoff, "events", 0, 2, "k", "{}");
        handoff.Send(); // takes the returned batch up again as the one to fill: reset on the way
        Assert.Same(taken, handoff.Filling);
        Assert.Equal(0, taken.Count);
        Assert.True(handoff.Take(TimeSpan.Zero, out HandoffBatch? third));
        Assert.Same(first, third);
        Assert.Equal(2, third!.Offset(0));
    }

    [Fact]
    public async Task Fail_IsRethrownOnTheConsumeSide_WithItsType()
    {
        using var handoff = new Handoff(capacity: 1, maxEvents: 1, maxBytes: 1024);
        Add(handoff, "events", 0, 0, null, "{}");
        handoff.Send();
        Add(handoff, "events", 0, 1, null, "{}");
        Task blocked = Task.Run(handoff.Send); // the queue is full and nobody counts

        handoff.Fail(new SimulatedCrashException());

        Assert.True(handoff.Faulted);
        await Assert.ThrowsAsync<SimulatedCrashException>(() => blocked.WaitAsync(Wait));
        Assert.Throws<SimulatedCrashException>(handoff.ThrowIfFaulted);
        Assert.Throws<SimulatedCrashException>(() => handoff.Invoke(() => true));
    }

    [Fact]
    public void Invoke_ActionThrows_RethrownToTheCaller_CountingGoesOn()
    {
        using var handoff = new Handoff(capacity: 2, maxEvents: 4, maxBytes: 1024);
        (Thread counter, List<long> seen) = StartCounter(handoff);

        Assert.Throws<InvalidDataException>(() => handoff.Invoke<bool>(() => throw new InvalidDataException("unusable state")));
        Add(handoff, "events", 0, 9, null, "{}");
        int counted = handoff.Invoke(() => CountOf(seen));
        handoff.Complete();
        Assert.True(counter.Join(Wait));

        Assert.False(handoff.Faulted);
        Assert.Equal(1, counted);
    }

    [Fact]
    public void Abort_DropsWhatIsQueued_AndEndsTheCounter()
    {
        using var handoff = new Handoff(capacity: 4, maxEvents: 1, maxBytes: 1024);
        Add(handoff, "events", 0, 0, null, "{}");
        handoff.Send();

        handoff.Abort();

        Assert.False(handoff.Take(TimeSpan.Zero, out HandoffBatch? batch));
        Assert.Null(batch);
        Assert.Throws<ObjectDisposedException>(() => handoff.Invoke(() => true));
    }
}
