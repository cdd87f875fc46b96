using System.Buffers;
using System.Buffers.Binary;

namespace StreamEntropy.Streaming.State;

/// <summary>Writes the long runs of a saved state (dictionary entries, (id, count) lists) through a pooled buffer, in
/// the bytes <see cref="BinaryWriter"/> would write one value at a time.</summary>
/// <remarks>A state with 10⁶ distinct values holds millions of these integers, and a <see cref="BinaryWriter"/> call per
/// integer is a stream call per integer: this cuts them to one per 64 KiB. Integers are little-endian, as
/// <see cref="BinaryWriter"/> writes them. Dispose flushes what is buffered and returns the buffer.</remarks>
internal sealed class BulkWriter : IDisposable
{
    private const int ChunkBytes = 1 << 16;

    private readonly BinaryWriter _writer;
    private byte[]? _buffer;
    private int _used;

    public BulkWriter(BinaryWriter writer)
    {
        _writer = writer;
        _buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
    }

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Take(sizeof(int)), value);

    /// <summary>Writes two integers (an id and a count, x and y).</summary>
    public void WriteInt32Pair(int first, int second)
    {
        Span<byte> span = Take(2 * sizeof(int));
        BinaryPrimitives.WriteInt32LittleEndian(span, first);
        BinaryPrimitives.WriteInt32LittleEndian(span[sizeof(int)..], second);
    }

    /// <summary>Writes an id and its count.</summary>
    public void WriteEntry(int id, long count)
    {
        Span<byte> span = Take(sizeof(int) + sizeof(long));
        BinaryPrimitives.WriteInt32LittleEndian(span, id);
        BinaryPrimitives.WriteInt64LittleEndian(span[sizeof(int)..], count);
    }

    /// <summary>Writes an id and its weight.</summary>
    public void WriteIdAndWeight(int id, double weight)
    {
        Span<byte> span = Take(sizeof(int) + sizeof(double));
        BinaryPrimitives.WriteInt32LittleEndian(span, id);
        BinaryPrimitives.WriteDoubleLittleEndian(span[sizeof(int)..], weight);
    }

    /// <summary>Writes the length of <paramref name="bytes"/> as an integer, then the bytes.</summary>
    public void WriteLengthAndBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > ChunkBytes / 4)
        {
            WriteInt32(bytes.Length);
            Flush();
            _writer.Write(bytes); // a long value goes straight through
            return;
        }

        Span<byte> span = Take(sizeof(int) + bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span, bytes.Length);
        bytes.CopyTo(span[sizeof(int)..]);
    }

    /// <summary>Writes the buffered bytes to the writer.</summary>
    public void Flush()
    {
        if (_used > 0)
        {
            _writer.Write(_buffer.AsSpan(0, _used));
            _used = 0;
        }
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            Flush();
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    // The next `bytes` bytes of the buffer (at most ChunkBytes), counted as written.
    private Span<byte> Take(int bytes)
    {
        if (_used + bytes > ChunkBytes)
        {
            Flush();
        }

        Span<byte> span = _buffer.AsSpan(_used, bytes);
        _used += bytes;
        return span;
    }
}
