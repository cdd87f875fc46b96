namespace StreamEntropy.Worker.Commands;

/// <summary>A command line that parses but asks for something impossible (bad base, bad bin width, …); exit code 2.</summary>
internal sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
