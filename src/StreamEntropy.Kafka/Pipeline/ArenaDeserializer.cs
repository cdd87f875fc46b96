using Confluent.Kafka;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>Deserializes a record's key or value by copying it from librdkafka's buffer into the arena of the batch
/// the consume thread is filling: one copy into a pooled buffer instead of a <c>byte[]</c> per record.</summary>
/// <param name="handoff">The hand-off whose <see cref="Handoff.Filling"/> batch receives the bytes.</param>
/// <remarks>Confluent calls it on the thread that consumes, after the poll returned the record (so after any rebalance
/// callback of that poll swapped the batch being filled).</remarks>
internal sealed class ArenaDeserializer(Handoff handoff) : IDeserializer<PayloadSlice>
{
    public PayloadSlice Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
        isNull ? PayloadSlice.Null : handoff.Filling.Append(data);
}
