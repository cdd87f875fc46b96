using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Output;
using StreamEntropy.Streaming.Profiling;

namespace StreamEntropy.Worker.Commands;

/// <summary>Reads a CSV or JSON Lines file as a stream of events for <see cref="ReplayRunner"/>: each JSON line as it
/// is (the worker's own decoding), each CSV record as a JSON object of its columns (every value a string), with the
/// injections applied and each row's event time.</summary>
internal sealed class ReplayReader
{
    private readonly string _path;
    private readonly string _name;
    private readonly IReadOnlyList<(ReplayInjection Injection, string Path)> _injections;
    private readonly string? _timeColumn;
    private readonly double _rate;
    private readonly long _injectionRow;

    /// <summary>Creates a reader.</summary>
    /// <param name="path">The file (a regular file: it is read once, after its format was told).</param>
    /// <param name="name">The file's name in messages.</param>
    /// <param name="injections">Each injection, with the path (JSON) or column (CSV) of its field.</param>
    /// <param name="timeColumn">The column or dotted path of the event time; null for row i at i / rate seconds.</param>
    /// <param name="rate">Rows per second when there is no time column.</param>
    public ReplayReader(string path, string name, IReadOnlyList<(ReplayInjection Injection, string Path)> injections, string? timeColumn, double rate)
    {
        _path = path;
        _name = name;
        _injections = injections;
        _timeColumn = timeColumn;
        _rate = rate;
        _injectionRow = injections.Count == 0 ? long.MaxValue : injections.Min(i => i.Injection.Row);
    }

    /// <summary>Gets the time after the last row: where event time stands at the end of the file (the time the next
    /// row would have had at the given rate; the last row's time with a time column).</summary>
    public long EndMs { get; private set; }

    /// <summary>Replays a CSV file (first line a header).</summary>
    /// <exception cref="InputDataException">A malformed record, a field or time column that is not a column, or a time
    /// that does not parse.</exception>
    public void Csv(byte? delimiter, EventSchema schema, ReplayRunner runner)
    {
        using FileStream stream = Open();
        try
        {
            using var csv = new CsvReader(stream, delimiter, leaveOpen: true);
            IReadOnlyList<string> header = csv.Header;
            int Column(string name, string what) => header.ToList().IndexOf(name) is int i and >= 0
                ? i
                : throw new InputDataException($"{_name}: {what} '{DisplayText.Escape(name)}' is not a column; the columns are {DisplayText.Escape(string.Join(", ", header), 400)}.");

            foreach (FieldDefinition f in schema.Fields.Where(f => !f.IsTuple))
            {
                Column(f.Path, "the configured field");
            }

            int time = _timeColumn is null ? -1 : Column(_timeColumn, "--time-column");
            int[] injected = [.. _injections.Select(i => Column(i.Path, "--inject's field"))];
            JsonEncodedText[] names = [.. header.Select(h => JsonEncodedText.Encode(h))];
            var texts = new byte[]?[header.Count];
            var buffer = new ArrayBufferWriter<byte>(4096);
            using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
            long row = 0;
            while (csv.ReadRecord())
            {
                Array.Clear(texts);
                for (int k = 0; k < injected.Length; k++)
                {
                    int c = injected[k];
                    texts[c] = _injections[k].Injection.Decide(row, present: true, texts[c] ?? csv.GetField(c)) ?? texts[c];
                }

                buffer.ResetWrittenCount();
                writer.Reset(buffer);
                writer.WriteStartObject();
                for (int c = 0; c < names.Length; c++)
                {
                    writer.WriteString(names[c], texts[c] is { } replaced ? replaced : csv.GetField(c));
                }

                writer.WriteEndObject();
                writer.Flush();
                long line = csv.LineNumber;
                long t = time < 0 ? ReplayTime.OfRow(row, _rate) : ParseTime(csv.GetField(time), line);
                Feed(runner, buffer.WrittenSpan, t, row++, line);
            }

            EndMs = time < 0 ? ReplayTime.OfRow(row, _rate) : EndMs;
        }
        catch (CsvFormatException e)
        {
            throw new InputDataException($"{_name}: {e.Message}", e);
        }
        catch (LineTooLongException e)
        {
            throw new InputDataException($"{_name}: {e.Message}", e) { ExceedsLimit = true };
        }
    }

