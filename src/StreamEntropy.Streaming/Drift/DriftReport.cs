namespace StreamEntropy.Streaming.Drift;

/// <summary>The drift scores of one closed window against its reference.</summary>
/// <param name="Window">The window's name.</param>
/// <param name="TimestampMs">The time the scores describe (the window's end), Unix milliseconds.</param>
/// <param name="Events">The events in the window.</param>
/// <param name="Fields">One entry per field, in schema order; a field with a MaxDistinct budget is scored exactly while
/// within it on both sides, else as brackets (<see cref="FieldDrift.Bounds"/>), and left out when the reference holds
/// none of its values.</param>
/// <param name="Pairs">One entry per pair, in schema order, except pairs with a MaxDistinct budget (not scored).</param>
public sealed record DriftReport(string Window, long TimestampMs, long Events, IReadOnlyList<FieldDrift> Fields, IReadOnlyList<PairDrift> Pairs);
