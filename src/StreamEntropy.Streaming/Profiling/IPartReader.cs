using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Profiling;

/// <summary>Counts the parts of one file for <see cref="FileProfiler"/>'s parallel path, in one format.</summary>
internal interface IPartReader
{
    /// <summary>Gets the offset at which part 0 stopped (the start of the first row it did not count).</summary>
    long FirstEnd { get; }

    /// <summary>Gets the physical line on which that row starts.</summary>
    long FirstNextLine { get; }

    /// <summary>Counts part 0, with the reader that read the header, into <paramref name="set"/>, making room in its pair
    /// tables for the distinct pairs of a second such part when there are <paramref name="parts"/> ≥ 2.</summary>
    long CountFirst(FrequencySet set, long stopAt, int parts, PartProgress progress, CancellationToken cancel);

    /// <summary>Counts the rows starting in [start, stopAt) into a new set, on the assumption that start is a row start.</summary>
    PartResult CountPart(EventSchema schema, long start, long stopAt, PartProgress progress, int part, CancellationToken cancel);

    /// <summary>Counts the rows from <paramref name="start"/> (a row start on line <paramref name="line"/>) that start
    /// before stopAt into <paramref name="set"/>; returns the rows and where it stopped.</summary>
    (long Rows, long End, long NextLine) CountAgain(FrequencySet set, long start, long line, long stopAt, PartProgress progress, int part);
}
