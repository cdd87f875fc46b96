using System.Text;

namespace StreamEntropy.Streaming.State;

/// <summary>An engine's state as <c>EntropyEngine.TakeState</c> took it: what had to be read at that point of the
/// event sequence, with the payload built, framed and hashed only when it is written, so that the part of a save that
/// needs no engine can run on another thread.</summary>
/// <remarks>
/// <para>Independent of the engine's further counting, which may go on meanwhile: the counts were copied when the state
/// was taken, and the dictionaries, which only grow, are read below the sizes they had then. Writing it yields exactly
/// the bytes <c>EntropyEngine.Save</c> would have written at the moment it was taken.</para>
/// <para>The payload (O(size): the dictionaries and the (id, count) lists) is built once, by the first
/// <see cref="WriteTo"/> or <see cref="ToArray"/>, on that caller's thread; <see cref="Length"/> is known before.</para>
/// </remarks>
public sealed class TakenState
{
    private readonly object _gate = new();
    private readonly int _payloadLength;
    private byte[]? _direct; // until built: the bytes written on the engine's thread, and the parts deferred between them
    private int _directLength;
    private StateWriter.DeferredPart[]? _deferred;
    private byte[]? _payload;

    internal TakenState(byte[] direct, int directLength, StateWriter.DeferredPart[] deferred, int payloadLength)
    {
        _direct = direct;
        _directLength = directLength;
        _deferred = deferred;
        _payloadLength = payloadLength;
    }

    /// <summary>Gets the length of the written state in bytes (the payload and its frame), without building it.</summary>
    public long Length => StateEnvelope.FramedLength(_payloadLength);

    /// <summary>Writes the framed state (magic, version, length, payload, SHA-256): O(size), any thread.</summary>
    public void WriteTo(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        StateEnvelope.Write(destination, Payload());
    }

    /// <summary>Returns the framed state as a new array.</summary>
    public byte[] ToArray()
    {
        ReadOnlySpan<byte> payload = Payload();
        byte[] bytes = GC.AllocateUninitializedArray<byte>(checked((int)Length)); // every byte is written below
        using var framed = new MemoryStream(bytes); // fixed size: writing more than Length would throw
        StateEnvelope.Write(framed, payload);
        return bytes;
    }

    // Builds the payload the first time: the direct bytes with every deferred part written in its place. The parts read
    // only copies and append-only dictionaries below their sizes at the taking (see StateWriter), so this may run while
    // the engine counts on.
    private ReadOnlySpan<byte> Payload()
    {
        lock (_gate)
        {
            if (_payload is null)
            {
                byte[] payload = GC.AllocateUninitializedArray<byte>(_payloadLength);
                using (var stream = new MemoryStream(payload)) // fixed size: a part writing more than it promised throws
                using (var writer = new BinaryWriter(stream, Encoding.UTF8))
                {
                    int from = 0;
                    foreach (StateWriter.DeferredPart part in _deferred!)
                    {
                        stream.Write(_direct!, from, (int)part.Position - from);
                        from = (int)part.Position;
                        long start = stream.Position;
                        part.Write(writer);
                        writer.Flush();
                        if (stream.Position - start != part.Length)
                        {
                            throw new InvalidOperationException($"A deferred part of the state wrote {stream.Position - start} bytes instead of {part.Length}.");
                        }
                    }

                    stream.Write(_direct!, from, _directLength - from);
                    if (stream.Position != _payloadLength)
                    {
                        throw new InvalidOperationException($"The state's payload has {stream.Position} bytes instead of {_payloadLength}.");
                    }
                }

                _payload = payload;
                _direct = null;
                _deferred = null;
                _directLength = 0;
            }

            return _payload;
        }
    }
}
