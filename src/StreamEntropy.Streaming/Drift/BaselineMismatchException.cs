namespace StreamEntropy.Streaming.Drift;

/// <summary>A baseline does not describe the configured fields and pairs; the message lists every difference.</summary>
public sealed class BaselineMismatchException : Exception
{
    public BaselineMismatchException()
    {
    }

    public BaselineMismatchException(string message)
        : base(message)
    {
    }

    public BaselineMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
