using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Windows;

/// <summary>Sees a window's counts at the moment it closes, before they are cleared for reuse (drift scoring).</summary>
internal interface IWindowCloseObserver
{
    /// <summary>Handles a closed window and returns the snapshot to publish (possibly enriched).</summary>
    WindowSnapshot OnClosed(WindowSnapshot snapshot, FrequencySet counts);
}
