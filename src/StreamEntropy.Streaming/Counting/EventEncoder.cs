using System.Runtime.CompilerServices;
using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Core.Sketches;

namespace StreamEntropy.Streaming.Counting;

/// <summary>Turns the text of each field's value into a dense value id, binning numeric fields first.</summary>
/// <remarks>
/// <para>Owns the interners, which are shared by every window's tables, so ids agree across windows. A known value
/// is encoded without allocating. Single writer.</para>
/// <para>A field with a MaxDistinct budget is never interned: its values are keyed by their <see cref="StableHash64"/>
/// (<see cref="Hashed"/> instead of an id), so that nothing here grows with its distinct values; an interner that kept
/// every value ever seen would defeat the budget however small the windows' summaries are. Fields that are interned but
/// paired with a bounded field get their hash as well, for the pair's bounded counts.</para>
/// </remarks>
public sealed class EventEncoder
{
    /// <summary>The id marking a field that is absent or null in an event.</summary>
    public const int Missing = -1;

    /// <summary>The id marking a value that a numeric field could not parse.</summary>
    public const int Invalid = -2;

    /// <summary>The id marking a present value of a field with a MaxDistinct budget, counted by its hash instead of an id.</summary>
    public const int Hashed = -3;

    private double[] _binWidths = []; // NaN for categorical fields
    private ValueInterner[] _values = [];
    private PairInterner[] _pairs = [];
    private bool[] _bounded = []; // counted by hash, never interned
    private bool[] _hash = [];    // bounded, or in a bounded pair: needs the value's hash

    /// <summary>Creates an encoder with empty interners for <paramref name="schema"/>.</summary>
    public EventEncoder(EventSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
        Grow();
    }

    /// <summary>Adds interners for the fields and pairs the schema gained since this encoder was created or last grew.</summary>
    internal void Grow()
    {
        EventSchema schema = Schema;
        int oldFields = _values.Length;
        int oldPairs = _pairs.Length;
        if (schema.Fields.Count == oldFields && schema.Pairs.Count == oldPairs)
        {
            return;
        }

        Array.Resize(ref _values, schema.Fields.Count);
        Array.Resize(ref _binWidths, _values.Length);
        Array.Resize(ref _bounded, _values.Length);
        Array.Resize(ref _hash, _values.Length);
        for (int f = oldFields; f < _values.Length; f++)
        {
            _values[f] = new ValueInterner();
            _binWidths[f] = schema.Fields[f].BinWidth ?? double.NaN;
            _bounded[f] = schema.IsBounded(f);
            _hash[f] = _bounded[f];
        }

        Array.Resize(ref _pairs, schema.Pairs.Count);
        for (int p = oldPairs; p < _pairs.Length; p++)
        {
            _pairs[p] = new PairInterner();
            if (schema.IsBoundedPair(p))
            {
                (int x, int y) = schema.PairIndexes(p);
                _hash[x] = true; // from now on: the pair's bounded counts start empty
                _hash[y] = true;
            }
        }
    }

    /// <summary>Gets the schema.</summary>
    public EventSchema Schema { get; }

    /// <summary>Gets each field's value interner, by field index.</summary>
    public IReadOnlyList<ValueInterner> Values => _values;

    /// <summary>Gets each pair's pair interner, by pair index.</summary>
    public IReadOnlyList<PairInterner> Pairs => _pairs;

    /// <summary>Encodes one value of field <paramref name="field"/>; returns its id, <see cref="Hashed"/> or <see cref="Invalid"/>.</summary>
    public int Encode(int field, ReadOnlySpan<byte> text) => Encode(field, text, out _);

