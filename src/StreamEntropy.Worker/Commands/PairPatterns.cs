using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Worker.Commands;

/// <summary>Expands <c>--pair</c> entries with a wildcard side (<c>'*,label'</c>, <c>'user.*,label'</c>, or mirrored
/// <c>'label,*'</c>) into one pair per matching field, in the order the fields are listed.</summary>
/// <remarks>A pattern side matches with <see cref="FieldPattern"/>; the other side must be a plain field (the target),
/// which is never paired with itself. Plain pairs pass through unchanged and in place; a pair produced twice is kept
/// once.</remarks>
internal static class PairPatterns
{
    /// <summary>Gets whether any pair has a wildcard side.</summary>
    public static bool Any(IReadOnlyList<PairDefinition> pairs) =>
        pairs.Any(p => FieldPattern.IsWildcardText(p.X) || FieldPattern.IsWildcardText(p.Y));

    /// <summary>Expands the wildcard sides of <paramref name="pairs"/> over <paramref name="fields"/>.</summary>
    /// <exception cref="UsageException">Both sides are patterns, a pattern is malformed, or it matches no field.</exception>
    public static List<PairDefinition> Expand(IReadOnlyList<PairDefinition> pairs, IReadOnlyList<string> fields)
    {
        var expanded = new List<PairDefinition>();
        foreach (PairDefinition pair in pairs)
        {
            bool xPattern = FieldPattern.IsWildcardText(pair.X);
            bool yPattern = FieldPattern.IsWildcardText(pair.Y);
            if (!xPattern && !yPattern)
            {
                expanded.Add(pair);
                continue;
            }

            if (xPattern && yPattern)
            {
                throw new UsageException($"--pair: '{pair.Key}' has a pattern on both sides; one side must be a field (the target).");
            }

            string text = xPattern ? pair.X : pair.Y;
            string target = xPattern ? pair.Y : pair.X;
            if (FieldPattern.Validate(text) is { } problem)
            {
                throw new UsageException($"--pair: the pattern {problem}");
            }

            FieldPattern pattern = FieldPattern.Parse(text);
            string[] matches = [.. fields.Where(f => f != target && pattern.Matches(f))];
            if (matches.Length == 0)
            {
                throw new UsageException($"--pair: '{pair.Key}': no field other than '{target}' matches '{text}'.");
            }

            expanded.AddRange(matches.Select(f => xPattern ? new PairDefinition(f, target) : new PairDefinition(target, f)));
        }

        return [.. expanded.Distinct()];
    }

    /// <summary>The fields to profile when patterns were expanded and no <c>--field</c> was given: those the pairs use,
    /// in the order of <paramref name="fields"/> (the file's), so that a wide file's table keeps its column order.</summary>
    public static List<string> UsedFields(IReadOnlyList<PairDefinition> pairs, IReadOnlyList<string> fields)
    {
        var used = new HashSet<string>(pairs.SelectMany(p => new[] { p.X, p.Y }), StringComparer.Ordinal);
        return [.. fields.Where(used.Contains)];
    }
}
