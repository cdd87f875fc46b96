namespace StreamEntropy.Streaming.Decoding;

/// <summary>The CSV input is malformed; the message starts with <c>line N:</c>.</summary>
public sealed class CsvFormatException : FormatException
{
    /// <summary>Creates an exception without a line number.</summary>
    public CsvFormatException()
    {
    }

    /// <summary>Creates an exception with a message and no line number.</summary>
    /// <param name="message">The description of the error.</param>
    public CsvFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and an inner exception, and no line number.</summary>
    /// <param name="message">The description of the error.</param>
    /// <param name="innerException">The cause.</param>
    public CsvFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for an error on a physical line of the input.</summary>
    /// <param name="lineNumber">The 1-based physical line of the error.</param>
    /// <param name="reason">The description of the error, without the line prefix.</param>
    public CsvFormatException(long lineNumber, string reason)
        : base($"line {lineNumber}: {reason}")
    {
        LineNumber = lineNumber;
    }

    /// <summary>Gets the 1-based physical line of the error, or 0 when unknown.</summary>
    public long LineNumber { get; }
}
