using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Decoding;

namespace StreamEntropy.Streaming.Profiling;

/// <summary>Counts the fields and pairs of a CSV or JSON Lines file into a <see cref="FrequencySet"/> (exact) or a
/// <see cref="BoundedProfile"/> (bounded memory), streaming.</summary>
/// <remarks>One row loop per format feeds either (see <see cref="IRowSink"/>). Exact: memory grows with the number of
/// distinct values, not with the number of rows; bounded: memory is fixed by the budget. A JSON line goes through
/// the same <see cref="JsonEventDecoder"/> as a Kafka event, so a file and a stream of the same events agree.</remarks>
public static class FileProfiler
{
    private const int ProgressEveryRows = 1 << 16;

    /// <summary>Tells CSV from JSON Lines by extension (.csv, .jsonl, .ndjson, .json) or else by the first non-blank byte.</summary>
    /// <exception cref="InputDataException">The file does not exist or cannot be read.</exception>
    public static InputFormat DetectFormat(string path)
    {
        string extension = Path.GetExtension(path).ToUpperInvariant();
        switch (extension)
        {
            case ".CSV":
                EnsureExists(path);
                return InputFormat.Csv;
            case ".JSONL" or ".NDJSON" or ".JSON":
                EnsureExists(path);
                return InputFormat.JsonLines;
        }

        using FileStream stream = Open(path);
        Span<byte> head = stackalloc byte[256];
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        foreach (byte b in head[..read])
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF)
            {
                continue; // whitespace or a UTF-8 byte order mark
            }