    /// <summary>Replays a JSON Lines file.</summary>
    /// <exception cref="InputDataException">A line too long, a missing or malformed time.</exception>
    public void JsonLines(ReplayRunner runner)
    {
        // One decoder for the values the replay itself needs: the time, then each injection's field.
        List<string> paths = [.. _injections.Select(i => i.Path)];
        if (_timeColumn is not null)
        {
            paths.Add(_timeColumn);
        }

        List<string> distinct = [.. paths.Distinct(StringComparer.Ordinal)];
        JsonEventDecoder? decoder = paths.Count == 0 ? null : new JsonEventDecoder(distinct, maxEventBytes: JsonLinesReader.MaxLineBytes);
        int[] slots = [.. paths.Select(p => distinct.IndexOf(p))];
        using FileStream stream = Open();
        using var lines = new JsonLinesReader(stream, leaveOpen: true);
        var replaced = new byte[]?[_injections.Count];
        long row = 0;
        try
        {
            while (lines.ReadLine())
            {
                ReadOnlySpan<byte> line = lines.Line;
                bool decoded = decoder is not null && decoder.Decode(line) == DecodeError.None;
                bool any = false;
                for (int k = 0; k < _injections.Count; k++)
                {
                    ReadOnlySpan<byte> text = default;
                    bool present = decoded && decoder!.TryGetValue(slots[k], out text);
                    for (int j = k - 1; j >= 0; j--)
                    {
                        if (slots[j] == slots[k] && replaced[j] is { } earlier)
                        {
                            text = earlier; // an earlier injection of the same field rewrote it: this one sees its result
                            break;
                        }
                    }

                    replaced[k] = _injections[k].Injection.Decide(row, present, text);
                    any |= replaced[k] is not null;
                }

                long t;
                if (_timeColumn is null)
                {
                    t = ReplayTime.OfRow(row, _rate);
                }
                else if (!decoded)
                {
                    t = EndMs; // a line the engine rejects: its time does not matter
                }
                else if (decoder!.TryGetValue(slots[^1], out ReadOnlySpan<byte> timeText))
                {
                    t = ParseTime(timeText, lines.LineNumber);
                }
                else
                {
                    throw new InputDataException($"{_name}:{lines.LineNumber}: --time-column '{DisplayText.Escape(_timeColumn)}' is missing or null.");
                }

                byte[]? rewritten = any ? Rewrite(line, replaced) : null;
                Feed(runner, rewritten is null ? line : rewritten, t, row++, lines.LineNumber);
            }
        }
        catch (LineTooLongException e)
        {
            throw new InputDataException($"{_name}: {e.Message}", e) { ExceedsLimit = true };
        }

        EndMs = _timeColumn is null ? ReplayTime.OfRow(row, _rate) : EndMs;
    }

    private void Feed(ReplayRunner runner, ReadOnlySpan<byte> utf8Json, long timeMs, long row, long line)
    {
        if (row == _injectionRow)
        {
            runner.MarkInjection(timeMs);
        }

        runner.Add(utf8Json, timeMs, _name, line);
        EndMs = Math.Max(EndMs, timeMs);
    }

    private long ParseTime(ReadOnlySpan<byte> text, long line) =>
        ReplayTime.TryParse(text, out long t)
            ? t
            : throw new InputDataException(
                $"{_name}:{line}: --time-column '{DisplayText.Escape(_timeColumn!)}': '{DisplayText.Escape(Encoding.UTF8.GetString(text), 60)}' is not a time; "
                + "give epoch seconds or milliseconds (a number), or an ISO-8601 date and time.");

    // Sets each injected field's new text (as a JSON string) at its dotted path. Only the rows an injection rewrites
    // pay for this; a line the engine would reject anyway is passed on unchanged.
    private byte[]? Rewrite(ReadOnlySpan<byte> line, byte[]?[] replaced)
    {
        try
        {
            if (JsonNode.Parse(line) is not JsonObject root)
            {
                return null;
            }

            for (int k = 0; k < replaced.Length; k++)
            {
                if (replaced[k] is not { } text)
                {
                    continue;
                }

                string[] segments = _injections[k].Path.Split('.');
                JsonObject? parent = root;
                for (int s = 0; s < segments.Length - 1 && parent is not null; s++)
                {
                    parent = parent[segments[s]] as JsonObject;
                }

                if (parent is not null)
                {
                    parent[segments[^1]] = JsonValue.Create(Encoding.UTF8.GetString(text));
                }
            }

            var output = new ArrayBufferWriter<byte>(line.Length + 64);
            using (var writer = new Utf8JsonWriter(output))
            {
                root.WriteTo(writer);
            }

            return output.WrittenSpan.ToArray();
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return null; // e.g. a repeated key: the line is replayed as read
        }
    }

    private FileStream Open()
    {
        try
        {
            return new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputDataException($"{_name}: cannot read: {e.Message}", e);
        }
    }
}
