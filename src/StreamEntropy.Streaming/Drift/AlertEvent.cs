using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Drift;

/// <summary>An alert raised or cleared at the close of a window.</summary>
/// <param name="State">Raised or cleared.</param>
/// <param name="Rule">The rule's name.</param>
/// <param name="Window">The window's name.</param>
/// <param name="Field">The field, for a field metric; otherwise null.</param>
/// <param name="Pair">The pair, for a pair metric; otherwise null.</param>
/// <param name="Metric">The metric's name (<see cref="DriftMetrics"/>).</param>
/// <param name="Value">The metric's value in the window that completed the streak.</param>
/// <param name="Threshold">The threshold crossed: the raise threshold for a raise, the clear threshold for a clear.</param>
/// <param name="Consecutive">The length of the streak of windows that triggered the event.</param>
/// <param name="TimestampMs">The time of the event (the closing window's end), Unix milliseconds.</param>
public sealed record AlertEvent(
    AlertState State,
    string Rule,
    string Window,
    string? Field,
    PairDefinition? Pair,
    string Metric,
    double Value,
    double Threshold,
    int Consecutive,
    long TimestampMs)
{
    /// <summary>Gets the field name or pair key the alert is about.</summary>
    public string Subject => Field ?? Pair?.Key ?? "";

    /// <summary>Gets a key that identifies the alert across raise and clear: <c>window/subject/rule</c>.</summary>
    public string Key => $"{Window}/{Subject}/{Rule}";
}
