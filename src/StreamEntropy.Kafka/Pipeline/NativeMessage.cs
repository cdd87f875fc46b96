using System.Runtime.InteropServices;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>The public fields of librdkafka's <c>rd_kafka_message_t</c> (rdkafka.h, unchanged since 0.9), read in one
/// copy from the message's pointer.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct NativeMessage
{
    /// <summary><c>err</c>: 0, or the error this message reports (its payload is then the error string).</summary>
    public readonly int Error;

    /// <summary><c>rkt</c>: the topic handle (NULL for some errors).</summary>
    public readonly IntPtr Topic;

    /// <summary><c>partition</c>.</summary>
    public readonly int Partition;

    /// <summary><c>payload</c>: the value (NULL for a tombstone).</summary>
    public readonly IntPtr Payload;

    /// <summary><c>len</c>.</summary>
    public readonly nuint Length;

    /// <summary><c>key</c>: NULL when the record has none.</summary>
    public readonly IntPtr Key;

    /// <summary><c>key_len</c>.</summary>
    public readonly nuint KeyLength;

    /// <summary><c>offset</c>.</summary>
    public readonly long Offset;

    /// <summary><c>_private</c>: librdkafka's own.</summary>
    public readonly IntPtr Private;
}
