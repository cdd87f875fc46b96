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
}
