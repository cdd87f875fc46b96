namespace StreamEntropy.Streaming.Profiling;

/// <summary>What <see cref="FileProfiler"/> learns from one part of a file counted on its own.</summary>
internal readonly record struct PartResult(BatchCounts? Counts, long Rows, long End, long Lines, Exception? Error);
