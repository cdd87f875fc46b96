namespace StreamEntropy.Worker.Commands;

/// <summary>What one rule did in a replay.</summary>
/// <param name="Rule">The rule's name.</param>
/// <param name="Raised">How many times it raised an alert.</param>
/// <param name="FalseBeforeInjection">Raises in windows that ended at or before the injection point (every raise when
/// nothing is injected).</param>
/// <param name="FalseOtherSubjects">Raises after the injection point on subjects that nothing was injected into.</param>
/// <param name="DetectionDelayWindows">For the first raise after the injection point on an injected subject: how many
/// windows (of that raise's window) closed from the injection point up to and including the raising one; null when
/// there was none.</param>
internal sealed record ReplayRuleOutcome(string Rule, int Raised, int FalseBeforeInjection, int FalseOtherSubjects, int? DetectionDelayWindows);
