using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using StreamEntropy.Core.Numerics;

namespace StreamEntropy.Core.Counting;

/// <summary>Counts of one field's values (or of pair ids) in one window, with the sums the entropy estimators need.</summary>
/// <remarks>
/// <para>Each <see cref="Add(int)"/> or <see cref="Remove(int)"/> is O(1) and allocation-free once the value's id has a slot.
/// It maintains the total N, the number of distinct values K, the fingerprint φⱼ (how many values have count j),
/// S1 = Σ n ln n, S2 = Σ n ln² n and SG = Σ n G(n) (Grassberger's G).</para>
/// <para>The fingerprint is dense for counts below <see cref="CountFunctionTables.Limit"/>; values whose count reaches
/// that limit are tracked by id in a small set instead (there are at most N / limit of them). The sums over small counts
/// are kept incrementally with table lookups and Neumaier compensation, and re-based exactly from the fingerprint every
/// 2¹⁶ updates (amortised O(1)), so they never drift. The large values' share is summed afresh when the sums are read
/// after one of them changed: a heavy value's update is then a plain increment, the common case in skewed streams.</para>
/// <para>The counts are kept as <see cref="int"/>, 4 bytes per id (the largest share of a field's memory after its
/// interner), until one of them would pass <see cref="int.MaxValue"/>: the table then widens all of them to
/// <see cref="long"/> once, for good (a copy, O(ids)), and counts on exactly as before. <see cref="Counts"/> reads either
/// width as <see cref="long"/>.</para>
/// <para>Ids come from a <see cref="ValueInterner"/> or <see cref="PairInterner"/> shared by all windows of the field.
/// Single writer; not thread-safe.</para>
/// </remarks>
public sealed class CountTable
{
    /// <summary>The count from which a value is tracked as a large value (by id, outside the fingerprint); the large
    /// values' share of the sums is summed in the order of their set, which in a table built by additions only is the
    /// order in which they became large.</summary>
    public const int LargeCount = CountFunctionTables.Limit;

    private const int Limit = CountFunctionTables.Limit;
    private const long MinRebaseInterval = 1 << 16;

    // The counts while they all fit in an int; empty once they were widened, so that every id then takes the range
    // check's slow path to _wide (an id past the end of a narrow table takes it too, to grow it).
    private int[] _counts;
    private long[]? _wide; // the counts once one of them passed int.MaxValue; null until then
    private const int InitialFingerprint = 16;

    // φⱼ for 1 ≤ j < Limit; doubles hold these integers exactly and feed TensorPrimitives.Dot. It starts short and
    // grows (up to Limit) with the largest count seen, so a table that counts a few events costs bytes, not 8 KiB: a
    // file with 100 000 columns has 100 000 tables.
    private double[] _fingerprint = new double[InitialFingerprint];

    [ThreadStatic]
    private static double[]? t_paddedFingerprint; // a short fingerprint copied out to Limit entries for Rebase
    private readonly HashSet<int> _large = []; // ids whose count is ≥ Limit
    private long _total;
    private int _distinct;
    private NeumaierSum _s1; // over values with count < Limit
    private NeumaierSum _s2;
    private NeumaierSum _sg;
    private (double S1, double S2, double SG) _largeSums; // over the large values, valid unless _largeDirty
    private bool _largeDirty;
    private long _updatesSinceRebase;

    /// <summary>Creates an empty table.</summary>
    /// <param name="capacity">The number of ids to reserve room for.</param>
    public CountTable(int capacity = 16)
    {
        _counts = new int[Math.Max(capacity, 1)];
    }

    /// <summary>Gets the total count N.</summary>
    public long Total => _total;

    /// <summary>Gets the number of distinct values K (ids with a non-zero count).</summary>
    public int Distinct => _distinct;

    /// <summary>Gets f₁, the number of values seen exactly once.</summary>
    public long Singletons => (long)_fingerprint[1];

    /// <summary>Gets S1 = Σ n ln n over the non-zero counts.</summary>
    public double SumNLogN => _s1.Value + LargeSums().S1;

    /// <summary>Gets S2 = Σ n ln² n over the non-zero counts.</summary>
    public double SumNLog2N => _s2.Value + LargeSums().S2;

    /// <summary>Gets SG = Σ n G(n) over the non-zero counts, G being Grassberger's function.</summary>
    public double SumNG => _sg.Value + LargeSums().SG;

