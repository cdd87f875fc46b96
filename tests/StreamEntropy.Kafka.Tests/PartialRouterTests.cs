using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using StreamEntropy.Core.Sketches;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Kafka.Tests.Fakes;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Partials;

namespace StreamEntropy.Kafka.Tests;

/// <summary>Where Group mode's partials go: one partials partition per (window, subject), one key per source partition.</summary>
public sealed class PartialRouterTests
{
    private const int Partitions = 5;

    // The current partials of one input partition's engine: one per field and pair of the window "all".
    internal static IReadOnlyList<SubjectPartial> PartialsOf(string topic, int partition, int events)
    {
        EntropyEngine engine = CheckpointStoreTests.FixtureEngine();
        engine.CapturePartials(topic, partition);
        for (int i = 0; i < events; i++)
        {
            engine.Process(Encoding.UTF8.GetBytes($"{{\"country\":\"c{(i + partition) % 5}\",\"status\":{i % 2}}}"), 1_764_000_000_000 + i);
        }

        _ = engine.Snapshot();
        return engine.TakePartials();
    }

    [Fact]
    public void PartitionOf_IsTheStableHashOfGroupWindowAndSubject()
    {
        var router = new PartialRouter("g", "partials", Partitions, NullLogger.Instance);

        foreach ((string window, string subject) in new[] { ("all", "country"), ("all", "status"), ("minute", "country,status") })
        {
            int expected = (int)(StableHash64.Hash(Encoding.UTF8.GetBytes($"g/{window}/{subject}")) % Partitions);
            Assert.Equal(expected, router.PartitionOf(window, subject));
        }
    }

    [Fact]
    public void Send_EveryPartialOfOneSubjectGoesToItsPartition_KeyedBySourceShard()
    {
        var router = new PartialRouter("g", "partials", Partitions, NullLogger.Instance);
        var producer = new FakeProducer();
        IReadOnlyList<SubjectPartial> partials = [.. PartialsOf("events", 0, 40), .. PartialsOf("events", 1, 30)];

        router.Send(producer, partials);

        Assert.Equal(partials.Count, producer.Produced.Count);
        Assert.Equal(6, partials.Count); // two fields and one pair, from two partitions
        for (int i = 0; i < partials.Count; i++)
        {
            SubjectPartial partial = partials[i];
            Produced record = producer.Produced[i];
            Assert.Equal("partials", record.Topic);
            Assert.Equal(router.PartitionOf(partial.Window, partial.Subject), record.Partition.Value);
            Assert.Equal($"g/{partial.Window}/{partial.Subject}/events/{partial.Shard}", record.Message.Key);
            Assert.Equal(partial.Events, PartialCodec.Read(record.Message.Value).Events);
        }

        // Both partitions' partials of a subject meet in one partials partition, under two keys.
        foreach (IGrouping<string, Produced> subject in producer.Produced.GroupBy(r => r.Message.Key![..r.Message.Key!.LastIndexOf("/events/", StringComparison.Ordinal)]))
        {
            Assert.Single(subject.Select(r => r.Partition).Distinct());
            Assert.Equal(2, subject.Select(r => r.Message.Key).Distinct().Count());
        }
    }

    [Fact]
    public void Send_QueueFull_KeepsTheRestForTheNextRound_OldestFirst()
    {
        var router = new PartialRouter("g", "partials", Partitions, NullLogger.Instance);
        var producer = new FakeProducer { Room = 2 };
        IReadOnlyList<SubjectPartial> first = PartialsOf("events", 0, 10);
        IReadOnlyList<SubjectPartial> second = PartialsOf("events", 1, 10);

        router.Send(producer, first);
        Assert.Equal(2, producer.Produced.Count);
        Assert.Equal(first.Count - 2, router.Unsent);

        producer.Room = null;
        router.Send(producer, second);

        Assert.Equal(0, router.Unsent);
        Assert.Equal(
            [.. first.Select(p => $"{p.Window}/{p.Subject}/{p.Shard}"), .. second.Select(p => $"{p.Window}/{p.Subject}/{p.Shard}")],
            producer.Produced.Select(r => r.Message.Key!["g/".Length..].Replace("/events/", "/", StringComparison.Ordinal)));
    }
}
