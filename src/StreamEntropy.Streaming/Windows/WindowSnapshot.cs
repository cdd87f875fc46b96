using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;

namespace StreamEntropy.Streaming.Windows;

/// <summary>The measures of one window at one moment; immutable, safe to hand to other threads.</summary>
/// <param name="Window">The window's name.</param>
/// <param name="Kind">The window's kind.</param>
/// <param name="Start">The first millisecond the window covers; null for cumulative and decay windows (and before any time was seen).</param>
/// <param name="End">The end of the window (exclusive) for tumbling and sliding windows; the watermark for cumulative and decay windows.</param>
/// <param name="Closed">True for the final snapshot of a window that the watermark has passed (queued by the engine).</param>
/// <param name="Events">The events counted in the window; for a decay window, every event counted since the start, unweighted.</param>
/// <param name="Late">The events this window has dropped as too old since the engine started (across restarts); always 0 for cumulative and decay windows.</param>
/// <param name="Fields">The measures of every field, in schema order, entropies in nats.</param>
/// <param name="Pairs">The measures of every pair, in schema order, entropies in nats.</param>
/// <param name="Estimator">The name of the estimator used; always <c>ml</c> for decay windows.</param>
public sealed record WindowSnapshot(
    string Window,
    WindowKind Kind,
    DateTimeOffset? Start,
    DateTimeOffset End,
    bool Closed,
    long Events,
    long Late,
    IReadOnlyList<FieldResult> Fields,
    IReadOnlyList<PairResult> Pairs,
    string Estimator)
{
    /// <summary>Gets the drift scores of a closed window against its reference; null when not scored.</summary>
    public DriftReport? Drift { get; init; }

    /// <summary>Gets, for a window merged from the partials of many engines (Group mode), how many input shards (for
    /// the Kafka worker, partitions) contributed; null for a window counted by one engine.</summary>
    public int? Shards { get; init; }
}