    /// <summary>Gets the counts indexed by id; ids past the end have count zero.</summary>
    public CountSpan Counts => _wide is null ? new CountSpan(_counts) : new CountSpan(_wide);

    /// <summary>Gets the count of one id.</summary>
    public long this[int id] => (uint)id < (uint)_counts.Length ? _counts[id] : WideCount(id);

    /// <summary>Gets a value indicating whether the counts are stored as <see cref="long"/> (one passed
    /// <see cref="int.MaxValue"/>; for tests).</summary>
    internal bool IsWide => _wide is not null;

    /// <summary>Counts one occurrence of <paramref name="id"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int id)
    {
        int[] counts = _counts;
        if ((uint)id >= (uint)counts.Length)
        {
            AddOutside(id);
            return;
        }

        ref int slot = ref counts[id];
        int n = slot;
        slot = n + 1; // wraps only from int.MaxValue, a large count: AddLarge then widens the counts
        Counted(id, n);
    }

    /// <summary>Counts one occurrence of each id in <paramref name="ids"/>, in order: the same as one
    /// <see cref="Add(int)"/> per id, to the last bit of every sum.</summary>
    /// <remarks>Faster when the counts are larger than the cache: a first pass prefetches every id's count, so that the cache
    /// misses of the batch overlap; the second adds. Batches of a few dozen ids suit it best.</remarks>
    public void AddMany(ReadOnlySpan<int> ids)
    {
        int[] counts = _counts; // empty once wide: no hints then
        foreach (int id in ids)
        {
            if ((uint)id < (uint)counts.Length)
            {
                CacheHint.Prefetch(ref counts[id]);
            }
        }

        foreach (int id in ids)
        {
            Add(id);
        }
    }

    /// <summary>Retracts one occurrence of <paramref name="id"/>.</summary>
    /// <exception cref="InvalidOperationException">The id's count is already zero.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Remove(int id)
    {
        long n = TakeOne(id);
        _total--;
        if (n < Limit)
        {
            _fingerprint[n]--;
            if (n == 1)
            {
                _distinct--;
            }
            else
            {
                _fingerprint[n - 1]++;
            }

            _s1.Add(-CountFunctionTables.DeltaNLogN[n - 1]);
            _s2.Add(-CountFunctionTables.DeltaNLog2N[n - 1]);
            _sg.Add(-CountFunctionTables.DeltaNG[n - 1]);
        }
        else
        {
            RemoveLarge(id, n);
        }

        if (++_updatesSinceRebase >= MinRebaseInterval)
        {
            Rebase();
        }
    }

    /// <summary>Adds <paramref name="count"/> occurrences of <paramref name="id"/> at once (negative retracts).</summary>
    /// <exception cref="InvalidOperationException">The count would become negative.</exception>
    // Called once per distinct pair when the marginals were derived (AddRun does that now, to the same bits), millions
    // of times in a row at the end of a `profile`: compiled optimized at its first call, not in the first tier (see
    // "Profiling a file in parts" in the Streaming README).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(int id, long count)
    {
        if (count == 0)
        {
            return;
        }

        long n = AddToCount(id, count);
        long m = n + count;
        Leave(id, n);
        Enter(id, m);
        AddSmallTerms(n, -1);
        AddSmallTerms(m, 1);
        _largeDirty |= n >= Limit || m >= Limit;
        // A bulk step's difference of two large terms loses more than a unit step: re-base now and then.
        _updatesSinceRebase += 64;
        if (_updatesSinceRebase >= MinRebaseInterval)
        {
            Rebase();
        }
    }

