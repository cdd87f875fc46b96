using Confluent.Kafka;

namespace StreamEntropy.Kafka.Tests.Fakes;

/// <summary>A record given to <see cref="FakeProducer"/>.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition asked for, or <see cref="Partition.Any"/>.</param>
/// <param name="Message">The record.</param>
internal sealed record Produced(string Topic, Partition Partition, Message<string?, byte[]> Message);
