using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Partials;

/// <summary>The counts of one field or one pair in one window (for a sliding window: one pane) of one input partition: the unit that instances of a
/// consumer group exchange so that the owner of a (window, field or pair) can merge every partition's counts.</summary>
/// <remarks>Counts, unlike entropies, add up: the merge of the latest partial of every partition equals the counts of
/// one instance that read them all. A partial is a whole state, never a delta, so reading one twice changes
/// nothing. Exactly one of <see cref="Field"/> and <see cref="Pair"/> is set.</remarks>
/// <param name="SourceTopic">The input topic the counts come from.</param>
/// <param name="SourcePartition">The input partition the counts come from.</param>
/// <param name="Window">The window's name.</param>
/// <param name="Kind">The window's kind (cumulative, tumbling, or sliding for a pane).</param>
/// <param name="Start">The window's (pane's) first millisecond; null for cumulative windows.</param>
/// <param name="End">The window's (pane's) end, exclusive, or the partition's watermark for cumulative windows.</param>
/// <param name="Closed">True when the partition's watermark has passed the window's end.</param>
/// <param name="Events">The events of the partition counted in the window.</param>
/// <param name="Late">The events of the partition the window dropped as too old.</param>
/// <param name="Field">The field's counts, or null for a pair.</param>
/// <param name="Pair">The pair's counts, or null for a field.</param>
public sealed record SubjectPartial(
    string SourceTopic,
    int SourcePartition,
    string Window,
    WindowKind Kind,
    DateTimeOffset? Start,
    DateTimeOffset End,
    bool Closed,
    long Events,
    long Late,
    FieldPartial? Field,
    PairPartial? Pair)
{
    /// <summary>Gets the field's name or the pair's key (<c>x,y</c>).</summary>
    public string Subject => Field?.Name ?? Pair!.Key;
}
