using System.Buffers;
using System.Globalization;
using System.Text.Json;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Output;

/// <summary>Turns window snapshots into the output topic's records: one per (window, field) and per (window, pair).</summary>
public static class SnapshotRecords
{
    /// <summary>Builds every record of <paramref name="snapshot"/>.</summary>
    /// <param name="snapshot">The window's measures, in nats.</param>
    /// <param name="logBase">The output base.</param>
    /// <param name="publishedAt">The publication time, written as <c>timestamp</c>.</param>
    public static List<OutputRecord> Build(WindowSnapshot snapshot, LogBase logBase, DateTimeOffset publishedAt)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var records = new List<OutputRecord>(snapshot.Fields.Count + snapshot.Pairs.Count);
        var buffer = new ArrayBufferWriter<byte>(512);
        foreach (FieldResult field in snapshot.Fields)
        {
            buffer.ResetWrittenCount();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                WriteWindow(w, snapshot);
                w.WriteString("field", field.Name);
                EntropyJson.WriteFieldMembers(w, field, logBase);
                WriteTrailer(w, snapshot, logBase, publishedAt);
                w.WriteEndObject();
            }

            records.Add(new OutputRecord($"{snapshot.Window}/{field.Name}", buffer.WrittenSpan.ToArray()));
        }

        foreach (PairResult pair in snapshot.Pairs)
        {
            buffer.ResetWrittenCount();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                WriteWindow(w, snapshot);
                w.WriteStartObject("pair");
                w.WriteString("x", pair.X);
                w.WriteString("y", pair.Y);
                w.WriteEndObject();
                EntropyJson.WritePairMembers(w, pair, logBase);
                WriteTrailer(w, snapshot, logBase, publishedAt);
                w.WriteEndObject();
            }

            records.Add(new OutputRecord($"{snapshot.Window}/{pair.Key}", buffer.WrittenSpan.ToArray()));
        }

        return records;
    }

    /// <summary>Formats an instant as the records do: ISO 8601 UTC with milliseconds.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void WriteWindow(Utf8JsonWriter w, WindowSnapshot s)
    {
        w.WriteString("window", s.Window);
        w.WriteString("kind", s.Kind.ToString());
        if (s.Start is { } start)
        {
            w.WriteString("windowStart", FormatTime(start));
        }
        else
        {
            w.WriteNull("windowStart");
        }

        w.WriteString("windowEnd", FormatTime(s.End));
        w.WriteBoolean("closed", s.Closed);
        w.WriteNumber("windowEvents", s.Events);
        w.WriteNumber("late", s.Late);
        if (s.Shards is int shards)
        {
            w.WriteNumber("partitions", shards); // Group mode: how many input shards (Kafka partitions) the merge covers
        }
    }

    private static void WriteTrailer(Utf8JsonWriter w, WindowSnapshot s, LogBase logBase, DateTimeOffset publishedAt)
    {
        w.WriteString("unit", logBase.Unit);
        w.WriteString("estimator", s.Estimator);
        w.WriteString("timestamp", FormatTime(publishedAt));
    }
}
