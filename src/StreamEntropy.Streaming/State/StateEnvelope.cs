using System.Buffers.Binary;
using System.Security.Cryptography;

namespace StreamEntropy.Streaming.State;

/// <summary>Frames a saved engine state: magic, format version, payload length, payload and its SHA-256.</summary>
/// <remarks>
/// Layout (integers little-endian): <c>"SEST"</c> · int32 version · int64 payload length · payload · SHA-256(payload).
/// Version 2 (drift references and alert states in the payload) is written; versions 1 and 2 are read, and the
/// engine is told which one it got.
/// The reader consumes exactly these bytes, so a checkpoint file may hold other data after them. Any bit flip in the
/// payload or the hash fails the hash check; one in the header fails the magic, version or length check, or moves the
/// hash so that it no longer matches.
/// </remarks>
internal static class StateEnvelope
{
    /// <summary>The current format version: 2 adds the first event's time, drift references and alert states.</summary>
    public const int FormatVersion = 2;

    /// <summary>The oldest format version still read: 1, written before drift state was saved.</summary>
    public const int OldestReadableVersion = 1;

    /// <summary>The largest payload accepted, 2 GiB − 1 (a MemoryStream's limit).</summary>
    public const long MaxPayloadBytes = int.MaxValue;

    private const int HeaderLength = 16;
    private const int HashLength = SHA256.HashSizeInBytes;

    private static ReadOnlySpan<byte> Magic => "SEST"u8;

    /// <summary>The length of a framed payload of <paramref name="payloadLength"/> bytes.</summary>
    public static long FramedLength(int payloadLength) => HeaderLength + (long)payloadLength + HashLength;

    /// <summary>Writes <paramref name="payload"/> framed and hashed.</summary>
    public static void Write(Stream destination, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], payload.Length);
        Span<byte> hash = stackalloc byte[HashLength];
        SHA256.HashData(payload, hash);
        destination.Write(header);
        destination.Write(payload);
        destination.Write(hash);
    }

    /// <summary>Reads one framed state and returns its verified payload.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an engine state, have another format version, are
    /// truncated, or fail the hash check.</exception>
    public static MemoryStream Read(Stream source) => Read(source, out _);

    /// <summary>Reads one framed state and returns its verified payload and its format version.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an engine state, have a format version this build does
    /// not read, are truncated, or fail the hash check.</exception>
    public static MemoryStream Read(Stream source, out int version)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        ReadExactly(source, header, "header");
        if (!header[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException("The data is not a saved StreamEntropy engine state (wrong magic bytes).");
        }

        version = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        if (version < OldestReadableVersion || version > FormatVersion)
        {
            throw new InvalidDataException($"The engine state has format version {version}; this build reads versions {OldestReadableVersion} to {FormatVersion}.");
        }

        long length = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        if (length < 0 || length > MaxPayloadBytes)
        {
            throw new InvalidDataException($"The engine state is corrupt: it claims a payload of {length} bytes.");
        }

        // Copy in chunks rather than allocating `length` bytes up front: the length is not trusted until the hash matches.
        var payload = new MemoryStream();
        byte[] chunk = new byte[81920];
        long remaining = length;
        while (remaining > 0)
        {
            int read = source.Read(chunk, 0, (int)Math.Min(chunk.Length, remaining));
            if (read == 0)
            {
                throw new InvalidDataException($"The engine state is truncated: {length - remaining} of {length} payload bytes present.");
            }

            payload.Write(chunk, 0, read);
            remaining -= read;
        }

        Span<byte> expected = stackalloc byte[HashLength];
        ReadExactly(source, expected, "checksum");
        Span<byte> actual = stackalloc byte[HashLength];
        SHA256.HashData(payload.GetBuffer().AsSpan(0, (int)payload.Length), actual);
        if (!actual.SequenceEqual(expected))
        {
            throw new InvalidDataException("The engine state is corrupt: its SHA-256 checksum does not match.");
        }

        payload.Position = 0;
        return payload;
    }

    private static void ReadExactly(Stream source, Span<byte> buffer, string what)
    {
        try
        {
            source.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"The engine state is truncated: its {what} is incomplete.", e);
        }
    }
}