    /// <summary>Encodes one value of field <paramref name="field"/>; returns its id, <see cref="Hashed"/> (a bounded
    /// field) or <see cref="Invalid"/>.</summary>
    /// <param name="field">The field's index.</param>
    /// <param name="text">The value's text (a numeric field's number, binned here).</param>
    /// <param name="hash">The <see cref="StableHash64"/> of the value's (or bin's) text when the field is bounded or
    /// in a bounded pair; 0 otherwise or when invalid.</param>
    // Part of the per-event path: compiled fully optimized at its first call instead of tiered (see "Per-event path
    // and tiering" in the Streaming README).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Encode(int field, ReadOnlySpan<byte> text, out ulong hash)
    {
        double width = _binWidths[field];
        return double.IsNaN(width) ? EncodeValue(field, text, out hash) : EncodeBinned(field, text, width, out hash);
    }

    /// <summary>Encodes several values of field <paramref name="field"/>, in order: value i is
    /// <c>bytes[starts[i] .. starts[i] + lengths[i]]</c>, its id (as <see cref="Encode(int, ReadOnlySpan{byte}, out ulong)"/>
    /// gives it) goes to <c>ids[i]</c> and its hash to <c>hashes[i]</c> (unless <paramref name="hashes"/> is empty).</summary>
    /// <remarks>The same ids as one <see cref="Encode(int, ReadOnlySpan{byte}, out ulong)"/> per value: a field's ids
    /// depend only on the order of its own values. A categorical field's values are interned with
    /// <see cref="ValueInterner.GetOrAddMany"/>, whose slots are prefetched for the whole group; binned and bounded fields
    /// take one call per value.</remarks>
    // Part of the batch path: compiled fully optimized at its first call.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void EncodeMany(int field, ReadOnlySpan<byte> bytes, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths, Span<int> ids, Span<ulong> hashes)
    {
        int n = starts.Length;
        if (!double.IsNaN(_binWidths[field]) || _bounded[field])
        {
            for (int i = 0; i < n; i++)
            {
                ids[i] = Encode(field, bytes.Slice(starts[i], lengths[i]), out ulong hash);
                if (!hashes.IsEmpty)
                {
                    hashes[i] = hash;
                }
            }

            return;
        }

        if (!hashes.IsEmpty)
        {
            bool hashed = _hash[field];
            for (int i = 0; i < n; i++)
            {
                hashes[i] = hashed ? StableHash64.Hash(bytes.Slice(starts[i], lengths[i])) : 0;
            }
        }

        _values[field].GetOrAddMany(bytes, starts, lengths, ids);
    }

    /// <summary>Gets whether field <paramref name="field"/>'s values are interned (categorical, without a budget), so
    /// that <see cref="EncodeMany"/> interns them in one prefetched group.</summary>
    internal bool InternsMany(int field) => double.IsNaN(_binWidths[field]) && !_bounded[field];

    /// <summary>Gets whether <see cref="Encode(int, ReadOnlySpan{byte}, out ulong)"/> computes field
    /// <paramref name="field"/>'s hashes (it is bounded or in a bounded pair); when not, the hash it gives is 0.</summary>
    internal bool NeedsHash(int field) => _hash[field];

    /// <summary>Gets whether field <paramref name="field"/> is counted by hash (it has a MaxDistinct budget).</summary>
    public bool IsHashed(int field) => _bounded[field];

    // Apart from Encode, which runs for every value of every event: its stack buffer would keep Encode itself from
    // being inlined and give every call a larger frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int EncodeBinned(int field, ReadOnlySpan<byte> text, double width, out ulong hash)
    {
        Span<byte> bin = stackalloc byte[NumericBinning.MaxBinTextLength];
        if (!NumericBinning.TryBin(text, width, bin, out int written))
        {
            hash = 0;
            return Invalid;
        }

        return EncodeValue(field, bin[..written], out hash);
    }

    private int EncodeValue(int field, ReadOnlySpan<byte> value, out ulong hash)
    {
        hash = _hash[field] ? StableHash64.Hash(value) : 0;
        return _bounded[field] ? Hashed : _values[field].GetOrAdd(value);
    }
}
