namespace StreamEntropy.Streaming.Partials;

/// <summary>The counts of one field: each value's UTF-8 text (binned for numeric fields) and count.</summary>
/// <param name="Name">The field's name.</param>
/// <param name="Missing">Events without the field.</param>
/// <param name="Invalid">Events whose numeric value did not parse.</param>
/// <param name="Values">The distinct values.</param>
/// <param name="Counts">The count of each value, same order.</param>
public sealed record FieldPartial(string Name, long Missing, long Invalid, IReadOnlyList<byte[]> Values, IReadOnlyList<long> Counts);
