using Confluent.Kafka;

namespace StreamEntropy.IntegrationTests.Infrastructure;

/// <summary>Confluent clients configured the same way for every integration test, and bounded consume loops.</summary>
internal static class TestClients
{
    /// <summary>Upper bound for any wait on the broker in a test; the mock answers in well under a second.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>An idempotent producer: per-partition order is guaranteed even across retries.</summary>
    public static IProducer<string, string> Producer(string bootstrapServers) =>
        new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            MessageTimeoutMs = (int)Deadline.TotalMilliseconds,
        }).Build();

    /// <summary>A group consumer reading from the beginning; SessionTimeoutMs 6000, so a member that rejoins after a crash waits seconds, not the default 45 s.</summary>
    public static IConsumer<string, string> Consumer(string bootstrapServers, string groupId) =>
        new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = groupId,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            SessionTimeoutMs = 6000,
            EnableAutoCommit = false,
        }).Build();

    /// <summary>Consumes until <paramref name="count"/> messages arrived, then a short quiet period proves nothing extra follows.</summary>
    /// <exception cref="TimeoutException">Fewer than <paramref name="count"/> messages arrived within <see cref="Deadline"/>.</exception>
    public static List<ConsumeResult<string, string>> ConsumeExactly(IConsumer<string, string> consumer, int count)
    {
        var results = new List<ConsumeResult<string, string>>(count);
        DateTime deadline = DateTime.UtcNow + Deadline;
        while (results.Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Consumed {results.Count} of {count} messages within {Deadline}.");
            }

            ConsumeResult<string, string>? result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is { IsPartitionEOF: false })
            {
                results.Add(result);
            }
        }

        // Anything beyond the expected count is a duplicate or a stray: catch it here.
        ConsumeResult<string, string>? extra = consumer.Consume(TimeSpan.FromMilliseconds(300));
        if (extra is { IsPartitionEOF: false })
        {
            results.Add(extra);
        }

        return results;
    }

    /// <summary>Groups consumed messages by partition, in consumption order.</summary>
    public static Dictionary<int, List<(long Offset, string Key, string Value)>> ByPartition(IEnumerable<ConsumeResult<string, string>> results) =>
        results.GroupBy(r => r.Partition.Value)
            .ToDictionary(g => g.Key, g => g.Select(r => (r.Offset.Value, r.Message.Key, r.Message.Value)).ToList());

    /// <summary>Groups delivery reports by partition, in offset order.</summary>
    public static Dictionary<int, List<(long Offset, string Key, string Value)>> ByPartition(IEnumerable<DeliveryResult<string, string>> reports) =>
        reports.GroupBy(r => r.Partition.Value)
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.Offset.Value).Select(r => (r.Offset.Value, r.Message.Key, r.Message.Value)).ToList());
}
