namespace StreamEntropy.Streaming.Drift;

/// <summary>One value of a field and how often the reference saw it.</summary>
/// <param name="Value">The value's text (for a binned field, the bin's text).</param>
/// <param name="Count">The number of events with that value; positive.</param>
public readonly record struct BaselineValue(string Value, long Count);
