using StreamEntropy.Core.Counting;

namespace StreamEntropy.Streaming.Counting;

/// <summary>The counts of every configured field and pair over one window (or one pane of a window).</summary>
/// <remarks>Fed with one encoded event at a time: value ids by field index, <see cref="EventEncoder.Missing"/> or
/// <see cref="EventEncoder.Invalid"/> where a field has no usable value. Such a field is not counted, its missing
/// (or invalid) counter is, and pairs using it skip the event. Single writer.</remarks>
public sealed class FrequencySet
{
    private readonly CountTable[] _fields;
    private readonly PairCountTable[] _pairs;
    private readonly (int X, int Y)[] _pairIndexes;
    private readonly long[] _missing;
    private readonly long[] _invalid;

    /// <summary>Creates empty tables for the encoder's schema, sharing its interners.</summary>
    public FrequencySet(EventEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        Encoder = encoder;
        EventSchema schema = encoder.Schema;
        _fields = new CountTable[schema.Fields.Count];
        for (int i = 0; i < _fields.Length; i++)
        {
            _fields[i] = new CountTable();
        }

        _pairs = new PairCountTable[schema.Pairs.Count];
        _pairIndexes = new (int, int)[_pairs.Length];
        for (int i = 0; i < _pairs.Length; i++)
        {
            _pairs[i] = new PairCountTable(encoder.Pairs[i]);
            _pairIndexes[i] = schema.PairIndexes(i);
        }

        _missing = new long[_fields.Length];
        _invalid = new long[_fields.Length];
    }

    /// <summary>Gets the encoder whose ids these tables count.</summary>
    public EventEncoder Encoder { get; }

    /// <summary>Gets the number of events counted.</summary>
    public long Events { get; private set; }

    /// <summary>Gets the table of field <paramref name="field"/>.</summary>
    public CountTable Field(int field) => _fields[field];

    /// <summary>Gets the table of pair <paramref name="pair"/>.</summary>
    public PairCountTable Pair(int pair) => _pairs[pair];

    /// <summary>Gets how many events lacked field <paramref name="field"/> (absent or null).</summary>
    public long Missing(int field) => _missing[field];

    /// <summary>Gets how many events had a value of numeric field <paramref name="field"/> that is not a number.</summary>
    public long Invalid(int field) => _invalid[field];

    /// <summary>Counts one encoded event.</summary>
    public void Add(ReadOnlySpan<int> ids) => Apply(ids, 1);

    /// <summary>Retracts one encoded event that was counted before.</summary>
    public void Remove(ReadOnlySpan<int> ids) => Apply(ids, -1);

    /// <summary>Adds all counts of <paramref name="other"/> (negative <paramref name="sign"/> subtracts them).</summary>
    /// <remarks>O(distinct values and pairs in <paramref name="other"/>); used to retract an expired pane and to merge
    /// partitions. Both sets must come from the same encoder.</remarks>
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

        for (int f = 0; f < _fields.Length; f++)
        {
            if (sign == 1)
            {
                _fields[f].Merge(other._fields[f]);
            }
            else
            {
                ReadOnlySpan<long> counts = other._fields[f].Counts;
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
                ReadOnlySpan<long> counts = other._pairs[p].Joint.Counts;
                for (int id = 0; id < counts.Length; id++)
                {
                    if (counts[id] != 0)
                    {
                        _pairs[p].AddPairCount(id, -counts[id]);
                    }
                }
            }
        }

        Events += sign * other.Events;
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

        Array.Clear(_missing);
        Array.Clear(_invalid);
        Events = 0;
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

    private void Apply(ReadOnlySpan<int> ids, int sign)
    {
        if (ids.Length != _fields.Length)
        {
            throw new ArgumentException($"Expected {_fields.Length} ids, got {ids.Length}.", nameof(ids));
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
            if (x >= 0 && y >= 0)
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
