namespace StreamEntropy.Streaming.Drift;

/// <summary>The thresholds one rule applies now to one window (and, for a calibrated rule, one subject).</summary>
/// <param name="Rule">The rule's name.</param>
/// <param name="Metric">The rule's metric (<see cref="DriftMetrics"/>): a field or a pair metric.</param>
/// <param name="Window">The window's name.</param>
/// <param name="Subject">The field name or pair key; null when the thresholds hold for every subject the rule applies to.</param>
/// <param name="Threshold">The raise threshold.</param>
/// <param name="ClearThreshold">The clear threshold.</param>
/// <param name="Source">Where the threshold came from: <c>configured</c>, <c>auto: mean+3σ of 10 reference chunks</c>,
/// <c>auto fallback: …</c> or <c>auto: calibrating, 3 of 10 reference chunks</c>.</param>
public sealed record ThresholdInForce(string Rule, string Metric, string Window, string? Subject, double Threshold, double ClearThreshold, string Source);
