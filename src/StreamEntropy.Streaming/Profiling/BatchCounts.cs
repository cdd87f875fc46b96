using StreamEntropy.Core.Counting;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Profiling;

/// <summary>The raw counts of a batch of rows (a part of a file): values are interned by an encoder as usual, but each
/// row only increments plain counters; the <see cref="FrequencySet"/> tables are built once, at the end.</summary>
/// <remarks>
/// <para>A streaming table keeps its entropy sums current on every update; a file is read whole before anything is
/// reported, so <c>profile</c> defers that work: an update here is one increment per field and one slot per pair (see
/// <see cref="PairAccumulator"/>). <see cref="AddTo"/> then adds the counts to a set in bulk and re-bases its sums
/// exactly, so the results depend on the final counts only. For schemas without budgets.</para>
/// <para>Rows are gathered in blocks of <see cref="BlockRows"/> (their values copied out of the reader's buffer) and
/// processed a block at a time, each step in two passes: the first computes where every value's, count's and pair's
/// slot is and prefetches it, the second does the work. With 10⁵–10⁶ distinct values those slots are cache misses;
/// requested from independent addresses in a tight loop they overlap, instead of each costing a full memory round trip
/// in turn. A prefetch rather than a load: a load of a never-written page maps the zero page, and the write after it
/// faults again and flushes the other core's TLB.</para>
/// </remarks>
internal sealed class BatchCounts
{
    /// <summary>Rows per block: their slots (a few cache lines each) should stay in the first-level cache between the passes.</summary>
    internal const int BlockRows = 64;

    private const int Pending = int.MinValue; // a categorical value copied into the block, interned when it is processed

    private readonly int _fieldCount;
    private readonly bool[] _binned;
    private readonly long[][] _fields;
    private readonly long[] _missing;
    private readonly long[] _invalid;
    private readonly PairAccumulator[] _pairs;
    private readonly (int X, int Y)[] _pairIndexes;

    // The block: ids (or Pending, Missing, Invalid) row-major; the pending values' bytes and spans, field-major.
    private readonly int[] _ids;
    private readonly int[][] _starts;
    private readonly int[][] _lengths;
    private readonly int[][] _rowOf;
    private readonly int[] _pendingCount;
    private readonly int[] _internedIds = new int[BlockRows];
    private byte[] _bytes = new byte[4096];
    private int _bytesUsed;
    private int _blockRows;
    private long _rows;

    public BatchCounts(EventEncoder encoder)
    {
        Encoder = encoder;
        EventSchema schema = encoder.Schema;
        int fields = schema.Fields.Count;
        _fieldCount = fields;
        _binned = new bool[fields];
        _fields = new long[fields][];
        _starts = new int[fields][];
        _lengths = new int[fields][];
        _rowOf = new int[fields][];
        for (int f = 0; f < fields; f++)
        {
            _binned[f] = schema.Fields[f].BinWidth is not null;
            _fields[f] = new long[16];
            _starts[f] = new int[BlockRows];
            _lengths[f] = new int[BlockRows];
            _rowOf[f] = new int[BlockRows];
        }

        _pendingCount = new int[fields];
        _missing = new long[fields];
        _invalid = new long[fields];
        _ids = new int[fields * BlockRows];
        _pairs = new PairAccumulator[schema.Pairs.Count];
        _pairIndexes = new (int, int)[_pairs.Length];
        for (int p = 0; p < _pairs.Length; p++)
        {
            _pairs[p] = new PairAccumulator();
            _pairIndexes[p] = schema.PairIndexes(p);
        }
    }

    /// <summary>Gets the encoder whose ids are counted.</summary>
    public EventEncoder Encoder { get; }

