namespace StreamEntropy.Streaming.Drift;

/// <summary>What <c>DriftMonitor.OnWindowClosed</c> made of one closed window.</summary>
/// <param name="Report">The window's scores; null when the window became the reference (or had none yet).</param>
/// <param name="Alerts">The raise and clear events the window caused.</param>
/// <param name="ReferenceCaptured">True when this window became its configuration's reference.</param>
public sealed record DriftEvaluation(DriftReport? Report, IReadOnlyList<AlertEvent> Alerts, bool ReferenceCaptured);