            return b == (byte)'{' ? InputFormat.JsonLines : InputFormat.Csv;
        }

        return InputFormat.Csv;
    }

    /// <summary>Lists the fields a file offers: the CSV header, or every leaf path of the JSON objects in order of first sight.</summary>
    /// <remarks>For JSON Lines this reads the whole file once; arrays and their contents count as one leaf. Keys that a
    /// dotted path cannot name (empty, or containing a dot) are left out, with everything below them.</remarks>
    public static IReadOnlyList<string> DiscoverFields(string path, InputFormat format)
    {
        using FileStream stream = Open(path);
        if (format == InputFormat.Csv)
        {
            try
            {
                using var csv = new CsvReader(stream, leaveOpen: true);
                return csv.Header;
            }
            catch (CsvFormatException e)
            {
                throw new InputDataException($"{path}: {e.Message}", e);
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var paths = new List<string>();
        using var lines = new JsonLinesReader(stream, leaveOpen: true);
        var prefix = new StringBuilder();
        while (lines.ReadLine())
        {
            var reader = new Utf8JsonReader(lines.Line, new JsonReaderOptions { MaxDepth = 64 });
            try
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new InputDataException($"{path}:{lines.LineNumber}: the line is not a JSON object.");
                }

                prefix.Clear();
                CollectLeaves(ref reader, prefix, seen, paths);
            }
            catch (JsonException e)
            {
                throw new InputDataException($"{path}:{lines.LineNumber}: invalid JSON: {e.Message}", e);
            }
        }

        return paths;
    }

    /// <summary>Counts every row of the file into <paramref name="set"/> and returns the number of rows.</summary>
    /// <param name="path">The file.</param>
    /// <param name="format">Its format.</param>
    /// <param name="set">The tables to count into; its schema's paths name CSV columns or JSON paths.</param>
    /// <param name="progress">Told the bytes read so far, every 65 536 rows.</param>
    /// <param name="invalidValues">Told where each binned field first had a value that is not a finite number (or whose
    /// bin does not fit in 64 bits, such as <c>1e400</c>); such values are counted as invalid, as in the worker.</param>
    /// <exception cref="InputDataException">The file is missing, a row is malformed (the message names the line), or a
    /// field never occurs in the file.</exception>
    public static long Count(string path, InputFormat format, FrequencySet set, IProgress<long>? progress = null, InvalidValues? invalidValues = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        return Count(path, format, new ExactRowSink(set), progress, invalidValues);
    }

    /// <summary>Counts every row of the file into <paramref name="profile"/> (bounded memory per field and pair) and
    /// returns the number of rows.</summary>
    /// <param name="path">The file.</param>
    /// <param name="format">Its format.</param>
    /// <param name="profile">The budgeted counts; its schema's paths name CSV columns or JSON paths.</param>
    /// <param name="progress">Told the bytes read so far, every 65 536 rows.</param>
    /// <param name="invalidValues">As for the exact overload.</param>
    /// <exception cref="InputDataException">As for the exact overload, with the same messages.</exception>
    public static long Count(string path, InputFormat format, BoundedProfile profile, IProgress<long>? progress = null, InvalidValues? invalidValues = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return Count<IRowSink>(path, format, profile, progress, invalidValues);
    }

    private static long Count<TSink>(string path, InputFormat format, TSink sink, IProgress<long>? progress, InvalidValues? invalidValues)
        where TSink : IRowSink
    {
        using FileStream stream = Open(path);
        long rows = format == InputFormat.Csv
            ? CountCsv(path, stream, sink, progress, invalidValues)
            : CountJsonLines(path, stream, sink, progress, invalidValues);
        EventSchema schema = sink.Schema;
        for (int f = 0; f < schema.Fields.Count; f++)
        {
            if (rows > 0 && sink.Missing(f) == rows)
            {
                throw new InputDataException($"{path}: unknown field '{schema.Fields[f].Path}': no line has it.");
            }
        }

        return rows;
    }

    private static long CountCsv<TSink>(string path, FileStream stream, TSink sink, IProgress<long>? progress, InvalidValues? invalidValues)
        where TSink : IRowSink
    {
        EventSchema schema = sink.Schema;
        try
        {
            using var csv = new CsvReader(stream, leaveOpen: true);
            var columns = new int[schema.Fields.Count];
            for (int f = 0; f < columns.Length; f++)
            {
                columns[f] = IndexOf(csv.Header, schema.Fields[f].Path);
                if (columns[f] < 0)
                {
                    throw new InputDataException($"{path}: unknown field '{schema.Fields[f].Path}'; the columns are {string.Join(", ", csv.Header)}.");
                }
            }

            long rows = 0;
            while (csv.ReadRecord())
            {
                for (int f = 0; f < columns.Length; f++)
                {
                    Add(sink, f, csv.GetField(columns[f]), path, csv.LineNumber, invalidValues);
                }

                sink.EndRow();
                if ((++rows % ProgressEveryRows) == 0)
                {
                    progress?.Report(stream.Position);
                }
            }

            return rows;
        }
        catch (CsvFormatException e)
        {
            throw new InputDataException($"{path}: {e.Message}", e);
        }
    }

    private static long CountJsonLines<TSink>(string path, FileStream stream, TSink sink, IProgress<long>? progress, InvalidValues? invalidValues)
        where TSink : IRowSink
    {
        EventSchema schema = sink.Schema;
        var paths = new string[schema.Fields.Count];
        for (int f = 0; f < paths.Length; f++)
        {
            paths[f] = schema.Fields[f].Path;
        }

        JsonEventDecoder decoder;
        try
        {
            decoder = new JsonEventDecoder(paths);
        }
        catch (ArgumentException e)
        {
            throw new InputDataException($"{path}: {e.Message.Split(" (Parameter", 2)[0]} JSON fields are dotted paths such as user.country.", e);
        }

        using var lines = new JsonLinesReader(stream, leaveOpen: true);
        long rows = 0;
        while (lines.ReadLine())
        {
            DecodeError error = decoder.Decode(lines.Line);
            if (error != DecodeError.None)
            {
                throw new InputDataException($"{path}:{lines.LineNumber}: {decoder.LastErrorDetail}");
            }

            for (int f = 0; f < paths.Length; f++)
            {
                if (decoder.TryGetValue(f, out ReadOnlySpan<byte> text))
                {
                    Add(sink, f, text, path, lines.LineNumber, invalidValues);
                }
                else
                {
                    sink.AddMissing(f);
                }
            }

            sink.EndRow();
            if ((++rows % ProgressEveryRows) == 0)
            {
                progress?.Report(stream.Position);
            }
        }

        return rows;
    }

    // A binned field's value that is not a finite number with a 64-bit bin is counted as invalid by the sink (the
    // worker's rule for events, NumericBinning.TryBin for both), not an error: noted here so the command can say where.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add<TSink>(TSink sink, int field, ReadOnlySpan<byte> text, string path, long line, InvalidValues? invalidValues)
        where TSink : IRowSink
    {
        if (!sink.TryAdd(field, text))
        {
            invalidValues?.Note(sink.Schema.Fields[field], field, path, line, text);
        }
    }

    private static void CollectLeaves(ref Utf8JsonReader reader, StringBuilder prefix, HashSet<string> seen, List<string> paths)
    {
        int length = prefix.Length;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            // reader is on a property name
            prefix.Length = length;
            if (length > 0)
            {
                prefix.Append('.');
            }

            string key = reader.GetString() ?? "";
            bool addressable = key.Length > 0 && !key.Contains('.', StringComparison.Ordinal);
            prefix.Append(addressable ? key : "\0"); // a key a dotted path cannot name ("", "a.b") poisons its subtree
            reader.Read();
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                CollectLeaves(ref reader, prefix, seen, paths);
                continue;
            }

            if (reader.TokenType == JsonTokenType.StartArray)
            {
                reader.Skip();
            }

            string leaf = prefix.ToString();
            if (!leaf.Contains('\0', StringComparison.Ordinal) && seen.Add(leaf))
            {
                paths.Add(leaf);
            }
        }

        prefix.Length = length;
    }

    private static int IndexOf(IReadOnlyList<string> header, string name)
    {
        for (int i = 0; i < header.Count; i++)
        {
            if (string.Equals(header[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static void EnsureExists(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputDataException($"{path}: no such file.");
        }
    }

    private static FileStream Open(string path)
    {
        EnsureExists(path);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputDataException($"{path}: cannot read: {e.Message}", e);
        }
    }
}
