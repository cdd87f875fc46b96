using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Core.Sketches;

namespace StreamEntropy.Streaming.Profiling;

/// <summary>The counts of one field (or of pair keys) under a budget of distinct values: exact while the values fit,
/// then a <see cref="BoundedCountSummary"/> with a certified entropy bracket.</summary>
/// <remarks>
/// <para>Values are keyed by their <see cref="StableHash64"/>, never stored. While at most <see cref="MaxDistinct"/>
/// distinct keys were seen, a <see cref="HashIdMap"/> gives them dense ids counted in a <see cref="CountTable"/>, so
/// every measure (entropy, standard error, coverage, distinct count) is computed by exactly the code of the exact path.
/// On the first key beyond the budget the counts seen so far are replayed into
/// <c>BoundedCountSummary.ForMaxDistinct(MaxDistinct)</c> (exact for that many values, so it starts from the same
/// counts; its bracket holds for any order of the stream) and the exact table is dropped.</para>
/// <para>Memory: the map and table grow with the values up to the budget (about 60 bytes a value, plus 8 KiB for the
/// table's fingerprint), then <see cref="BoundedCountSummary.EstimateBytes"/>; briefly both at the switch. Single writer.</para>
/// </remarks>
internal sealed class BudgetedCounts
{
    private HashIdMap? _ids;
    private CountTable? _exact;
    private BoundedCountSummary? _summary;

    /// <summary>Creates empty counts that stay exact up to <paramref name="maxDistinct"/> distinct values.</summary>
    public BudgetedCounts(int maxDistinct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDistinct, 1);
        MaxDistinct = maxDistinct;
        _ids = new HashIdMap(maxDistinct);
        _exact = new CountTable();
    }

    /// <summary>Gets the budget of distinct values.</summary>
    public int MaxDistinct { get; }

    /// <summary>Gets whether the counts are exact (no more distinct values than the budget so far).</summary>
    public bool IsExact => _exact is not null;

    /// <summary>Gets the number of values counted N.</summary>
    public long Total => _exact?.Total ?? _summary!.Total;

    /// <summary>Gets the number of distinct values: exact while <see cref="IsExact"/>, else the summary's estimate
    /// (kept between the budget, which was exceeded, and the number of values counted).</summary>
    public double Distinct => _exact?.Distinct ?? Math.Clamp(_summary!.DistinctEstimate, MaxDistinct + 1, _summary.Total);

    /// <summary>Gets the summary once the budget was exceeded; null while exact.</summary>
    public BoundedCountSummary? Summary => _summary;

    /// <summary>Counts one occurrence of the value with hash <paramref name="key"/>.</summary>
    public void Add(ulong key)
    {
        if (_exact is { } exact)
        {
            int id = _ids!.GetOrAdd(key);
            if (id >= 0)
            {
                exact.Add(id);
                return;
            }

            SwitchToSummary();
        }

        _summary!.Add(key);
    }

    /// <summary>The plug-in entropy in nats: exact (zero-width), or the summary's certified bracket and estimate.</summary>
    public EntropyBracket Entropy()
    {
        if (_exact is { } exact)
        {
            return exact.Total == 0 ? EntropyBracket.Empty : EntropyBracket.FromExact(EntropyEstimators.PlugIn(exact));
        }

        return _summary!.Entropy();
    }

    /// <summary>The plug-in standard error in nats while exact; NaN afterwards (or when empty).</summary>
    public double StandardError() => _exact is { } exact ? EntropyEstimators.StandardError(exact) : double.NaN;

    /// <summary>Good–Turing coverage 1 − f₁/N while exact; NaN afterwards (or when empty).</summary>
    public double Coverage() =>
        _exact is { Total: > 0 } exact ? 1 - ((double)exact.Singletons / exact.Total) : double.NaN;

    private void SwitchToSummary()
    {
        var summary = BoundedCountSummary.ForMaxDistinct(MaxDistinct);
        ReadOnlySpan<ulong> keys = _ids!.Keys;
        CountTable exact = _exact!;
        for (int id = 0; id < keys.Length; id++)
        {
            ulong key = keys[id];
            for (long c = exact[id]; c > 0; c--)
            {
                summary.Add(key);
            }
        }

        _summary = summary;
        _ids = null;
        _exact = null;
    }
}
