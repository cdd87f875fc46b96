namespace StreamEntropy.Streaming.State;

/// <summary>An engine's state as <c>EntropyEngine.TakeState</c> took it: the payload, framed and hashed only when it
/// is written, so that the part of a save that needs no engine can run on another thread.</summary>
/// <remarks>Immutable once taken and independent of the engine, which may go on counting meanwhile. Writing it yields
/// exactly the bytes <c>EntropyEngine.Save</c> would have written at the moment it was taken.</remarks>
public sealed class TakenState
{
    private readonly byte[] _payload;
    private readonly int _payloadLength;

    internal TakenState(byte[] payload, int payloadLength)
    {
        _payload = payload;
        _payloadLength = payloadLength;
    }

    /// <summary>Gets the length of the written state in bytes (the payload and its frame).</summary>
    public long Length => StateEnvelope.FramedLength(_payloadLength);

    /// <summary>Writes the framed state (magic, version, length, payload, SHA-256): O(size), any thread.</summary>
    public void WriteTo(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        StateEnvelope.Write(destination, _payload.AsSpan(0, _payloadLength));
    }

    /// <summary>Returns the framed state as a new array.</summary>
    public byte[] ToArray()
    {
        byte[] bytes = GC.AllocateUninitializedArray<byte>(checked((int)Length)); // every byte is written below
        using var framed = new MemoryStream(bytes); // fixed size: writing more than Length would throw
        WriteTo(framed);
        return bytes;
    }
}
