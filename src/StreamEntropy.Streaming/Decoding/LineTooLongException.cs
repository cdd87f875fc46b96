namespace StreamEntropy.Streaming.Decoding;

/// <summary>A line (a CSV record, a JSON Lines line) is longer than the reader's limit; the message starts with <c>line N:</c>.</summary>
/// <remarks>The readers hold one line in memory at a time, so without a limit a file that is one huge line would be read
/// into memory whole. The reader is faulted afterwards: there is no line end to resume from.</remarks>
public sealed class LineTooLongException : IOException
{
    /// <summary>Creates an exception without a line number.</summary>
    public LineTooLongException()
    {
    }

    /// <summary>Creates an exception with a message and no line number.</summary>
    /// <param name="message">The description of the error.</param>
    public LineTooLongException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and an inner exception, and no line number.</summary>
    /// <param name="message">The description of the error.</param>
    /// <param name="innerException">The cause.</param>
    public LineTooLongException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for the line that starts on physical line <paramref name="lineNumber"/>.</summary>
    /// <param name="lineNumber">The 1-based physical line on which the over-long line starts.</param>
    /// <param name="limitBytes">The limit, in bytes.</param>
    public LineTooLongException(long lineNumber, int limitBytes)
        : base($"line {lineNumber}: the line is longer than the limit of {FormatBytes(limitBytes)}")
    {
        LineNumber = lineNumber;
    }

    /// <summary>Gets the 1-based physical line on which the over-long line starts, or 0 when unknown.</summary>
    public long LineNumber { get; }

    private static string FormatBytes(int bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes} bytes";
}
