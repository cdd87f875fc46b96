using System.Diagnostics;
using System.Runtime.CompilerServices;
using StreamEntropy.Core.Counting;

namespace StreamEntropy.Streaming.Counting;

/// <summary>The counts of every configured field and pair over one window (or one pane of a window).</summary>
/// <remarks>
/// <para>Fed with one encoded event at a time: value ids by field index, <see cref="EventEncoder.Missing"/> or
/// <see cref="EventEncoder.Invalid"/> where a field has no usable value. Such a field is not counted, its missing
/// (or invalid) counter is, and pairs using it skip the event. Single writer.</para>
/// <para>A field with a MaxDistinct budget (<see cref="EventEncoder.Hashed"/>) and a pair with a budget are counted in
/// <see cref="BoundedCounts"/> by value hash instead (their <see cref="Field"/> and <see cref="Pair"/> tables stay
/// empty): exact up to the budget, then a bounded summary. Those counts cannot be retracted; a sliding window keeps them
/// per pane and merges the live panes into its aggregate when it reports (<see cref="RebuildBounded"/>).</para>
/// </remarks>
public sealed class FrequencySet
{
    private CountTable[] _fields = [];
    private PairCountTable[] _pairs = [];
    private (int X, int Y)[] _pairIndexes = [];
    private long[] _missing = [];
    private long[] _invalid = [];
    private BoundedCounts?[] _boundedFields = [];
    private BoundedPairCounts?[] _boundedPairs = [];
    private readonly bool _countBounded;

    /// <summary>Creates empty tables for the encoder's schema, sharing its interners.</summary>
    public FrequencySet(EventEncoder encoder)
        : this(encoder, countBoundedEvents: true)
    {
    }

