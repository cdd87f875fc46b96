namespace StreamEntropy.Streaming.Counting;

/// <summary>A pattern over dotted field paths: <c>*</c> (every path), <c>user.*</c> (every path under <c>user</c>, at
/// any depth) or an exact path (<c>user.id</c>).</summary>
/// <remarks>Used by discovered fields (which leaf paths of an event to count, and which to leave out) and by wildcard
/// pairs (which fields to pair with a target). Matching is ordinal: paths come from producers, so no culture or case
/// rule applies to them.</remarks>
public sealed class FieldPattern : IEquatable<FieldPattern>
{
    private readonly string _prefix; // "user." for "user.*"; "" for "*"; null-like (unused) for an exact path

    private FieldPattern(string text, bool isWildcard, string prefix)
    {
        Text = text;
        IsWildcard = isWildcard;
        _prefix = prefix;
    }

    /// <summary>Gets the pattern as written.</summary>
    public string Text { get; }

    /// <summary>Gets whether the pattern matches more than one path (<c>*</c> or <c>prefix.*</c>).</summary>
    public bool IsWildcard { get; }

    /// <summary>Gets whether <paramref name="text"/> is written as a wildcard: <c>*</c> or ending in <c>.*</c>.</summary>
    public static bool IsWildcardText(string? text) =>
        text is not null && (text == "*" || text.EndsWith(".*", StringComparison.Ordinal));

    /// <summary>Checks a pattern's text.</summary>
    /// <returns>What is wrong (to follow the pattern in a message), or null when it is valid.</returns>
    public static string? Validate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "is empty.";
        }

        string path = text == "*" ? "x" : text.EndsWith(".*", StringComparison.Ordinal) ? text[..^2] : text;
        if (path.Contains('*', StringComparison.Ordinal))
        {
            return $"'{text}' has a '*' that is not the whole pattern or its last segment (write '*' or 'prefix.*').";
        }

        return path.Split('.').Any(segment => segment.Length == 0) ? $"'{text}' has an empty segment." : null;
    }

    /// <summary>Parses a pattern.</summary>
    /// <exception cref="ArgumentException">The text is not a valid pattern (see <see cref="Validate"/>).</exception>
    public static FieldPattern Parse(string text)
    {
        if (Validate(text) is { } problem)
        {
            throw new ArgumentException($"The field pattern {problem}", nameof(text));
        }

        return text == "*" ? new FieldPattern(text, true, "")
            : text.EndsWith(".*", StringComparison.Ordinal) ? new FieldPattern(text, true, text[..^1])
            : new FieldPattern(text, false, text);
    }

    /// <summary>Gets whether <paramref name="path"/> matches.</summary>
    public bool Matches(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return IsWildcard
            ? path.Length > _prefix.Length && path.StartsWith(_prefix, StringComparison.Ordinal)
            : string.Equals(path, _prefix, StringComparison.Ordinal);
    }

    /// <inheritdoc/>
    public bool Equals(FieldPattern? other) => other is not null && string.Equals(Text, other.Text, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as FieldPattern);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

    /// <inheritdoc/>
    public override string ToString() => Text;
}
