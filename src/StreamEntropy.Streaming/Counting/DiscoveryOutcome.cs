namespace StreamEntropy.Streaming.Counting;

/// <summary>What <see cref="EventSchema.TryDiscover"/> did with a path.</summary>
public enum DiscoveryOutcome
{
    /// <summary>The path is now a field.</summary>
    Added,

    /// <summary>No discovery rule takes the path (not included, excluded, or a configured field's path).</summary>
    NotMatched,

    /// <summary>The rule that takes it has added its MaxFields fields already.</summary>
    LimitReached,

    /// <summary>The path is longer than <see cref="DiscoveryRule.MaxPathBytes"/>.</summary>
    TooLong,

    /// <summary>A configured field already has the path as its name (for another path).</summary>
    NameTaken,
}
