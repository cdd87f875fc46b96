using Confluent.Kafka;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>The outcome of saving a partition mode's state.</summary>
internal sealed class SaveOutcome
{
    private SaveOutcome(IReadOnlyList<TopicPartitionOffset>? covered, bool failed, string? error)
    {
        Covered = covered;
        Failed = failed;
        Error = error;
    }

    /// <summary>Gets the outcome of a save still in flight, or of none.</summary>
    public static SaveOutcome Pending { get; } = new(null, failed: false, error: null);

    /// <summary>Gets the offsets now covered by a durable state (to store for Kafka's commit); null unless durable.</summary>
    public IReadOnlyList<TopicPartitionOffset>? Covered { get; }

    /// <summary>Gets a value indicating whether the save failed (the last durable state stands).</summary>
    public bool Failed { get; }

    /// <summary>Gets the failure to report as the pipeline's last error, if any.</summary>
    public string? Error { get; }

    /// <summary>A save that is durable.</summary>
    public static SaveOutcome Durable(IReadOnlyList<TopicPartitionOffset> covered) => new(covered, failed: false, error: null);

    /// <summary>A save that failed; <paramref name="error"/> is reported as the pipeline's last error when given.</summary>
    public static SaveOutcome Failure(string? error = null) => new(null, failed: true, error);
}
