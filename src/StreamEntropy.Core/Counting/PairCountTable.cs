using System.Runtime.CompilerServices;

namespace StreamEntropy.Core.Counting;

/// <summary>Counts of (x, y) pairs in one window, with the two marginals over the same events.</summary>
/// <remarks>
/// <para>The marginals are kept here rather than borrowed from the field tables because a field table also counts
/// events where the other field of the pair is missing; H(Y|X) = H(X,Y) − H(X) holds only when all three entropies
/// describe the same population of events.</para>
/// <para>Only the joint table is updated per event. The marginals are derived from it when <see cref="X"/> or
/// <see cref="Y"/> is read after a change (O(distinct pairs), at publication), which saves two table updates per
/// paired event on the hot path.</para>
/// </remarks>
public sealed class PairCountTable
{
    private readonly CountTable _x = new();
    private readonly CountTable _y = new();
    private bool _marginalsStale;

    /// <summary>Creates an empty table whose pair ids come from <paramref name="pairs"/>.</summary>
    public PairCountTable(PairInterner pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        Pairs = pairs;
    }

    /// <summary>Gets the dictionary that assigns pair ids (shared by all windows of the pair).</summary>
    public PairInterner Pairs { get; }

    /// <summary>Gets the counts of pair ids.</summary>
    public CountTable Joint { get; } = new();

    /// <summary>Gets the counts of x value ids over the paired events (derived from the joint counts).</summary>
    public CountTable X
    {
        get
        {
            RefreshMarginals();
            return _x;
        }
    }

    /// <summary>Gets the counts of y value ids over the paired events (derived from the joint counts).</summary>
    public CountTable Y
    {
        get
        {
            RefreshMarginals();
            return _y;
        }
    }

    /// <summary>Gets the number of paired events.</summary>
    public long Total => Joint.Total;

    /// <summary>Counts one event with values <paramref name="x"/> and <paramref name="y"/>.</summary>
    // Part of the per-event path: compiled fully optimized at its first call instead of tiered (see "Per-event path
    // and tiering" in the Streaming README).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(int x, int y)
    {
        Joint.Add(Pairs.GetOrAdd(x, y));
        _marginalsStale = true;
    }

    /// <summary>Counts one event per index i, with values <paramref name="xs"/>[i] and <paramref name="ys"/>[i], in
    /// order: the same as one <see cref="Add(int, int)"/> per event, to the last bit.</summary>
    /// <remarks>For batches of events (a block of rows, a batch of records): the pairs' slots and then their counts are
    /// loaded for a group of events before any is updated, so that with 10⁵–10⁶ distinct pairs the cache misses overlap
    /// instead of costing a memory round trip each in turn.</remarks>
    public void AddMany(ReadOnlySpan<int> xs, ReadOnlySpan<int> ys)
    {
        const int Group = 64;
        if (ys.Length != xs.Length)
        {
            throw new ArgumentException("xs and ys must have one entry per event.", nameof(ys));
        }

        Span<int> ids = stackalloc int[Group];
        for (int start = 0; start < xs.Length; start += Group)
        {
            int n = Math.Min(Group, xs.Length - start);
            Span<int> group = ids[..n];
            Pairs.GetOrAddMany(xs.Slice(start, n), ys.Slice(start, n), group);
            Joint.AddMany(group);
        }

        _marginalsStale |= xs.Length > 0;
    }

    /// <summary>Counts one event per pair id in <paramref name="pairIds"/> (ids <see cref="Pairs"/> gave out), in order:
    /// the same as one <see cref="Add(int, int)"/> per event whose pair has that id, to the last bit.</summary>
    /// <remarks>For callers that intern a batch's pairs once for several tables (the engine's windows share one
    /// <see cref="PairInterner"/>): the counts are prefetched as in <see cref="CountTable.AddMany"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddPairIds(ReadOnlySpan<int> pairIds)
    {
        Joint.AddMany(pairIds);
        _marginalsStale |= pairIds.Length > 0;
    }

    /// <summary>Retracts one event with values <paramref name="x"/> and <paramref name="y"/>.</summary>
    /// <exception cref="InvalidOperationException">The pair was never counted, or its count is already zero.</exception>
    public void Remove(int x, int y)
    {
        if (!Pairs.TryGetId(x, y, out int pairId))
        {
            throw new InvalidOperationException($"Cannot retract pair ({x}, {y}): it was never counted.");
        }

        Joint.Remove(pairId);
        _marginalsStale = true;
    }

    /// <summary>Adds <paramref name="count"/> events of the pair with id <paramref name="pairId"/> (negative retracts).</summary>
    /// <remarks>Named apart from <see cref="Add(int, int)"/> so that an int count can never bind to (x, y).</remarks>
    public void AddPairCount(int pairId, long count)
    {
        _ = Pairs.GetPair(pairId); // validates the id
        Joint.Add(pairId, count);
        _marginalsStale = true;
    }

    /// <summary>Adds every count of <paramref name="other"/>, which must share this table's dictionaries.</summary>
    public void Merge(PairCountTable other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!ReferenceEquals(other.Pairs, Pairs))
        {
            throw new ArgumentException("Pair tables can only be merged when they share one PairInterner.", nameof(other));
        }

        Joint.Merge(other.Joint);
        _marginalsStale = true;
    }

    /// <summary>Adds <paramref name="counts"/>[pairId] events of every pair id at once (ids from <see cref="Pairs"/>).</summary>
    public void AddJointCounts(ReadOnlySpan<long> counts)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(counts.Length, Pairs.Count, nameof(counts));
        Joint.AddCounts(counts);
        _marginalsStale = true;
    }

    /// <summary>Sets every count to zero, keeping the allocated room.</summary>
    public void Clear()
    {
        Joint.Clear();
        _x.Clear();
        _y.Clear();
        _marginalsStale = false;
    }

    private void RefreshMarginals()
    {
        if (!_marginalsStale)
        {
            return;
        }

        _x.Clear();
        _y.Clear();
        ReadOnlySpan<long> counts = Joint.Counts;
        for (int pairId = 0; pairId < counts.Length; pairId++)
        {
            long c = counts[pairId];
            if (c != 0)
            {
                (int x, int y) = Pairs.GetPair(pairId);
                _x.Add(x, c);
                _y.Add(y, c);
            }
        }

        _marginalsStale = false;
    }
}
