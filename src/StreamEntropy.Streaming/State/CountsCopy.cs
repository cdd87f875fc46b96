using System.Buffers;
using StreamEntropy.Core.Counting;

namespace StreamEntropy.Streaming.State;

/// <summary>A pooled copy of a table's counts, taken when a state is taken, from which its (id, count) list is written
/// when the state is built, while the engine counts on in the table itself. Dispose returns the buffer.</summary>
internal readonly struct CountsCopy : IDisposable
{
    private readonly long[] _buffer;
    private readonly int _length;

    private CountsCopy(long[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
    }

    /// <summary>Gets the copied counts, indexed by id.</summary>
    public Span<long> Span => _buffer.AsSpan(0, _length);

    public static CountsCopy Of(CountSpan counts)
    {
        long[] buffer = ArrayPool<long>.Shared.Rent(Math.Max(counts.Length, 1));
        counts.CopyTo(buffer);
        return new CountsCopy(buffer, counts.Length);
    }

    public void Dispose() => ArrayPool<long>.Shared.Return(_buffer);
}
