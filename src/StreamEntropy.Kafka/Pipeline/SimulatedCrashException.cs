namespace StreamEntropy.Kafka.Pipeline;

/// <summary>Thrown by the consume loop in crash tests to stop as abruptly as a killed process would.</summary>
internal sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException()
        : base("Simulated crash (test hook).")
    {
    }

    public SimulatedCrashException(string message)
        : base(message)
    {
    }

    public SimulatedCrashException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
