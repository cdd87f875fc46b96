namespace StreamEntropy.Streaming.Drift;

/// <summary>One (x, y) combination of a pair of fields and how often the reference saw it.</summary>
/// <param name="X">The text of the first field's value.</param>
/// <param name="Y">The text of the second field's value.</param>
/// <param name="Count">The number of events with both values; positive.</param>
public readonly record struct BaselinePairValue(string X, string Y, long Count);
