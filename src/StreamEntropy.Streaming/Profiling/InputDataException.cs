namespace StreamEntropy.Streaming.Profiling;

/// <summary>An input file cannot be profiled as asked; the message is one line for a person, naming file and line.</summary>
public sealed class InputDataException : Exception
{
    public InputDataException()
    {
    }

    public InputDataException(string message)
        : base(message)
    {
    }

    public InputDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets whether the input exceeds a limit of the reader (a line longer than it reads) rather than being
    /// malformed; the commands exit with code 2 for it, as for an option out of range.</summary>
    public bool ExceedsLimit { get; init; }
}
