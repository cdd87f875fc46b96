using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Partials;

/// <summary>The counts of one field or one pair in one window (for a sliding window: one pane) of one shard of a source:
/// the unit that engines exchange so that the owner of a (window, field or pair) can merge every shard's counts.</summary>
/// <remarks>Counts, unlike entropies, add up: the merge of the latest partial of every shard equals the counts of
/// one engine that read them all. A partial is a whole state, never a delta, so reading one twice changes
/// nothing. Exactly one of <see cref="Field"/> and <see cref="Pair"/> is set.</remarks>
/// <param name="Source">The input stream the counts come from (for the Kafka worker, the topic).</param>
/// <param name="Shard">The shard of <paramref name="Source"/> the counts come from (for the Kafka worker, the partition).</param>
/// <param name="Window">The window's name.</param>
/// <param name="Kind">The window's kind (cumulative, tumbling, or sliding for a pane).</param>
/// <param name="Start">The window's (pane's) first millisecond; null for cumulative windows.</param>
/// <param name="End">The window's (pane's) end, exclusive, or the shard's watermark for cumulative windows.</param>
/// <param name="Closed">True when the shard's watermark has passed the window's end.</param>
/// <param name="Events">The events of the shard counted in the window.</param>
/// <param name="Late">The events of the shard the window dropped as too old.</param>
/// <param name="Field">The field's counts, or null for a pair.</param>
/// <param name="Pair">The pair's counts, or null for a field.</param>
public sealed record SubjectPartial(
    string Source,
    int Shard,
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
