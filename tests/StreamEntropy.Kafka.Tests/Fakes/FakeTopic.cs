using Confluent.Kafka;

namespace StreamEntropy.Kafka.Tests.Fakes;

/// <summary>The log of a topic, partition by partition, as a broker holds it (offsets from 0, no compaction).</summary>
internal sealed class FakeTopic(string name, int partitions)
{
    private readonly List<Message<string?, byte[]>>[] _partitions = [.. Enumerable.Range(0, partitions).Select(_ => new List<Message<string?, byte[]>>())];

    public string Name { get; } = name;

    public int Partitions => _partitions.Length;

    /// <summary>Appends a record (a null value is a tombstone).</summary>
    public void Append(int partition, string key, byte[]? value) =>
        _partitions[partition].Add(new Message<string?, byte[]> { Key = key, Value = value! });

    public IReadOnlyList<Message<string?, byte[]>> Log(int partition) => _partitions[partition];
}
