using System.Text;

namespace StreamEntropy.Streaming.State;

/// <summary>Writes a saved state's payload on the engine's thread, except its long runs (dictionaries, (id, count)
/// lists), which are written later, on whichever thread builds the payload (<see cref="TakenState"/>).</summary>
/// <remarks>
/// <para>What is written through the <see cref="BinaryWriter"/> methods goes into the payload at once. A part passed to
/// <see cref="Defer"/> takes its place at the current position, with the exact length it promises, and runs when the
/// payload is built: the payload is then the bytes the same writes would give if every part ran where it was
/// deferred. So its length is known when the state is taken, without building it.</para>
/// <para>A deferred part must not read anything the engine changes after it was deferred: it reads copies made on the
/// engine's thread, or structures that only ever grow, below the size they had then (see <see cref="InternerState"/>).</para>
/// </remarks>
internal sealed class StateWriter : BinaryWriter
{
    private readonly MemoryStream _direct;
    private readonly List<DeferredPart> _deferred = [];
    private long _deferredBytes;

    public StateWriter()
        : base(new MemoryStream(), Encoding.UTF8, leaveOpen: false)
    {
        _direct = (MemoryStream)OutStream;
    }

    /// <summary>Gets the payload length so far, deferred parts included.</summary>
    public long Length => _direct.Length + _deferredBytes;

    /// <summary>Defers <paramref name="write"/>, which must write exactly <paramref name="length"/> bytes, to when the
    /// payload is built; its bytes go here.</summary>
    public void Defer(long length, Action<BinaryWriter> write)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentNullException.ThrowIfNull(write);
        Flush();
        _deferred.Add(new DeferredPart(_direct.Length, length, write));
        _deferredBytes += length;
    }

    /// <summary>Ends writing: the state as taken, to be built by <see cref="TakenState"/>.</summary>
    /// <exception cref="InvalidDataException">The payload would exceed <see cref="StateEnvelope.MaxPayloadBytes"/>.</exception>
    public TakenState Take()
    {
        Flush();
        long length = Length;
        if (length > StateEnvelope.MaxPayloadBytes)
        {
            throw new InvalidDataException($"The engine state would take {length} bytes, more than the {StateEnvelope.MaxPayloadBytes} a state may have.");
        }

        return new TakenState(_direct.GetBuffer(), (int)_direct.Length, [.. _deferred], (int)length);
    }

    /// <summary>A part written when the payload is built: at <see cref="Position"/> of the direct bytes, exactly
    /// <see cref="Length"/> bytes.</summary>
    internal readonly record struct DeferredPart(long Position, long Length, Action<BinaryWriter> Write);
}
