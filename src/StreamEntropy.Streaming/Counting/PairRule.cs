namespace StreamEntropy.Streaming.Counting;

/// <summary>Pairs formed as fields appear: every field whose name <paramref name="X"/> matches, with every field whose
/// name <paramref name="Y"/> matches (at most one side a wildcard; a field is never paired with itself).</summary>
/// <remarks><c>X: *, Y: label</c> pairs every field with the target <c>label</c>; two exact names give one pair that
/// is formed once both fields exist (fields found by discovery).</remarks>
public sealed record PairRule(FieldPattern X, FieldPattern Y)
{
    /// <summary>Gets whether the fields named <paramref name="x"/> and <paramref name="y"/> form a pair of this rule.</summary>
    public bool Matches(string x, string y) => !string.Equals(x, y, StringComparison.Ordinal) && X.Matches(x) && Y.Matches(y);

    /// <summary>Describes the rule in one line (for the saved state's configuration check).</summary>
    public string Describe() => $"pairs {X.Text},{Y.Text}";
}
