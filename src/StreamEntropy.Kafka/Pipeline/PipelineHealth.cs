namespace StreamEntropy.Kafka.Pipeline;

/// <summary>What the pipeline last reported about itself; read by readiness checks, written by the consume thread.</summary>
public sealed class PipelineHealth
{
    private long _lastPollTicks;
    private long _lastCheckpointTicks;
    private int _assignedPartitions;
    private int _checkpointHealthy = 1;
    private int _running;
    private string _lastError = "";
    private long _checkpointsWritten;
    private int _brokerUnreachable;

    /// <summary>Gets a value indicating whether the consume loop is running.</summary>
    public bool Running => Volatile.Read(ref _running) == 1;

    /// <summary>Gets the number of input partitions currently assigned.</summary>
    public int AssignedPartitions => Volatile.Read(ref _assignedPartitions);

    /// <summary>Gets when the consumer last returned from a poll.</summary>
    public DateTimeOffset LastPoll => new(Volatile.Read(ref _lastPollTicks), TimeSpan.Zero);

    /// <summary>Gets when the last checkpoint was written (MinValue if none yet).</summary>
    public DateTimeOffset LastCheckpoint => new(Volatile.Read(ref _lastCheckpointTicks), TimeSpan.Zero);

    /// <summary>Gets a value indicating whether the last checkpoint attempt succeeded.</summary>
    public bool CheckpointHealthy => Volatile.Read(ref _checkpointHealthy) == 1;

    /// <summary>Gets a value indicating whether a broker is reachable (false after "all brokers down", until the
    /// client's statistics show a broker up again).</summary>
    public bool BrokerReachable => Volatile.Read(ref _brokerUnreachable) == 0;

    /// <summary>Gets how many checkpoints were written since the process started.</summary>
    public long CheckpointsWritten => Interlocked.Read(ref _checkpointsWritten);

    /// <summary>Gets the last client or checkpoint error, empty when none.</summary>
    public string LastError => Volatile.Read(ref _lastError);

    internal void SetRunning(bool running) => Volatile.Write(ref _running, running ? 1 : 0);

    internal void SetAssigned(int count) => Volatile.Write(ref _assignedPartitions, count);

    internal void Polled(DateTimeOffset now) => Volatile.Write(ref _lastPollTicks, now.UtcTicks);

    internal void Checkpointed(DateTimeOffset now, bool ok)
    {
        Volatile.Write(ref _checkpointHealthy, ok ? 1 : 0);
        if (ok)
        {
            Volatile.Write(ref _lastCheckpointTicks, now.UtcTicks);
        }
    }

    internal void SetBrokerReachable(bool reachable) => Volatile.Write(ref _brokerUnreachable, reachable ? 0 : 1);

    internal void CountCheckpoint() => Interlocked.Increment(ref _checkpointsWritten);

    internal void Error(string message) => Volatile.Write(ref _lastError, message);
}
