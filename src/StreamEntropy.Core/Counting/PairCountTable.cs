using System.Buffers;
using System.Diagnostics;
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
    private bool _marginalsStale; // the joint counts changed since the marginals were derived (or since Normalize)
    private bool _marginalsOwed; // Normalize found them stale: derived at the next read, re-based unless the joint changed

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
        _marginalsOwed = false;
    }

    /// <summary>Puts the table in the state it has when rebuilt from its joint counts (a saved table's canonical form):
    /// the joint table as <see cref="CountTable.Normalize"/> leaves it, the marginals derived from it (pair ids in order)
    /// and re-based exactly; O(<see cref="CountTable.LargeCount"/> + large values) now.</summary>
    /// <remarks>Marginals that are out of date are not derived here (O(distinct pairs)) but owed: the next read derives
    /// and re-bases them if the joint counts have not changed meanwhile, which gives what deriving and re-basing them
    /// now would have given; after a change they are derived without re-basing, as those of a table rebuilt here and
    /// then changed would be.</remarks>
    public void Normalize()
    {
        Joint.Normalize();
        if (_marginalsStale || _marginalsOwed)
        {
            _marginalsOwed = true;
            _marginalsStale = false;
        }
        else
        {
            _x.Rebase();
            _y.Rebase();
        }
    }

    private void RefreshMarginals()
    {
        if (!_marginalsStale && !_marginalsOwed)
        {
            return;
        }

        if (_marginalsOwed && !_marginalsStale)
        {
            _marginalsOwed = false;
            DeriveNormalized();
            return;
        }

        _marginalsOwed = false;
        _x.Clear();
        _y.Clear();
        DeriveInGroups();
        _marginalsStale = false;
    }

    // The marginals as _x.Add(x, c) and _y.Add(y, c) for every non-zero pair in pair-id order leave them, bit for bit,
    // in groups of 64 pairs through CountTable.AddRun (which prefetches the group's slots and skips only the sum updates
    // a later re-base overwrites, see there): 10⁶ distinct pairs in about 15 ms where one Add per entry took 22–71 ms
    // (PauseBenchmarks.PublishAfterCounting). AddRun needs the number of entries still to come, which is the joint
    // table's K, which is exactly the number of non-zero pairs (CountTable keeps K with every update).
    private void DeriveInGroups()
    {
        const int Group = 64;
        Span<int> xs = stackalloc int[Group];
        Span<int> ys = stackalloc int[Group];
        Span<long> cs = stackalloc long[Group];
        CountSpan joint = Joint.Counts;
        long entriesFromHere = Joint.Distinct;
        int n = 0;
        for (int pairId = 0; pairId < joint.Length; pairId++)
        {
            long c = joint[pairId];
            if (c != 0)
            {
                (xs[n], ys[n]) = Pairs.GetPair(pairId);
                cs[n++] = c;
                if (n == Group)
                {
                    _x.AddRun(xs, cs, entriesFromHere);
                    _y.AddRun(ys, cs, entriesFromHere);
                    entriesFromHere -= Group;
                    n = 0;
                }
            }
        }

        Debug.Assert(entriesFromHere == n, "the joint table's K is its number of non-zero counts");
        _x.AddRun(xs[..n], cs[..n], entriesFromHere);
        _y.AddRun(ys[..n], cs[..n], entriesFromHere);
    }

    // The owed marginals of a normalized table: what deriving them entry by entry (as above) and re-basing gives, in
    // bulk. Their counts and sums depend only on the totals; what depends on the order of the entries is the order in
    // which values became large (count ≥ CountTable.LargeCount), which their sums follow. So the totals and that order
    // are worked out in one pass over the pairs, and each marginal is entered with its large values first, in that
    // order, then the others (CountTable.AddCounts re-bases at the end). Several times faster than deriving entry by
    // entry; TableFormatTests in the Streaming tests hold the two equal, bit for bit.
    private void DeriveNormalized()
    {
        _x.Clear();
        _y.Clear();
        CountSpan joint = Joint.Counts;
        int xIds = 0;
        int yIds = 0;
        for (int pairId = 0; pairId < joint.Length; pairId++)
        {
            if (joint[pairId] != 0)
            {
                (int x, int y) = Pairs.GetPair(pairId);
                xIds = Math.Max(xIds, x + 1);
                yIds = Math.Max(yIds, y + 1);
            }
        }

        long[] xSums = ArrayPool<long>.Shared.Rent(Math.Max(xIds, 1));
        long[] ySums = ArrayPool<long>.Shared.Rent(Math.Max(yIds, 1));
        int[] xOrder = ArrayPool<int>.Shared.Rent(Math.Max(xIds, 1));
        int[] yOrder = ArrayPool<int>.Shared.Rent(Math.Max(yIds, 1));
        try
        {
            Array.Clear(xSums, 0, xIds);
            Array.Clear(ySums, 0, yIds);
            int xLarge = 0;
            int yLarge = 0;
            for (int pairId = 0; pairId < joint.Length; pairId++)
            {
                long c = joint[pairId];
                if (c != 0)
                {
                    (int x, int y) = Pairs.GetPair(pairId);
                    xLarge += Accumulate(xSums, xOrder, xLarge, x, c);
                    yLarge += Accumulate(ySums, yOrder, yLarge, y, c);
                }
            }

            EnterMarginal(_x, xSums.AsSpan(0, xIds), xOrder, xLarge);
            EnterMarginal(_y, ySums.AsSpan(0, yIds), yOrder, yLarge);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(xSums);
            ArrayPool<long>.Shared.Return(ySums);
            ArrayPool<int>.Shared.Return(xOrder);
            ArrayPool<int>.Shared.Return(yOrder);
        }

        _marginalsStale = false;
    }

    // Adds c to the total of value v; returns 1 (and notes v at order[large]) when that makes v large.
    private static int Accumulate(long[] sums, int[] order, int large, int v, long c)
    {
        long before = sums[v];
        sums[v] = before + c;
        if (before < CountTable.LargeCount && before + c >= CountTable.LargeCount)
        {
            order[large] = v;
            return 1;
        }

        return 0;
    }

    // Enters a marginal's totals into the empty table: the large values first, in the order they became large, then
    // the others in id order (their order does not matter: small counts are summed from the fingerprint).
    private static void EnterMarginal(CountTable marginal, Span<long> sums, int[] order, int large)
    {
        int n = large;
        for (int v = 0; v < sums.Length; v++)
        {
            if (sums[v] != 0 && sums[v] < CountTable.LargeCount)
            {
                order[n++] = v;
            }
        }

        // The totals in entry order; reusing the front of `sums` would overwrite totals still to be read: a new array.
        long[] counts = ArrayPool<long>.Shared.Rent(Math.Max(n, 1));
        try
        {
            for (int i = 0; i < n; i++)
            {
                counts[i] = sums[order[i]];
            }

            marginal.AddCounts(counts.AsSpan(0, n), order.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<long>.Shared.Return(counts);
        }
    }
}
