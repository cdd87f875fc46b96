using System.Buffers;
using System.Globalization;
using System.Text.Json;
using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Output;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Engine;

/// <summary>Runs made-up events through a throwaway engine, so that the runtime compiles the per-event code (decoder,
/// interners, tables, windows, snapshots, output records) before the first real event needs it.</summary>
/// <remarks>
/// <para>The hot methods are compiled fully optimized at their first call (see "Per-event path and tiering" in the
/// Streaming README), which costs the thread that makes that call 70–100 ms in all. A worker that makes it while it
/// waits for its consumer group (about half a second at start) counts its first events at full speed.</para>
/// <para>The engine passed in is used up: nothing of it may be published or saved. Every event carries each configured
/// path, built with <see cref="Utf8JsonWriter"/> so that any key is escaped; a path that is a prefix of another one gets
/// the object, so its own values are then missing, which is counted like any missing value. The events reach the code
/// that real events reach a little later, which would otherwise be compiled while the first real batches are counted
/// (perf found each of these on the counting thread then):</para>
/// <list type="bullet">
/// <item>values of each JSON kind: a field's value is a string, a number or a string with an escape, in turn (a binned
/// field always gets a number);</item>
/// <item>members that no field reads, one of each JSON kind (fraction and exponent, literals, an escaped string, nested
/// arrays and objects), which the decoder skips;</item>
/// <item>one value counted more than <see cref="CountTable.LargeCount"/> times in every table, the large-count path;</item>
/// <item>two snapshots, and a save, which also re-bases every table's sums (the vector dot products).</item>
/// </list>
/// </remarks>
public static class EngineWarmup
{
    private const int Events = 2048; // two batch calls: one interning per event, one per group (GroupInternAt 0)
    private const int Distinct = 64;

    // Members no field reads, one of each JSON kind, under names chosen not to be configured (see Unread).
    private static readonly string[] UnreadValues =
        ["-12.5e3", "42", "true", "false", "null", "\"a\\\"b\\u00e9\"", "[1, \"x\", {\"b\": null}, []]", "{\"c\": {\"d\": 0.5}, \"e\": []}"];

    /// <summary>Decodes and counts <see cref="Events"/> made-up events in <paramref name="engine"/> through
    /// <see cref="EntropyEngine.ProcessMany"/> and <see cref="EntropyEngine.Process"/>, then takes its snapshot and builds
    /// its output records.</summary>
    /// <param name="engine">A new engine of the configuration to compile for; it is used up.</param>
    /// <param name="nowMs">The events' time, Unix milliseconds.</param>
    /// <returns>How many made-up events the engine accepted.</returns>
    public static int Run(EntropyEngine engine, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(engine);
        (byte[] bytes, int[] starts, int[] lengths) = MakeEvents(engine.Schema.Fields);
        long[] times = new long[Events];
        Array.Fill(times, nowMs);
        var results = new DecodeError[Events];
        const int half = Events / 2;
        engine.ProcessMany(bytes, starts.AsSpan(0, half), lengths.AsSpan(0, half), times.AsSpan(0, half), results);
        engine.GroupInternAt = 0; // the grouped interning, taken by fields of many distinct values
        engine.ProcessMany(bytes, starts.AsSpan(half), lengths.AsSpan(half), times.AsSpan(half), results.AsSpan(half));
        int accepted = results.Count(r => r == DecodeError.None);
        for (int i = 0; i < 8; i++)
        {
            if (engine.Process(bytes.AsSpan(starts[i], lengths[i]), nowMs) == DecodeError.None)
            {
                accepted++;
            }
        }

        DateTimeOffset now = DateTimeOffset.FromUnixTimeMilliseconds(nowMs);
        for (int i = 0; i < 2; i++)
        {
            foreach (WindowSnapshot window in engine.Snapshot())
            {
                SnapshotRecords.Build(window, LogBase.Bits, now);
            }
        }

        engine.Save(Stream.Null); // puts every table in canonical form (CountTable.Normalize), re-basing its sums
        return accepted;
    }

    // One JSON object per event: each field's path as nested objects, values cycling through Distinct strings per field.
    private static (byte[] Bytes, int[] Starts, int[] Lengths) MakeEvents(IReadOnlyList<FieldDefinition> fields)
    {
        var root = new Node();
        foreach (FieldDefinition field in fields)
        {
            if (!field.IsTuple)
            {
                Node node = root;
                foreach (string segment in field.Path.Split('.'))
                {
                    node = node.Children.TryGetValue(segment, out Node? child) ? child : node.Children[segment] = new Node();
                }

                node.Numeric |= field.BinWidth is not null;
            }
        }

        var buffer = new ArrayBufferWriter<byte>(Events * 256);
        int[] starts = new int[Events];
        int[] lengths = new int[Events];
        using var writer = new Utf8JsonWriter(buffer);
        string unread = Unread(root);
        for (int i = 0; i < Events; i++)
        {
            starts[i] = buffer.WrittenCount;
            Write(writer, root, i, unread);
            writer.Flush();
            lengths[i] = buffer.WrittenCount - starts[i];
            writer.Reset();
        }

        return (buffer.WrittenSpan.ToArray(), starts, lengths);
    }

    // Three events in four count the same value ("w0" or 0): over Events, more than CountTable.LargeCount times.
    private static void Write(Utf8JsonWriter writer, Node node, int i, string? unread)
    {
        writer.WriteStartObject();
        int k = 0;
        foreach ((string name, Node child) in node.Children)
        {
            writer.WritePropertyName(name);
            int value = i % 4 == 3 ? (i * (k + 1)) % Distinct : 0;
            if (child.Children.Count > 0)
            {
                Write(writer, child, i, unread: null);
            }
            else if (child.Numeric || i % 3 == 1)
            {
                writer.WriteNumberValue(value);
            }
            else
            {
                writer.WriteStringValue((i % 3 == 2 ? "w\"" : "w") + value.ToString(CultureInfo.InvariantCulture));
            }

            k++;
        }

        if (unread is not null)
        {
            for (int u = 0; u < UnreadValues.Length; u++)
            {
                writer.WritePropertyName(unread + u.ToString(CultureInfo.InvariantCulture));
                writer.WriteRawValue(UnreadValues[u]);
            }
        }

        writer.WriteEndObject();
    }

    // A member name no configured path starts with.
    private static string Unread(Node root)
    {
        string name = "~warm-up";
        while (root.Children.Keys.Any(key => key.StartsWith(name, StringComparison.Ordinal)))
        {
            name += "~";
        }

        return name;
    }

    private sealed class Node
    {
        public Dictionary<string, Node> Children { get; } = new(StringComparer.Ordinal);

        public bool Numeric { get; set; }
    }
}
