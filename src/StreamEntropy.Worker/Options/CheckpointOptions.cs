namespace StreamEntropy.Worker.Options;

/// <summary>Where and how often the state is checkpointed.</summary>
public sealed class CheckpointOptions
{
    /// <summary>Gets or sets the directory of checkpoint files. The default is <c>state</c>.</summary>
    [NotEmpty]
    public string Directory { get; set; } = "state";

    /// <summary>Gets or sets how often a checkpoint is written. The default is 10 seconds.</summary>
    [Between("00:00:00.1", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);
}
