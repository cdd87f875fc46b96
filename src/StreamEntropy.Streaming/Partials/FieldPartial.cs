namespace StreamEntropy.Streaming.Partials;

/// <summary>The counts of one field: each value's UTF-8 text (binned for numeric fields) and count, or, for a field
/// with a <c>MaxDistinct</c> budget, its bounded counts (exact by value hash, or a bounded summary) serialised.</summary>
/// <param name="Name">The field's name.</param>
/// <param name="Missing">Events without the field.</param>
/// <param name="Invalid">Events whose numeric value did not parse.</param>
/// <param name="Values">The distinct values (empty for a bounded field).</param>
/// <param name="Counts">The count of each value, same order.</param>
public sealed record FieldPartial(string Name, long Missing, long Invalid, IReadOnlyList<byte[]> Values, IReadOnlyList<long> Counts)
{
    /// <summary>Gets the field's budget of distinct values; 0 for exact counts by value.</summary>
    public int MaxDistinct { get; init; }

    /// <summary>Gets the serialised bounded counts when <see cref="MaxDistinct"/> is set; else null.</summary>
    public byte[]? Summary { get; init; }
}
