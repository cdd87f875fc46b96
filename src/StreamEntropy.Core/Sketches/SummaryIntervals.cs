using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Core.Sketches;

/// <summary>Reads what a <see cref="BoundedCountSummary"/> knows about each value's count, for comparisons that need
/// more than its entropy (divergences from a reference, <see cref="DivergenceBracket"/>).</summary>
public static class SummaryIntervals
{
    /// <summary>The summary's tracked keys with their SpaceSaving intervals [count − error, count], its untracked bound
    /// and its exact total (a copy: later additions do not change it).</summary>
    public static CountIntervals Of(BoundedCountSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        SpaceSavingCounters heavy = summary.HeavyHitters;
        ReadOnlySpan<long> counts = heavy.Counts;
        ReadOnlySpan<long> errors = heavy.Errors;
        long[] lower = new long[counts.Length];
        for (int i = 0; i < counts.Length; i++)
        {
            lower[i] = counts[i] - errors[i];
        }

        return new CountIntervals(heavy.Total, heavy.Keys.ToArray(), lower, counts.ToArray(), heavy.UntrackedBound);
    }
}
