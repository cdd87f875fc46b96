using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Core.Sketches;

namespace StreamEntropy.Streaming.Counting;

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
/// table's fingerprint), then <see cref="BoundedCountSummary.EstimateBytes"/>; briefly both at the switch. After
/// <see cref="Clear"/> (a tumbling window's reset) the counts are exact again and the summary is kept for reuse, so a
/// window that goes over its budget in every period holds both, still bounded by the budget. Single writer.</para>
/// <para>Windows also <see cref="Merge"/> counts (the panes of a sliding window, oldest first) and save them
/// (<see cref="Write"/>, <see cref="Read"/>) so that a restored engine reports bit-for-bit the same numbers.</para>
/// </remarks>
internal sealed class BoundedCounts
{
    private const byte ExactMode = 0;
    private const byte SummaryMode = 1;

    private HashIdMap? _ids;
    private CountTable? _exact;
    private BoundedCountSummary? _summary;
    private BoundedCountSummary? _spare; // a cleared summary kept for reuse after Clear

    /// <summary>Creates empty counts that stay exact up to <paramref name="maxDistinct"/> distinct values.</summary>
    public BoundedCounts(int maxDistinct)
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

    /// <summary>Gets the exact counts by id while <see cref="IsExact"/> (ids are given in order of first sight); null afterwards.</summary>
    public CountTable? ExactCounts => _exact;

    /// <summary>Counts <paramref name="count"/> occurrences of the value with hash <paramref name="key"/>.</summary>
    public void Add(ulong key, long count)
    {
        if (_exact is { } exact)
        {
            int id = _ids!.GetOrAdd(key);
            if (id >= 0)
            {
                exact.Add(id, count);
                return;
            }

            SwitchToSummary();
        }

        _summary!.Add(key, count);
    }

    /// <summary>Adds the counts of <paramref name="other"/> (another pane or partition), staying exact while the union of
    /// the values fits the budget.</summary>
    /// <remarks>Exact counts are folded in value by value (weighted adds); a summary is merged with
    /// <see cref="BoundedCountSummary.Merge"/>, whose bracket stays certified. The result depends on the order of merges
    /// only in its bracket width and estimate, never in its guarantee.</remarks>
    public void Merge(BoundedCounts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._exact is { } otherExact)
        {
            ReadOnlySpan<ulong> keys = other._ids!.Keys;
            for (int id = 0; id < keys.Length; id++)
            {
                long c = otherExact[id];
                if (c > 0)
                {
                    Add(keys[id], c);
                }
            }

            return;
        }

        if (_exact is not null)
        {
            SwitchToSummary();
        }

        _summary!.Merge(other._summary!);
    }

    /// <summary>Forgets every count: exact again, with the memory kept for reuse.</summary>
    public void Clear()
    {
        if (_summary is { } summary)
        {
            summary.Clear();
            _spare = summary;
            _summary = null;
        }

        if (_exact is null)
        {
            _ids = new HashIdMap(MaxDistinct);
            _exact = new CountTable();
        }
        else
        {
            _ids!.Clear();
            _exact.Clear();
        }
    }

    /// <summary>Writes the counts (exact keys and counts in id order, or the summary), then puts the exact table in the
    /// canonical form that <see cref="Read"/> produces, so that both report bit-for-bit the same numbers.</summary>
    public void Write(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (_exact is { } exact)
        {
            writer.Write(ExactMode);
            ReadOnlySpan<ulong> keys = _ids!.Keys;
            writer.Write(keys.Length);
            for (int id = 0; id < keys.Length; id++)
            {
                writer.Write(keys[id]);
                writer.Write(exact[id]);
            }

            exact.Normalize();
        }
        else
        {
            writer.Write(SummaryMode);
            _summary!.Write(writer);
        }
    }

    /// <summary>Replaces the counts with ones written by <see cref="Write"/> with the same budget.</summary>
    /// <exception cref="InvalidDataException">The data is inconsistent (more keys than the budget, a repeated key, a
    /// count that is not positive, an unknown mode, or a corrupt summary).</exception>
    public void Read(BinaryReader reader, List<(int Id, long Count)> scratch)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(scratch);
        Clear();
        byte mode = reader.ReadByte();
        if (mode == ExactMode)
        {
            int n = TableFormat.ReadCount(reader, MaxDistinct);
            scratch.Clear();
            for (int id = 0; id < n; id++)
            {
                ulong key = reader.ReadUInt64();
                long count = reader.ReadInt64();
                if (count <= 0 || _ids!.GetOrAdd(key) != id)
                {
                    throw new InvalidDataException($"Exact count {id} ({count}) is not positive or repeats a value.");
                }

                scratch.Add((id, count));
            }

            TableFormat.Load(_exact!, scratch);
        }
        else if (mode == SummaryMode)
        {
            SwitchToSummary();
            _summary!.Read(reader);
        }
        else
        {
            throw new InvalidDataException($"Unknown budgeted-counts mode {mode}.");
        }
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

    /// <summary>What the counts say about each value, by hash: exact counts (zero-width intervals, untracked bound 0) while
    /// <see cref="IsExact"/>, else the summary's tracked values with their SpaceSaving intervals. A copy.</summary>
    public CountIntervals Intervals()
    {
        if (_exact is { } exact)
        {
            ReadOnlySpan<ulong> keys = _ids!.Keys;
            long[] counts = new long[keys.Length];
            for (int id = 0; id < keys.Length; id++)
            {
                counts[id] = exact[id];
            }

            return new CountIntervals(exact.Total, keys.ToArray(), counts, counts, 0);
        }

        return SummaryIntervals.Of(_summary!);
    }

    /// <summary>The plug-in standard error in nats while exact; NaN afterwards (or when empty).</summary>
    public double StandardError() => _exact is { } exact ? EntropyEstimators.StandardError(exact) : double.NaN;

    /// <summary>Good–Turing coverage 1 − f₁/N while exact; NaN afterwards (or when empty).</summary>
    public double Coverage() =>
        _exact is { Total: > 0 } exact ? 1 - ((double)exact.Singletons / exact.Total) : double.NaN;

    private void SwitchToSummary()
    {
        BoundedCountSummary summary = _spare ?? BoundedCountSummary.ForMaxDistinct(MaxDistinct);
        _spare = null;
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