    /// <summary>Adds <paramref name="counts"/>[i] occurrences of <paramref name="ids"/>[i] for every i, in order: what
    /// <see cref="Add(int, long)"/> per entry leaves, to the last bit of every sum and in the same order of the large
    /// values, for a run of entries added one group at a time (how a pair table's marginals are derived).</summary>
    /// <param name="ids">The ids, one per entry.</param>
    /// <param name="counts">The counts, positive, one per entry.</param>
    /// <param name="entriesFromHere">The number of entries this call and the ones after it in the same run add (at least
    /// <paramref name="counts"/>.Length; no other update of the table may come in between): what tells which sum
    /// updates a later re-base overwrites. Counting more entries than promised is safe; fewer is not.</param>
    /// <remarks>
    /// <para>Faster than one <see cref="Add(int, long)"/> per entry, with the same floating-point operations where they
    /// count: it prefetches the group's count slots, and skips only what cannot change the outcome:</para>
    /// <list type="bullet">
    /// <item>The small-count terms of an entry that a re-base follows within the run: <see cref="Rebase"/> assigns S1, S2
    /// and SG afresh from the fingerprint without reading them, and nothing else reads them during the run, so those
    /// additions are dead. A re-base that another one follows within the run is skipped for the same reason, leaving
    /// what it leaves besides the sums (the large share marked dirty, the update count reset); the last one runs, on the
    /// fingerprint the entries before it left, which is computed entry by entry here as there (exact integer doubles).</item>
    /// <item>For a value that is already large, <c>Leave</c> then <c>Enter</c>: K goes down and up by one, the fingerprint
    /// is not touched, and the id is removed from the large set and added straight back. A <see cref="HashSet{T}"/> puts
    /// a removed entry at the head of its free list and takes the next added one from there, so the id returns to the
    /// same place in the entries, which the set enumerates in order; only its bucket chain's order differs, which no
    /// enumeration, count or later resize depends on. Its small-count terms are no-ops (counts ≥ the limit have none).</item>
    /// </list>
    /// </remarks>
    /// <exception cref="ArgumentException">A count is not positive, or the spans differ in length.</exception>
    // Called once per group of 64 pairs when the marginals are derived: compiled optimized at its first call, as
    // Add(int, long) was for the same use.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void AddRun(ReadOnlySpan<int> ids, ReadOnlySpan<long> counts, long entriesFromHere)
    {
        if (counts.Length != ids.Length)
        {
            throw new ArgumentException("ids and counts must have one entry each.", nameof(counts));
        }

        int[] slots = _counts; // empty once wide: no hints then
        foreach (int id in ids)
        {
            if ((uint)id < (uint)slots.Length)
            {
                CacheHint.Prefetch(ref slots[id]);
            }
        }

        for (int i = 0; i < ids.Length; i++, entriesFromHere--)
        {
            int id = ids[i];
            long count = counts[i];
            if (count <= 0)
            {
                throw new ArgumentException($"The count of entry {i} is not positive.", nameof(counts));
            }

            long n = AddToCount(id, count);
            long m = n + count;
            if (n >= Limit)
            {
                _largeDirty = true; // large before and after: see the remarks
            }
            else
            {
                Leave(id, n);
                Enter(id, m);
                if (_updatesSinceRebase + (64 * entriesFromHere) < MinRebaseInterval)
                {
                    AddSmallTerms(n, -1);
                    AddSmallTerms(m, 1);
                }

                _largeDirty |= m >= Limit;
            }

            _updatesSinceRebase += 64;
            if (_updatesSinceRebase >= MinRebaseInterval)
            {
                if (64 * (entriesFromHere - 1) >= MinRebaseInterval)
                {
                    _largeDirty = true; // another re-base follows: this one's sums would be overwritten
                    _updatesSinceRebase = 0;
                }
                else
                {
                    Rebase();
                }
            }
        }
    }

    // Adds count (non-zero) to the count of id and to N, growing the counts for a new id and widening them when the
    // count passes int.MaxValue; returns the count before.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long AddToCount(int id, long count)
    {
        if ((uint)id >= (uint)Capacity)
        {
            if (count < 0)
            {
                ThrowNotCounted(id);
            }

            EnsureId(id);
        }

        long n = this[id];
        long m = n + count;
        if (m < 0)
        {
            ThrowNotCounted(id);
        }

        if (_wide is null && m > int.MaxValue)
        {
            Widen();
        }

        if (_wide is null)
        {
            _counts[id] = (int)m;
        }
        else
        {
            _wide[id] = m;
        }

        _total += count;
        return n;
    }

    /// <summary>Adds every count of <paramref name="other"/>, which must use the same id space.</summary>
    public void Merge(CountTable other)
    {
        ArgumentNullException.ThrowIfNull(other);
        AddCounts(other.Counts);
    }

    /// <summary>Adds <paramref name="counts"/>[id] occurrences of every id at once, then re-bases the sums exactly.</summary>
    /// <remarks>O(ids): how a batch of raw counts (a file's part, counted without the per-update bookkeeping) becomes a
    /// table. The result depends only on the final counts, not on the order they were reached in.</remarks>
    /// <exception cref="ArgumentException">A count is negative.</exception>
    public void AddCounts(CountSpan counts)
    {
        if (counts.Length > Capacity)
        {
            EnsureId(counts.Length - 1);
        }

        for (int id = 0; id < counts.Length; id++)
        {
            long c = counts[id];
            if (c != 0)
            {
                if (c < 0)
                {
                    throw new ArgumentException($"The count of id {id} is negative.", nameof(counts));
                }

                long n = AddToCount(id, c);
                Leave(id, n);
                Enter(id, n + c);
            }
        }

        Rebase();
    }

