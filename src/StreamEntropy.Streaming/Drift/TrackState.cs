namespace StreamEntropy.Streaming.Drift;

/// <summary>The saved state of one alert state machine (one rule on one window and subject).</summary>
/// <param name="Rule">The rule's name.</param>
/// <param name="Window">The window's name.</param>
/// <param name="Subject">The field name or pair key.</param>
/// <param name="Streak">The current streak toward the next transition.</param>
/// <param name="RaisedBy">The raise event of the alert while it is raised; null while not raised.</param>
internal sealed record TrackState(string Rule, string Window, string Subject, int Streak, AlertEvent? RaisedBy);
