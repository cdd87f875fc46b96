namespace StreamEntropy.Kafka.Pipeline;

/// <summary>Where a record's key or value lies in the arena of the <see cref="HandoffBatch"/> being filled when it was
/// consumed; <see cref="Length"/> −1 for a null key or value (a tombstone).</summary>
/// <param name="Start">The first byte in the arena.</param>
/// <param name="Length">The number of bytes, or −1 for null.</param>
internal readonly record struct PayloadSlice(int Start, int Length)
{
    /// <summary>Gets the slice of a null key or value.</summary>
    public static PayloadSlice Null { get; } = new(0, -1);

    /// <summary>Gets a value indicating whether the key or value was null.</summary>
    public bool IsNull => Length < 0;
}
