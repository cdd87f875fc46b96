using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Profiling;

/// <summary>The row sink over <see cref="BatchCounts"/> (a struct, so the row loop is specialised for it).</summary>
internal readonly struct BatchRowSink(BatchCounts counts) : IRowSink
{
    public EventSchema Schema => counts.Encoder.Schema;

    public bool TryAdd(int field, ReadOnlySpan<byte> text) => counts.TryAdd(field, text);

    public void AddMissing(int field) => counts.AddMissing(field);

    public void AddInvalid(int field) => counts.AddInvalid(field);

    public void EndRow() => counts.EndRow();

    public long Missing(int field) => throw new NotSupportedException("Read the set the batch was added to.");
}
