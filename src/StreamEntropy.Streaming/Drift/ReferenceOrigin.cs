namespace StreamEntropy.Streaming.Drift;

/// <summary>Where a window's drift reference came from.</summary>
public enum ReferenceOrigin
{
    /// <summary>A baseline file (<c>profile --save-baseline</c>), the same for every window.</summary>
    BaselineFile,

    /// <summary>A complete closed window of the stream, captured by the monitor (and kept in checkpoints).</summary>
    CapturedWindow,

    /// <summary>None yet: no complete window with enough events has closed since the start or the last re-capture.</summary>
    Pending,
}
