using System.Text.Json;
using Confluent.Kafka;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>Reads the consumer lag per partition out of librdkafka's statistics JSON.</summary>
internal static class ConsumerStatistics
{
    /// <summary>Returns consumer_lag for each assigned partition that reports one (−1, "unknown", is left out).</summary>
    public static IReadOnlyDictionary<(string Topic, int Partition), long> ParseLag(string json, IReadOnlySet<TopicPartition> assigned)
    {
        var lag = new Dictionary<(string, int), long>();
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (!doc.RootElement.TryGetProperty("topics", out JsonElement topics) || topics.ValueKind != JsonValueKind.Object)
            {
                return lag;
            }

            foreach (JsonProperty topic in topics.EnumerateObject())
            {
                if (!topic.Value.TryGetProperty("partitions", out JsonElement partitions) || partitions.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                foreach (JsonProperty partition in partitions.EnumerateObject())
                {
                    if (int.TryParse(partition.Name, out int p) && p >= 0
                        && assigned.Contains(new TopicPartition(topic.Name, new Partition(p)))
                        && partition.Value.TryGetProperty("consumer_lag", out JsonElement value)
                        && value.TryGetInt64(out long l) && l >= 0)
                    {
                        lag[(topic.Name, p)] = l;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Statistics are advisory: a malformed document leaves the lag unknown until the next one.
        }

        return lag;
    }

    /// <summary>Tells whether any real broker (node id ≥ 0) is in state UP; null when the document says nothing.</summary>
    public static bool? AnyBrokerUp(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (!doc.RootElement.TryGetProperty("brokers", out JsonElement brokers) || brokers.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            bool any = false;
            foreach (JsonProperty broker in brokers.EnumerateObject())
            {
                if (broker.Value.TryGetProperty("nodeid", out JsonElement id) && id.TryGetInt32(out int nodeId) && nodeId >= 0)
                {
                    any = true;
                    if (broker.Value.TryGetProperty("state", out JsonElement state) && state.GetString() == "UP")
                    {
                        return true;
                    }
                }
            }

            return any ? false : null;
        }
        catch (JsonException)
        {
            return null; // advisory, as above
        }
    }
}