    /// <summary>Adds <paramref name="counts"/>[i] occurrences of id <c>idMap[i]</c> for every i, then re-bases the sums exactly.</summary>
    /// <exception cref="ArgumentException"><paramref name="idMap"/> has no entry for an i with a count, or a count is negative.</exception>
    public void AddCounts(ReadOnlySpan<long> counts, ReadOnlySpan<int> idMap)
    {
        for (int id = 0; id < counts.Length; id++)
        {
            long c = counts[id];
            if (c == 0)
            {
                continue;
            }

            if (id >= idMap.Length || idMap[id] < 0 || c < 0)
            {
                throw new ArgumentException($"Id {id} has no mapping or a negative count.", nameof(idMap));
            }

            int target = idMap[id];
            long n = AddToCount(target, c);
            Leave(target, n);
            Enter(target, n + c);
        }

        Rebase();
    }

    /// <summary>Sets every count to zero, keeping the allocated room for reuse.</summary>
    public void Clear()
    {
        Array.Clear(_counts);
        if (_wide is not null)
        {
            Array.Clear(_wide); // stays wide: the room is kept, as for the narrow counts
        }

        Array.Clear(_fingerprint);
        _large.Clear();
        _total = 0;
        _distinct = 0;
        _s1 = default;
        _s2 = default;
        _sg = default;
        _largeSums = default;
        _largeDirty = false;
        _updatesSinceRebase = 0;
    }

    /// <summary>Puts the table in the state that <see cref="Clear"/> followed by <see cref="AddCounts(CountSpan)"/>
    /// of its own counts leaves (a saved table's canonical form), without rebuilding it: the large values in id order
    /// and the sums re-based exactly.</summary>
    /// <remarks>O(<see cref="LargeCount"/> + L log L) for L large values, where the rebuild is O(ids). The rest of what the
    /// rebuild sets is already what it would set: the counts, N, K and the fingerprint depend on the counts only, and
    /// the large set gets the same operations as in the rebuild (cleared, then its ids added in ascending order), so it
    /// enumerates them in the same order, which the large values' sums follow.</remarks>
    public void Normalize()
    {
        if (_large.Count > 1)
        {
            int[] large = [.. _large];
            Array.Sort(large);
            _large.Clear();
            foreach (int id in large)
            {
                _large.Add(id);
            }
        }

        Rebase();
    }

    /// <summary>Evaluates Σ over non-zero counts n of <typeparamref name="TTerm"/>(n), visiting each distinct count once.</summary>
    /// <remarks>O(limit + number of large values): the fingerprint groups all values with the same small count.</remarks>
    public double SumOverCounts<TTerm>(TTerm term)
        where TTerm : struct, ICountTerm
    {
        double sum = 0;
        double[] fingerprint = _fingerprint;
        for (int j = 1; j < fingerprint.Length; j++)
        {
            double multiplicity = fingerprint[j];
            if (multiplicity != 0)
            {
                sum += multiplicity * term.Evaluate(j);
            }
        }

        foreach (int id in _large)
        {
            sum += term.Evaluate(this[id]);
        }

        return sum;
    }

    /// <summary>Recomputes N, K and the three sums from the raw counts, independently of the incremental state.</summary>
    /// <remarks>For verification and tests; O(ids) with a vectorised kernel.</remarks>
    public (long Total, int Distinct, double SumNLogN, double SumNLog2N) RecomputeFromCounts()
    {
        if (_wide is null)
        {
            (long total, int distinct) = TotalAndDistinct<int>(_counts);
            (double s1, double s2) = EntropyKernels.SumNLogNInt32(_counts);
            return (total, distinct, s1, s2);
        }
        else
        {
            (long total, int distinct) = TotalAndDistinct<long>(_wide);
            (double s1, double s2) = EntropyKernels.SumNLogN(_wide);
            return (total, distinct, s1, s2);
        }
    }

    private static (long Total, int Distinct) TotalAndDistinct<T>(ReadOnlySpan<T> counts)
        where T : struct, IBinaryInteger<T>
    {
        long total = 0;
        int distinct = 0;
        foreach (T c in counts)
        {
            total += long.CreateTruncating(c);
            distinct += T.IsZero(c) ? 0 : 1;
        }

        return (total, distinct);
    }