    /// <summary>Takes the value of field <paramref name="field"/> in the current row; false when a binned field's value is not a number.</summary>
    public bool TryAdd(int field, ReadOnlySpan<byte> text)
    {
        int cell = (_blockRows * _fieldCount) + field;
        if (_binned[field])
        {
            // Binning needs the text only here; the bin's id is known at once (binned fields have few distinct bins).
            int id = Encoder.Encode(field, text);
            _ids[cell] = id;
            return id != EventEncoder.Invalid;
        }

        if (text.Length > _bytes.Length - _bytesUsed)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _bytesUsed + text.Length));
        }

        text.CopyTo(_bytes.AsSpan(_bytesUsed));
        int k = _pendingCount[field]++;
        _starts[field][k] = _bytesUsed;
        _lengths[field][k] = text.Length;
        _rowOf[field][k] = _blockRows;
        _bytesUsed += text.Length;
        _ids[cell] = Pending;
        return true;
    }

    /// <summary>Marks field <paramref name="field"/> as absent in the current row.</summary>
    public void AddMissing(int field) => _ids[(_blockRows * _fieldCount) + field] = EventEncoder.Missing;

    /// <summary>Marks field <paramref name="field"/> as invalid in the current row.</summary>
    public void AddInvalid(int field) => _ids[(_blockRows * _fieldCount) + field] = EventEncoder.Invalid;

    /// <summary>Ends the current row; a full block is counted.</summary>
    public void EndRow()
    {
        if (++_blockRows == BlockRows)
        {
            Flush();
        }
    }

    /// <summary>Adds these counts to <paramref name="set"/>, whose schema must be this batch's.</summary>
    /// <param name="set">The set.</param>
    /// <param name="pairRoom">Room to make in the set's pair tables, in multiples of this batch's distinct pairs: the
    /// first of several parts makes room for the others', so that adding theirs does not grow (rehash) the tables again
    /// at the end, when one core does all the work. Room only: ids and counts do not depend on it.</param>
    /// <remarks>When the set has another encoder (a part counted in parallel), this batch's values are interned there
    /// in their id order (their order of first sight here) and the counts moved to those ids; pairs are interned in the
    /// order they were first seen here. Adding the parts of a file in file order therefore gives every value and pair
    /// the id one sequential pass would have given it.</remarks>
    public void AddTo(FrequencySet set, int pairRoom = 1)
    {
        ArgumentNullException.ThrowIfNull(set);
        EventEncoder target = set.Encoder;
        bool same = ReferenceEquals(target, Encoder);
        if (!same && (target.Schema.Fields.Count != _fieldCount || target.Schema.Pairs.Count != _pairs.Length || target.Schema.HasBudgets))
        {
            throw new ArgumentException("The set must have this batch's schema, without budgets.", nameof(set));
        }

        Flush();
        var maps = new int[_fieldCount][];
        for (int f = 0; f < _fieldCount; f++)
        {
            if (same)
            {
                set.Field(f).AddCounts(_fields[f]);
                continue;
            }

            int[] map = MapValues(Encoder.Values[f], target.Values[f]);
            maps[f] = map;
            set.Field(f).AddCounts(_fields[f], map);
        }

        Span<int> xs = stackalloc int[BlockRows];
        Span<int> ys = stackalloc int[BlockRows];
        Span<int> pairIds = stackalloc int[BlockRows];
        for (int p = 0; p < _pairs.Length; p++)
        {
            PairAccumulator pairs = _pairs[p];
            (int xf, int yf) = _pairIndexes[p];
            var counts = new long[pairs.Count];
            pairs.CopyCountsInOrder(counts);
            var interner = target.Pairs[p];
            interner.EnsureCapacity(interner.Count + (int)Math.Min((long)pairs.Count * pairRoom, int.MaxValue / 2));
            var joint = new long[interner.Count + pairs.Count];

            // In blocks, through the batch lookup: the table holds 10⁶ pairs or more, and its misses then overlap.
            for (int start = 0; start < pairs.Count; start += BlockRows)
            {
                int n = Math.Min(BlockRows, pairs.Count - start);
                for (int j = 0; j < n; j++)
                {
                    (int x, int y) = pairs.PairAt(start + j);
                    xs[j] = same ? x : maps[xf][x];
                    ys[j] = same ? y : maps[yf][y];
                }

                interner.GetOrAddMany(xs[..n], ys[..n], pairIds);
                for (int j = 0; j < n; j++)
                {
                    joint[pairIds[j]] += counts[start + j];
                }
            }

            set.Pair(p).AddJointCounts(joint.AsSpan(0, interner.Count));
        }

        set.AddCounters(_rows, _missing, _invalid);
    }

    // Counts the rows of the block: interns its pending values field by field (in row order, so ids follow first sight),
    // then counts every row.
    private void Flush()
    {
        int rows = _blockRows;
        int fields = _fieldCount;
        int[] ids = _ids;
        for (int f = 0; f < fields; f++)
        {
            int pending = _pendingCount[f];
            if (pending == 0)
            {
                continue;
            }

            Encoder.Values[f].GetOrAddMany(_bytes.AsSpan(0, _bytesUsed), _starts[f].AsSpan(0, pending), _lengths[f].AsSpan(0, pending), _internedIds);
            int[] rowOf = _rowOf[f];
            for (int k = 0; k < pending; k++)
            {
                ids[(rowOf[k] * fields) + f] = _internedIds[k];
            }

            _pendingCount[f] = 0;
        }

        // First pass: start loading every count and pair slot the block will update.
        for (int r = 0; r < rows; r++)
        {
            int row = r * fields;
            for (int f = 0; f < fields; f++)
            {
                int id = ids[row + f];
                long[] counts = _fields[f];
                if ((uint)id < (uint)counts.Length)
                {
                    CacheHint.Prefetch(ref counts[id]);
                }
            }

            for (int p = 0; p < _pairs.Length; p++)
            {
                (int xf, int yf) = _pairIndexes[p];
                int x = ids[row + xf];
                int y = ids[row + yf];
                if ((x | y) >= 0)
                {
                    _pairs[p].Touch(x, y);
                }
            }
        }

        // Second pass: count.
        for (int r = 0; r < rows; r++)
        {
            int row = r * fields;
            for (int f = 0; f < fields; f++)
            {
                int id = ids[row + f];
                if (id >= 0)
                {
                    long[] counts = _fields[f];
                    if ((uint)id >= (uint)counts.Length)
                    {
                        counts = GrowField(f, id);
                    }

                    counts[id]++;
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

            for (int p = 0; p < _pairs.Length; p++)
            {
                (int xf, int yf) = _pairIndexes[p];
                int x = ids[row + xf];
                int y = ids[row + yf];
                if ((x | y) >= 0)
                {
                    _pairs[p].Add(x, y);
                }
            }
        }

        _rows += rows;
        _blockRows = 0;
        _bytesUsed = 0;
    }

    // The ids in ours of the values of theirs, interned in their id order (their order of first sight) through the batch
    // lookup, whose misses overlap.
    private static int[] MapValues(ValueInterner theirs, ValueInterner ours)
    {
        int[] map = new int[theirs.Count];
        int[] starts = new int[BlockRows];
        int[] lengths = new int[BlockRows];
        byte[] bytes = new byte[4096];
        for (int first = 0; first < map.Length; first += BlockRows)
        {
            int n = Math.Min(BlockRows, map.Length - first);
            int used = 0;
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<byte> value = theirs.GetValue(first + i);
                if (value.Length > bytes.Length - used)
                {
                    Array.Resize(ref bytes, Math.Max(bytes.Length * 2, used + value.Length));
                }

                value.CopyTo(bytes.AsSpan(used));
                starts[i] = used;
                lengths[i] = value.Length;
                used += value.Length;
            }

            ours.GetOrAddMany(bytes.AsSpan(0, used), starts.AsSpan(0, n), lengths.AsSpan(0, n), map.AsSpan(first, n));
        }

        return map;
    }

    private long[] GrowField(int field, int id)
    {
        Array.Resize(ref _fields[field], Math.Max(_fields[field].Length * 2, id + 1));
        return _fields[field];
    }
}
