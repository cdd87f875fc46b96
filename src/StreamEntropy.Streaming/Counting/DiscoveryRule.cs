namespace StreamEntropy.Streaming.Counting;

/// <summary>Fields found as events arrive: every leaf path that <paramref name="Include"/> matches and no
/// <paramref name="Exclude"/> pattern does becomes a field named by its path.</summary>
/// <param name="Include">Which leaf paths to count (<c>*</c>, <c>user.*</c>).</param>
/// <param name="Exclude">Which of them to leave out.</param>
/// <param name="MaxFields">The most fields this rule adds; paths found beyond it are not counted (the engine counts
/// their values as dropped).</param>
/// <param name="MaxDistinct">The budget of each field it adds (0: exact, unbounded memory).</param>
public sealed record DiscoveryRule(FieldPattern Include, IReadOnlyList<FieldPattern> Exclude, int MaxFields = DiscoveryRule.DefaultMaxFields, int MaxDistinct = DiscoveryRule.DefaultMaxDistinct)
{
    /// <summary>The default number of fields a rule may add.</summary>
    public const int DefaultMaxFields = 200;

    /// <summary>The largest number of fields a rule may add.</summary>
    public const int MaxMaxFields = 10_000;

    /// <summary>The default budget of a discovered field: its values are counted exactly up to this many distinct
    /// values per window, then in a bounded summary, whatever producers send.</summary>
    public const int DefaultMaxDistinct = 4096;

    /// <summary>The longest path (in UTF-8 bytes) taken as a field name; longer paths are dropped.</summary>
    public const int MaxPathBytes = 256;

    /// <summary>Gets whether <paramref name="path"/> is included and not excluded.</summary>
    public bool Matches(string path) => Include.Matches(path) && !Exclude.Any(e => e.Matches(path));

    /// <summary>Describes the rule in one line (for the saved state's configuration check and messages).</summary>
    public string Describe() =>
        $"discover {Include.Text} exclude=[{string.Join(' ', Exclude.Select(e => e.Text))}] maxFields={MaxFields} maxDistinct={MaxDistinct}";
}
