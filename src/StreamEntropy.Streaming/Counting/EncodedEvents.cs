namespace StreamEntropy.Streaming.Counting;

/// <summary>A run of encoded events, as the engine's batch path hands them to the windows: per event its value ids and
/// hashes by field, its pair ids by pair, and its time.</summary>
/// <remarks>Row-major: event r's ids are <c>Ids[r·Fields .. (r+1)·Fields)</c>, the layout
/// <see cref="FrequencySet.Add(ReadOnlySpan{int}, ReadOnlySpan{ulong})"/> takes one event of. A pair id is the
/// pair's id in its <see cref="Core.Counting.PairInterner"/>, interned once for every window, or −1 where the pair
/// is not counted (a side missing or invalid, a pair with a budget, or an event no window counts).</remarks>
internal readonly ref struct EncodedEvents
{
    /// <summary>Creates a view of <paramref name="times"/>.Length events.</summary>
    public EncodedEvents(ReadOnlySpan<int> ids, ReadOnlySpan<ulong> hashes, ReadOnlySpan<int> pairIds, ReadOnlySpan<long> times, int fields, int pairs)
    {
        Ids = ids;
        Hashes = hashes;
        PairIds = pairIds;
        Times = times;
        Fields = fields;
        Pairs = pairs;
    }

    /// <summary>Gets the value ids (or <see cref="EventEncoder.Missing"/>, <see cref="EventEncoder.Invalid"/>,
    /// <see cref="EventEncoder.Hashed"/>), <see cref="Fields"/> per event.</summary>
    public ReadOnlySpan<int> Ids { get; }

    /// <summary>Gets the value hashes, <see cref="Fields"/> per event; empty when the schema has no budgets.</summary>
    public ReadOnlySpan<ulong> Hashes { get; }

    /// <summary>Gets the pair ids, <see cref="Pairs"/> per event (−1: not counted).</summary>
    public ReadOnlySpan<int> PairIds { get; }

    /// <summary>Gets the events' times, clamped, at or before the watermark.</summary>
    public ReadOnlySpan<long> Times { get; }

    /// <summary>Gets the number of fields per event.</summary>
    public int Fields { get; }

    /// <summary>Gets the number of pairs per event.</summary>
    public int Pairs { get; }

    /// <summary>Gets the number of events.</summary>
    public int Count => Times.Length;

    /// <summary>Gets event <paramref name="row"/>'s value ids.</summary>
    public ReadOnlySpan<int> IdsOf(int row) => Ids.Slice(row * Fields, Fields);

    /// <summary>Gets event <paramref name="row"/>'s value hashes (empty without budgets).</summary>
    public ReadOnlySpan<ulong> HashesOf(int row) => Hashes.IsEmpty ? default : Hashes.Slice(row * Fields, Fields);
}
