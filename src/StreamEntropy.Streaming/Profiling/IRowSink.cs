using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Profiling;

/// <summary>Where <see cref="FileProfiler"/>'s row loop puts each row: every field's value (or its absence), then the end of the row.</summary>
/// <remarks>The loop is generic over the sink, so a struct sink (<see cref="ExactRowSink"/>) is specialised and
/// inlined: the exact path costs what it did before the loop was shared.</remarks>
internal interface IRowSink
{
    /// <summary>Gets the schema whose fields the loop reads, by index.</summary>
    EventSchema Schema { get; }

    /// <summary>Takes the value of field <paramref name="field"/> in the current row.</summary>
    /// <returns><see langword="false"/> when a numeric (binned) field's value is not a number.</returns>
    bool TryAdd(int field, ReadOnlySpan<byte> text);

    /// <summary>Marks field <paramref name="field"/> as absent (or null) in the current row.</summary>
    void AddMissing(int field);

    /// <summary>Marks field <paramref name="field"/> (a tuple with a component that is not a number) as invalid in the current row.</summary>
    void AddInvalid(int field);

    /// <summary>Ends the current row, after every field was given.</summary>
    void EndRow();

    /// <summary>Gets how many rows lacked field <paramref name="field"/>.</summary>
    long Missing(int field);
}

/// <summary>The exact path: values are interned by the set's <see cref="EventEncoder"/> and counted in the <see cref="FrequencySet"/>.</summary>
internal readonly struct ExactRowSink : IRowSink
{
    private readonly FrequencySet _set;
    private readonly EventEncoder _encoder;
    private readonly int[] _ids;

    public ExactRowSink(FrequencySet set)
    {
        _set = set;
        _encoder = set.Encoder;
        _ids = new int[set.Encoder.Schema.Fields.Count];
    }

    public EventSchema Schema => _encoder.Schema;

    /// <summary>Gets the set counted into.</summary>
    public FrequencySet Set => _set;

    public bool TryAdd(int field, ReadOnlySpan<byte> text)
    {
        int id = _encoder.Encode(field, text);
        _ids[field] = id;
        return id != EventEncoder.Invalid;
    }

    public void AddMissing(int field) => _ids[field] = EventEncoder.Missing;

    public void AddInvalid(int field) => _ids[field] = EventEncoder.Invalid;

    public void EndRow() => _set.Add(_ids);

    public long Missing(int field) => _set.Missing(field);
}
