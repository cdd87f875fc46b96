namespace StreamEntropy.Streaming.Drift;

/// <summary>What a request to capture a window's reference again did.</summary>
public enum RecaptureOutcome
{
    /// <summary>The captured reference and the window's alert states were dropped (raised alerts cleared); the next
    /// complete closed window with enough events becomes the reference.</summary>
    Done,

    /// <summary>No window of that name is configured.</summary>
    UnknownWindow,

    /// <summary>The window is not scored for drift (cumulative and decay windows; sliding windows in Group mode), or
    /// drift scoring is off.</summary>
    NotScored,

    /// <summary>The window is scored against a baseline file, which a re-capture would not change: replace the file.</summary>
    UsesBaselineFile,
}
