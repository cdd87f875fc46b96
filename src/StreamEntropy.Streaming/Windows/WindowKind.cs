namespace StreamEntropy.Streaming.Windows;

/// <summary>How a window chooses the events it measures.</summary>
public enum WindowKind
{
    /// <summary>Every event since the start (kept across restarts by checkpoints).</summary>
    Cumulative,

    /// <summary>Fixed, non-overlapping windows aligned to the epoch; published when closed, then reset.</summary>
    Tumbling,

    /// <summary>The most recent Size of event time, advanced one Step (pane) at a time.</summary>
    Sliding,

    /// <summary>Every event, weighted by 2^(−age / HalfLife) (forward decay).</summary>
    Decay,
}
