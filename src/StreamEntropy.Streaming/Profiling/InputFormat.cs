namespace StreamEntropy.Streaming.Profiling;

/// <summary>The kinds of file that <c>profile</c> and <c>compare</c> read.</summary>
public enum InputFormat
{
    /// <summary>Comma-separated values with a header row.</summary>
    Csv,

    /// <summary>JSON Lines: one JSON object per line.</summary>
    JsonLines,
}
