using StreamEntropy.Streaming.Drift;

namespace StreamEntropy.Worker.Commands;

/// <summary>An alert event of a replay, with the number of its window among the closed windows of that name (from 1).</summary>
internal sealed record ReplayAlert(AlertEvent Alert, int ClosedWindow);