    /// <summary>Gets the large values' ids in the order their share of the sums is summed (for tests).</summary>
    internal IEnumerable<int> LargeIds => _large;

    /// <summary>Gets the updates counted towards the next re-base (for tests).</summary>
    internal long UpdatesSinceRebase => _updatesSinceRebase;

    /// <summary>Re-bases S1, S2 and SG exactly from the fingerprint.</summary>
    internal void Rebase()
    {
        // Always a dot product of Limit terms: the vectorised sum's grouping depends on the length, and the sums must
        // not depend on how far the fingerprint has grown.
        ReadOnlySpan<double> fingerprint = _fingerprint;
        if (fingerprint.Length < Limit)
        {
            double[] padded = t_paddedFingerprint ??= new double[Limit];
            fingerprint.CopyTo(padded);
            padded.AsSpan(fingerprint.Length).Clear();
            fingerprint = padded;
        }

        _s1 = new NeumaierSum(TensorPrimitives.Dot(fingerprint, CountFunctionTables.NLogN.AsSpan(0, Limit)));
        _s2 = new NeumaierSum(TensorPrimitives.Dot(fingerprint, CountFunctionTables.NLog2N.AsSpan(0, Limit)));
        _sg = new NeumaierSum(TensorPrimitives.Dot(fingerprint, CountFunctionTables.NG.AsSpan(0, Limit)));
        _largeDirty = true;
        _updatesSinceRebase = 0;
    }

    // The large values' share of the sums, summed afresh (compensated) when one of them changed since the last read.
    // There are at most N / Limit large values, and reads happen at publication, not per event; this keeps the
    // per-update cost of a heavy value to one increment.
    private (double S1, double S2, double SG) LargeSums()
    {
        if (_largeDirty)
        {
            var sum1 = new NeumaierSum(0);
            var sum2 = new NeumaierSum(0);
            var sumG = new NeumaierSum(0);
            foreach (int id in _large)
            {
                long n = this[id];
                sum1.Add(CountFunctionTables.FNLogN(n));
                sum2.Add(CountFunctionTables.FNLog2N(n));
                sumG.Add(CountFunctionTables.FNG(n));
            }

            _largeSums = (sum1.Value, sum2.Value, sumG.Value);
            _largeDirty = false;
        }

        return _largeSums;
    }

    // Adds (sign 1) or removes (sign −1) the small-count terms of a value with count n; large counts live in LargeSums.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddSmallTerms(long n, int sign)
    {
        if (n > 0 && n < Limit)
        {
            _s1.Add(sign * CountFunctionTables.NLogN[n]);
            _s2.Add(sign * CountFunctionTables.NLog2N[n]);
            _sg.Add(sign * CountFunctionTables.NG[n]);
        }
    }

    // The fingerprint and sums of one occurrence added to a value whose count n was below Limit − 1 (the count itself
    // is already incremented).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddSmall(int n)
    {
        if (n == 0)
        {
            _distinct++;
        }
        else
        {
            _fingerprint[n]--;
        }

        if (n + 1 >= _fingerprint.Length)
        {
            GrowFingerprint(n + 1);
        }

        _fingerprint[n + 1]++;
        _s1.Add(CountFunctionTables.DeltaNLogN[n]);
        _s2.Add(CountFunctionTables.DeltaNLog2N[n]);
        _sg.Add(CountFunctionTables.DeltaNG[n]);
    }

    // Add(int) for an id past the end of the narrow counts: a new id (the counts grow), or any id once they are wide.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private void AddOutside(int id)
    {
        if (_wide is null)
        {
            Grow(id);
            Add(id);
            return;
        }

        if ((uint)id >= (uint)_wide.Length)
        {
            GrowWide(id);
        }

        ref long slot = ref _wide[id];
        long n = slot;
        slot = n + 1;
        Counted(id, n);
    }

    // What follows the increment of id's count from n, for either width: N, the fingerprint and sums (small n) or the
    // large set, and the periodic re-base.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Counted(int id, long n)
    {
        _total++;
        if (n < Limit - 1)
        {
            AddSmall((int)n);
        }
        else
        {
            AddLarge(id, n);
        }

        if (++_updatesSinceRebase >= MinRebaseInterval)
        {
            Rebase();
        }
    }