    /// <summary>Creates empty tables; with <paramref name="countBoundedEvents"/> false, events are not counted into the
    /// bounded counts, which are only filled by <see cref="RebuildBounded"/> (a sliding window's aggregate).</summary>
    internal FrequencySet(EventEncoder encoder, bool countBoundedEvents)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        Encoder = encoder;
        _countBounded = countBoundedEvents;
        Grow();
    }

    /// <summary>Adds empty tables for the fields and pairs the schema gained since this set was created or last grew
    /// (fields found by discovery: counted from their first event on, so their missing count starts at zero too).</summary>
    internal void Grow()
    {
        EventSchema schema = Encoder.Schema;
        int oldFields = _fields.Length;
        int oldPairs = _pairs.Length;
        if (schema.Fields.Count == oldFields && schema.Pairs.Count == oldPairs)
        {
            return;
        }

        Array.Resize(ref _fields, schema.Fields.Count);
        Array.Resize(ref _missing, _fields.Length);
        Array.Resize(ref _invalid, _fields.Length);
        Array.Resize(ref _boundedFields, _fields.Length);
        for (int f = oldFields; f < _fields.Length; f++)
        {
            _fields[f] = new CountTable();
            int budget = schema.Fields[f].MaxDistinct;
            _boundedFields[f] = budget > 0 ? new BoundedCounts(budget) : null;
        }

        Array.Resize(ref _pairs, schema.Pairs.Count);
        Array.Resize(ref _pairIndexes, _pairs.Length);
        Array.Resize(ref _boundedPairs, _pairs.Length);
        for (int p = oldPairs; p < _pairs.Length; p++)
        {
            _pairs[p] = new PairCountTable(Encoder.Pairs[p]);
            _pairIndexes[p] = schema.PairIndexes(p);
            int budget = schema.PairMaxDistinct(p);
            _boundedPairs[p] = budget > 0 ? new BoundedPairCounts(budget) : null;
        }
    }

    /// <summary>Gets the encoder whose ids these tables count.</summary>
    public EventEncoder Encoder { get; }

    /// <summary>Gets the number of events counted.</summary>
    public long Events { get; private set; }

    /// <summary>Gets the table of field <paramref name="field"/>.</summary>
    public CountTable Field(int field) => _fields[field];

    /// <summary>Gets the table of pair <paramref name="pair"/>.</summary>
    public PairCountTable Pair(int pair) => _pairs[pair];

    /// <summary>Gets the bounded counts of field <paramref name="field"/>; null for a field counted exactly by id.</summary>
    internal BoundedCounts? BoundedField(int field) => _boundedFields[field];

    /// <summary>Gets the bounded counts of pair <paramref name="pair"/>; null for a pair counted exactly by id.</summary>
    internal BoundedPairCounts? BoundedPair(int pair) => _boundedPairs[pair];

    /// <summary>Gets how many events lacked field <paramref name="field"/> (absent or null).</summary>
    public long Missing(int field) => _missing[field];

    /// <summary>Gets how many events had a value of numeric field <paramref name="field"/> that is not a number.</summary>
    public long Invalid(int field) => _invalid[field];

    /// <summary>Counts one encoded event (of a schema without budgets).</summary>
    public void Add(ReadOnlySpan<int> ids) => Apply(ids, default, 1);

    /// <summary>Counts one encoded event.</summary>
    /// <param name="ids">The value ids (or <see cref="EventEncoder.Missing"/>, <see cref="EventEncoder.Invalid"/>,
    /// <see cref="EventEncoder.Hashed"/>) by field.</param>
    /// <param name="hashes">The value hashes by field, as <see cref="EventEncoder.Encode(int, ReadOnlySpan{byte}, out ulong)"/>
    /// gives them; may be empty when the schema has no budgets.</param>
    // Part of the per-event path: compiled fully optimized at its first call instead of tiered (see "Per-event path
    // and tiering" in the Streaming README).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<int> ids, ReadOnlySpan<ulong> hashes)
    {
        CountTable[] fields = _fields;
        if (ids.Length != fields.Length || Encoder.Schema.HasBudgets)
        {
            Apply(ids, hashes, 1); // the schema grew, or bounded counts: the general path
            return;
        }

        // The per-event path of every window (a sliding window runs it twice): the same updates as Apply with sign 1
        // and no budgets, in the same order, without the branches on the sign and the bounded counts.
        for (int f = 0; f < fields.Length; f++)
        {
            int id = ids[f];
            if (id >= 0)
            {
                fields[f].Add(id);
            }
            else if (id == EventEncoder.Missing)
            {
                _missing[f]++;
            }
            else
            {
                _invalid[f]++;
            }
        }

        PairCountTable[] pairs = _pairs;
        (int X, int Y)[] indexes = _pairIndexes;
        for (int p = 0; p < pairs.Length && p < indexes.Length; p++)
        {
            int x = ids[indexes[p].X];
            int y = ids[indexes[p].Y];
            if ((x | y) >= 0)
            {
                pairs[p].Add(x, y); // both are ids (Missing and Invalid are negative)
            }
        }

        Events++;
    }

    /// <summary>Counts a run of encoded events, in order: the same as one
    /// <see cref="Add(ReadOnlySpan{int}, ReadOnlySpan{ulong})"/> per event, to the last bit of every table.</summary>
    /// <remarks>Each table's updates keep their order and no table reads another's, so the run is counted table by
    /// table (a field's ids, then a pair's pre-interned ids, in groups whose counts are prefetched together) instead of
    /// event by event. With budgets (or a schema that grew) every event takes the general path.</remarks>
    // Part of the batch path: compiled fully optimized at its first call instead of tiered (see "Per-event path and
    // tiering" in the Streaming README).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void AddMany(in EncodedEvents events)
    {
        const int Group = 64;
        CountTable[] fields = _fields;
        int rows = events.Count;
        if (events.Fields != fields.Length || events.Pairs != _pairs.Length || Encoder.Schema.HasBudgets)
        {
            for (int r = 0; r < rows; r++)
            {
                Apply(events.IdsOf(r), events.HashesOf(r), 1);
            }

            return;
        }

        Span<int> group = stackalloc int[Group];
        ReadOnlySpan<int> ids = events.Ids;
        int width = events.Fields;
        for (int f = 0; f < fields.Length; f++)
        {
            CountTable table = fields[f];
            int n = 0;
            for (int r = 0; r < rows; r++)
            {
                int id = ids[(r * width) + f];
                if (id >= 0)
                {
                    group[n++] = id;
                    if (n == Group)
                    {
                        table.AddMany(group);
                        n = 0;
                    }
                }
                else if (id == EventEncoder.Missing)
                {
                    _missing[f]++;
                }
                else
                {
                    _invalid[f]++;
                }
            }

            table.AddMany(group[..n]);
        }

        ReadOnlySpan<int> pairIds = events.PairIds;
        int pairWidth = events.Pairs;
        for (int p = 0; p < _pairs.Length; p++)
        {
            PairCountTable table = _pairs[p];
            (int xf, int yf) = _pairIndexes[p];
            int n = 0;
            for (int r = 0; r < rows; r++)
            {
                if ((ids[(r * width) + xf] | ids[(r * width) + yf]) >= 0)
                {
                    int pairId = pairIds[(r * pairWidth) + p];
                    Debug.Assert(pairId >= 0, "the engine interns the pair of every event a window counts");
                    group[n++] = pairId;
                    if (n == Group)
                    {
                        table.AddPairIds(group);
                        n = 0;
                    }
                }
            }

            table.AddPairIds(group[..n]);
        }

        Events += rows;
    }

    /// <summary>Retracts one encoded event that was counted before.</summary>
    /// <exception cref="NotSupportedException">The schema has budgets: bounded summaries cannot be decremented.</exception>
    public void Remove(ReadOnlySpan<int> ids) => Apply(ids, default, -1);

    /// <summary>Adds all counts of <paramref name="other"/> (negative <paramref name="sign"/> subtracts them).</summary>
    /// <remarks>O(distinct values and pairs in <paramref name="other"/>); used to retract an expired pane and to merge
    /// partitions. Both sets must come from the same encoder. Bounded counts are merged when adding (if this set counts
    /// them) and left alone when subtracting, since they cannot be retracted: rebuild them with
    /// <see cref="RebuildBounded"/>.</remarks>
    public void Add(FrequencySet other, int sign = 1)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!ReferenceEquals(other.Encoder, Encoder))
        {
            throw new ArgumentException("Frequency sets can only be combined when they share one encoder.", nameof(other));
        }

        if (sign is not (1 or -1))
        {
            throw new ArgumentOutOfRangeException(nameof(sign), sign, "The sign must be 1 or -1.");
        }

        Grow();
        other.Grow();

        for (int f = 0; f < _fields.Length; f++)
        {
            if (sign == 1)
            {
                _fields[f].Merge(other._fields[f]);
            }
            else
            {
                CountSpan counts = other._fields[f].Counts;
                for (int id = 0; id < counts.Length; id++)
                {
                    if (counts[id] != 0)
                    {
                        _fields[f].Add(id, -counts[id]);
                    }
                }
            }

            _missing[f] += sign * other._missing[f];
            _invalid[f] += sign * other._invalid[f];
        }

        for (int p = 0; p < _pairs.Length; p++)
        {
            if (sign == 1)
            {
                _pairs[p].Merge(other._pairs[p]);
            }
            else
            {
                CountSpan counts = other._pairs[p].Joint.Counts;
                for (int id = 0; id < counts.Length; id++)
                {
                    if (counts[id] != 0)
                    {
                        _pairs[p].AddPairCount(id, -counts[id]);
                    }
                }
            }
        }

        if (sign == 1 && _countBounded)
        {
            MergeBounded(other);
        }

        Events += sign * other.Events;
    }

    /// <summary>Replaces the bounded counts with the merge of those of <paramref name="parts"/>, in order (a sliding
    /// window's live panes, oldest first, so that a saved and a restored window merge identically).</summary>
    internal void RebuildBounded(IEnumerable<FrequencySet> parts)
    {
        foreach (BoundedCounts? b in _boundedFields)
        {
            b?.Clear();
        }

        foreach (BoundedPairCounts? b in _boundedPairs)
        {
            b?.Clear();
        }

        foreach (FrequencySet part in parts)
        {
            MergeBounded(part);
        }
    }

    private void MergeBounded(FrequencySet other)
    {
        for (int f = 0; f < _boundedFields.Length; f++)
        {
            _boundedFields[f]?.Merge(other._boundedFields[f]!);
        }

        for (int p = 0; p < _boundedPairs.Length; p++)
        {
            _boundedPairs[p]?.Merge(other._boundedPairs[p]!);
        }
    }

    /// <summary>Sets every count to zero, keeping allocated room for reuse.</summary>
    public void Clear()
    {
        foreach (CountTable t in _fields)
        {
            t.Clear();
        }

        foreach (PairCountTable t in _pairs)
        {
            t.Clear();
        }

        foreach (BoundedCounts? b in _boundedFields)
        {
            b?.Clear();
        }

        foreach (BoundedPairCounts? b in _boundedPairs)
        {
            b?.Clear();
        }

        Array.Clear(_missing);
        Array.Clear(_invalid);
        Events = 0;
    }

    /// <summary>Adds to the event, missing and invalid counters (raw counts of a batch, whose tables are added apart).</summary>
    internal void AddCounters(long events, ReadOnlySpan<long> missing, ReadOnlySpan<long> invalid)
    {
        for (int f = 0; f < _missing.Length; f++)
        {
            _missing[f] += missing[f];
            _invalid[f] += invalid[f];
        }

        Events += events;
    }

    /// <summary>Sets the event, missing and invalid counters, when a saved state is loaded (the tables are loaded separately).</summary>
    internal void RestoreCounters(long events, ReadOnlySpan<long> missing, ReadOnlySpan<long> invalid)
    {
        if (missing.Length != _missing.Length || invalid.Length != _invalid.Length)
        {
            throw new ArgumentException($"Expected {_missing.Length} missing and invalid counters.", nameof(missing));
        }

        missing.CopyTo(_missing);
        invalid.CopyTo(_invalid);
        Events = events;
    }

    /// <summary>Sets field <paramref name="field"/>'s missing and invalid counters (a reference loaded from a baseline).</summary>
    internal void SetCounters(int field, long missing, long invalid)
    {
        _missing[field] = missing;
        _invalid[field] = invalid;
    }

    /// <summary>Sets the event count (a reference loaded from a baseline).</summary>
    internal void SetEvents(long events) => Events = events;

    private void Apply(ReadOnlySpan<int> ids, ReadOnlySpan<ulong> hashes, int sign)
    {
        if (ids.Length != _fields.Length)
        {
            Grow();
        }

        if (ids.Length != _fields.Length)
        {
            throw new ArgumentException($"Expected {_fields.Length} ids, got {ids.Length}.", nameof(ids));
        }

        bool budgets = Encoder.Schema.HasBudgets;
        if (budgets && (sign < 0 || hashes.Length != ids.Length))
        {
            throw sign < 0
                ? new NotSupportedException("Counts under a MaxDistinct budget cannot be retracted.")
                : new ArgumentException($"Expected {ids.Length} value hashes for a schema with budgets, got {hashes.Length}.", nameof(hashes));
        }

        for (int f = 0; f < ids.Length; f++)
        {
            int id = ids[f];
            if (id >= 0)
            {
                if (sign > 0)
                {
                    _fields[f].Add(id);
                }
                else
                {
                    _fields[f].Remove(id);
                }
            }
            else if (id == EventEncoder.Hashed)
            {
                if (_countBounded)
                {
                    _boundedFields[f]!.Add(hashes[f]);
                }
            }
            else if (id == EventEncoder.Missing)
            {
                _missing[f] += sign;
            }
            else
            {
                _invalid[f] += sign;
            }
        }

        for (int p = 0; p < _pairs.Length; p++)
        {
            (int xf, int yf) = _pairIndexes[p];
            int x = ids[xf];
            int y = ids[yf];
            if (budgets && _boundedPairs[p] is { } bounded)
            {
                if (_countBounded && (x >= 0 || x == EventEncoder.Hashed) && (y >= 0 || y == EventEncoder.Hashed))
                {
                    bounded.Add(hashes[xf], hashes[yf]);
                }
            }
            else if (x >= 0 && y >= 0)
            {
                if (sign > 0)
                {
                    _pairs[p].Add(x, y);
                }
                else
                {
                    _pairs[p].Remove(x, y);
                }
            }
        }

        Events += sign;
    }
}
