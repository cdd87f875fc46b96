namespace StreamEntropy.Streaming.Profiling;

/// <summary>What <see cref="FileProfiler"/> learns from one part of a file counted on its own.</summary>
/// <param name="Counts">The part's counts, null when it failed.</param>
/// <param name="Rows">The rows it counted.</param>
/// <param name="End">The offset where it stopped (the start of the first row it did not count).</param>
/// <param name="Lines">The physical lines it read.</param>
/// <param name="Error">What stopped it, or null.</param>
/// <param name="Invalid">The first invalid value of each binned field in the part, its lines numbered from the part's first.</param>
internal readonly record struct PartResult(BatchCounts? Counts, long Rows, long End, long Lines, Exception? Error, InvalidValues? Invalid);
