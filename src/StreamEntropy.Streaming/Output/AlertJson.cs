using System.Buffers;
using System.Text.Json;
using StreamEntropy.Streaming.Drift;

namespace StreamEntropy.Streaming.Output;

/// <summary>Writes alert events as the JSON records of the alerts topic, the log and the HTTP API.</summary>
/// <remarks>
/// <c>{"state":"raised","rule":"field-psi","window":"1m","field":"country","metric":"psi","value":0.27,
/// "threshold":0.1,"consecutive":2,"timestamp":"2025-01-01T00:02:00.000Z"}</c>; a pair alert has
/// <c>"pair":{"x":…,"y":…}</c> instead of <c>"field"</c>. Values are in the metric's own unit (nats for information,
/// −log₁₀ p for G-tests); an undefined value is null.
/// </remarks>
public static class AlertJson
{
    /// <summary>Writes <paramref name="alert"/> as one JSON object.</summary>
    public static void Write(Utf8JsonWriter writer, AlertEvent alert)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(alert);
        writer.WriteStartObject();
        WriteMembers(writer, alert);
        writer.WriteEndObject();
    }

    /// <summary>Writes the members of <paramref name="alert"/>'s object (without its braces), so that a caller can add
    /// members of its own.</summary>
    public static void WriteMembers(Utf8JsonWriter writer, AlertEvent alert)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(alert);
        writer.WriteString("state", alert.State == AlertState.Raised ? "raised" : "cleared");
        writer.WriteString("rule", alert.Rule);
        writer.WriteString("window", alert.Window);
        if (alert.Pair is { } pair)
        {
            writer.WriteStartObject("pair");
            writer.WriteString("x", pair.X);
            writer.WriteString("y", pair.Y);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteString("field", alert.Field);
        }

        writer.WriteString("metric", alert.Metric);
        EntropyJson.WriteNumber(writer, "value", alert.Value);
        EntropyJson.WriteNumber(writer, "threshold", alert.Threshold);
        writer.WriteNumber("consecutive", alert.Consecutive);
        writer.WriteString("timestamp", SnapshotRecords.FormatTime(DateTimeOffset.FromUnixTimeMilliseconds(alert.TimestampMs)));
    }

    /// <summary>Serialises <paramref name="alert"/> to UTF-8 JSON.</summary>
    public static byte[] ToUtf8Bytes(AlertEvent alert)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, alert);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
