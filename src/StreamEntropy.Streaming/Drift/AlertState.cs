namespace StreamEntropy.Streaming.Drift;

/// <summary>What happened to an alert.</summary>
public enum AlertState
{
    /// <summary>The rule's condition held for the required number of consecutive windows.</summary>
    Raised,

    /// <summary>A raised alert's metric stayed below the clear threshold for the required number of windows.</summary>
    Cleared,
}