    // Retracts one occurrence of id from its count; returns the count before.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long TakeOne(int id)
    {
        int[] counts = _counts;
        if ((uint)id < (uint)counts.Length)
        {
            int n = counts[id];
            if (n == 0)
            {
                ThrowNotCounted(id);
            }

            counts[id] = n - 1;
            return n;
        }

        return TakeOneWide(id);
    }

    private long TakeOneWide(int id)
    {
        if (_wide is null || (uint)id >= (uint)_wide.Length || _wide[id] == 0)
        {
            ThrowNotCounted(id);
        }

        return _wide![id]--; // not null: checked above (ThrowNotCounted throws)
    }

    // The count of an id past the end of the narrow counts.
    private long WideCount(int id) => _wide is not null && (uint)id < (uint)_wide.Length ? _wide[id] : 0;

    // The large-value side of Add(int) (n ≥ Limit − 1 is the count before; the count itself is already incremented).
    // Part of the per-event path: compiled fully optimized at its first call instead of tiered (see "Per-event path
    // and tiering" in the Streaming README).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddLarge(int id, long n)
    {
        if (n == Limit - 1)
        {
            // The value leaves the small range: its small terms go, its count is summed in LargeSums from now on.
            _fingerprint[n]--;
            _large.Add(id);
            AddSmallTerms(n, -1);
        }
        else if (n == int.MaxValue && _wide is null)
        {
            // Add(int) has just wrapped this narrow count round to int.MinValue: widen, and put the true count back.
            Widen();
            _wide![id] = n + 1;
        }

        _largeDirty = true;
    }

    private void RemoveLarge(int id, long n)
    {
        if (n == Limit)
        {
            _large.Remove(id);
            if (n - 1 >= _fingerprint.Length)
            {
                GrowFingerprint((int)n - 1); // the value may have jumped past the small range in one bulk step
            }

            _fingerprint[n - 1]++;
            AddSmallTerms(n - 1, 1);
        }

        _largeDirty = true;
    }

    // Takes a value with count n out of the fingerprint/large set (before its count changes).
    // Compiled optimized at once, as Add(int, long) and AddSmallTerms: called per distinct value by bulk additions.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Leave(int id, long n)
    {
        if (n == 0)
        {
            return;
        }

        if (n < Limit)
        {
            _fingerprint[n]--;
        }
        else
        {
            _large.Remove(id);
        }

        _distinct--;
    }

    // Puts a value with count m into the fingerprint/large set (after its count changed).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Enter(int id, long m)
    {
        if (m == 0)
        {
            return;
        }

        if (m < Limit)
        {
            if (m >= _fingerprint.Length)
            {
                GrowFingerprint((int)m);
            }

            _fingerprint[m]++;
        }
        else
        {
            _large.Add(id);
        }

        _distinct++;
    }

    private void GrowFingerprint(int index)
    {
        Debug.Assert(index < Limit, "counts from Limit on are tracked in _large");
        int size = Math.Min(Math.Max(_fingerprint.Length * 2, index + 1), Limit);
        Array.Resize(ref _fingerprint, size);
    }

    // The room for ids, narrow or wide.
    private int Capacity => _wide?.Length ?? _counts.Length;

    // Makes room for ids up to id, in the counts' width.
    private void EnsureId(int id)
    {
        if (_wide is null)
        {
            Grow(id);
        }
        else
        {
            GrowWide(id);
        }
    }

    private void Grow(int id)
    {
        Debug.Assert(id >= 0, "ids are non-negative");
        int size = Math.Max(_counts.Length * 2, id + 1);
        Array.Resize(ref _counts, size);
    }

    private void GrowWide(int id)
    {
        Debug.Assert(id >= 0, "ids are non-negative");
        int size = Math.Max(_wide!.Length * 2, id + 1);
        Array.Resize(ref _wide, size);
    }

    /// <summary>Copies the counts to longs, for good: a count is about to pass <see cref="int.MaxValue"/> (and tests
    /// widen a table before its first update, as the reference the narrow storage is compared with). The length is
    /// kept, so <see cref="Counts"/> reads the same ids before and after.</summary>
    internal void Widen()
    {
        Debug.Assert(_wide is null, "widened once");
        long[] wide = new long[_counts.Length];
        for (int id = 0; id < _counts.Length; id++)
        {
            wide[id] = _counts[id];
        }

        _wide = wide;
        _counts = [];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotCounted(int id) =>
        throw new InvalidOperationException($"Cannot retract id {id}: its count would become negative.");
}
