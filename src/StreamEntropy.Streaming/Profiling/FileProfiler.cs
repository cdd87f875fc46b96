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

    /// <summary>The smallest share of a file worth a core of its own when counting in parallel.</summary>
    internal const long MinPartBytes = 4 << 20;

    private const int PartBufferBytes = 1 << 20;

    /// <summary>Tells CSV from JSON Lines by extension (.csv, .jsonl, .ndjson, .json) or else by the first non-blank byte.</summary>
    /// <exception cref="InputDataException">The file does not exist, is a directory or cannot be read.</exception>
    public static InputFormat DetectFormat(string path)
    {
        using ProfileInput input = ProfileInput.Open(path);
        return DetectFormat(input);
    }

    /// <summary>Tells CSV from JSON Lines by extension (.csv, .jsonl, .ndjson, .json) or else by the first non-blank byte.</summary>
    public static InputFormat DetectFormat(ProfileInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        string extension = Path.GetExtension(input.Name).ToUpperInvariant();
        switch (extension)
        {
            case ".CSV":
                return InputFormat.Csv;
            case ".JSONL" or ".NDJSON" or ".JSON":
                return InputFormat.JsonLines;
        }

        using Stream stream = input.OpenPeek();
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
        using ProfileInput input = ProfileInput.Open(path);
        return DiscoverFields(input, format);
    }

    /// <summary>Lists the fields an input offers (see <see cref="DiscoverFields(string, InputFormat)"/>).</summary>
    /// <param name="input">The input; JSON Lines from a pipe is copied to a temporary file first, since it is read twice.</param>
    /// <param name="format">Its format.</param>
    /// <param name="csvDelimiter">The CSV delimiter, or null to detect it from the header line.</param>
    public static IReadOnlyList<string> DiscoverFields(ProfileInput input, InputFormat format, byte? csvDelimiter = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        string path = input.Name;
        if (format == InputFormat.Csv)
        {
            using Stream peek = input.OpenPeek();
            try
            {
                using var csv = new CsvReader(peek, csvDelimiter, leaveOpen: true);
                return csv.Header;
            }
            catch (CsvFormatException e)
            {
                throw new InputDataException($"{path}: {e.Message}", e);
            }
            catch (LineTooLongException e)
            {
                throw new InputDataException($"{path}: {e.Message}", e) { ExceedsLimit = true };
            }
        }

        input.MakeSeekable();
        using Stream stream = input.OpenRead();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var paths = new List<string>();
        using var lines = new JsonLinesReader(stream, leaveOpen: true);
        var prefix = new StringBuilder();
        while (ReadLine(lines, long.MaxValue, path))
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
        using ProfileInput input = ProfileInput.Open(path);
        return Count(input, format, set, progress, invalidValues: invalidValues);
    }

    /// <summary>Counts every row of an input into <paramref name="set"/> and returns the number of rows.</summary>
    /// <remarks>A regular file of several MiB is split at line boundaries over the cores, each part counted with its
    /// own interners, and the parts merged in file order: the same ids, counts and results as one pass (see
    /// <see cref="FrequencySet"/>). A CSV part that started inside a quoted field is detected (the part before it
    /// does not end where it starts) and counted again from the right place.</remarks>
    /// <param name="input">The input.</param>
    /// <param name="format">Its format.</param>
    /// <param name="set">The tables to count into.</param>
    /// <param name="progress">Told the bytes read so far, every 65 536 rows.</param>
    /// <param name="csvDelimiter">The CSV delimiter, or null to detect it from the header line.</param>
    /// <param name="invalidValues">As for the path overload.</param>
    public static long Count(
        ProfileInput input, InputFormat format, FrequencySet set, IProgress<long>? progress = null, byte? csvDelimiter = null, InvalidValues? invalidValues = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        return Count(input, format, set, progress, csvDelimiter, Environment.ProcessorCount, MinPartBytes, invalidValues);
    }

    // Tests choose the number of parts and a small minimum part size to exercise the parallel path on small files.
    internal static long Count(
        ProfileInput input, InputFormat format, FrequencySet set, IProgress<long>? progress, byte? csvDelimiter, int parts, long minPartBytes, InvalidValues? invalidValues = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(set);
        if (set.Encoder.Schema.HasBudgets || !input.IsSeekable)
        {
            parts = 1; // bounded counts merge inexactly; a pipe cannot be split
        }
        else
        {
            parts = (int)Math.Clamp((input.Length ?? 0) / Math.Max(minPartBytes, 1), 1, Math.Max(parts, 1));
        }

        var sink = new ExactRowSink(set);
        invalidValues ??= new InvalidValues();
        return Finish(input.Name, sink, format == InputFormat.Csv
            ? CountCsv(input, sink, progress, csvDelimiter, parts, invalidValues)
            : CountJsonLines(input, sink, progress, parts, invalidValues));
    }

    /// <summary>Counts every row of the file into <paramref name="profile"/> (bounded memory per field and pair) and
    /// returns the number of rows.</summary>
    /// <param name="path">The file.</param>
    /// <param name="format">Its format.</param>
    /// <param name="profile">The bounded counts; its schema's paths name CSV columns or JSON paths.</param>
    /// <param name="progress">Told the bytes read so far, every 65 536 rows.</param>
    /// <param name="invalidValues">As for the exact overload.</param>
    /// <exception cref="InputDataException">As for the exact overload, with the same messages.</exception>
    public static long Count(string path, InputFormat format, BoundedProfile profile, IProgress<long>? progress = null, InvalidValues? invalidValues = null)
    {
        using ProfileInput input = ProfileInput.Open(path);
        return Count(input, format, profile, progress, invalidValues: invalidValues);
    }

    /// <summary>Counts every row of an input into <paramref name="profile"/> (bounded memory), in one pass.</summary>
    public static long Count(
        ProfileInput input, InputFormat format, BoundedProfile profile, IProgress<long>? progress = null, byte? csvDelimiter = null, InvalidValues? invalidValues = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(profile);
        invalidValues ??= new InvalidValues();
        return Finish(input.Name, profile, format == InputFormat.Csv
            ? CountCsv<IRowSink>(input, profile, progress, csvDelimiter, 1, invalidValues)
            : CountJsonLines<IRowSink>(input, profile, progress, 1, invalidValues));
    }

    private static long Finish<TSink>(string path, TSink sink, long rows)
        where TSink : IRowSink
    {
        EventSchema schema = sink.Schema;
        for (int f = 0; f < schema.Fields.Count; f++)
        {
            if (rows > 0 && !schema.IsTuple(f) && sink.Missing(f) == rows)
            {
                throw new InputDataException($"{path}: unknown field '{schema.Fields[f].Path}': no line has it.");
            }
        }

        return rows;
    }

    private static long CountCsv<TSink>(ProfileInput input, TSink sink, IProgress<long>? progress, byte? delimiter, int parts, InvalidValues invalid)
        where TSink : IRowSink
    {
        string path = input.Name;
        EventSchema schema = sink.Schema;
        using Stream stream = input.OpenRead();
        try
        {
            using var csv = new CsvReader(stream, leaveOpen: true, PartBufferBytes, delimiter);
            var byName = new Dictionary<string, int>(csv.Header.Count, StringComparer.Ordinal);
            for (int i = 0; i < csv.Header.Count; i++)
            {
                byName[csv.Header[i]] = i; // names are distinct: the reader checked
            }

            var columns = new int[schema.Fields.Count];
            for (int f = 0; f < columns.Length; f++)
            {
                if (schema.IsTuple(f))
                {
                    columns[f] = -1; // composed from its components' columns
                    continue;
                }

                if (!byName.TryGetValue(schema.Fields[f].Path, out columns[f]))
                {
                    throw new InputDataException($"{path}: unknown field '{schema.Fields[f].Path}'; the columns are {string.Join(", ", csv.Header)}.");
                }
            }

            if (parts > 1 && sink is ExactRowSink exact)
            {
                var reader = new CsvPartReader(input, csv, columns, invalid);
                return CountInParts(input, exact.Set, reader, csv.NextRecordOffset, csv.NextLine, parts, progress, invalid);
            }

            var state = new PartProgress(progress, 1);
            return CountCsvRange(csv, columns, sink, long.MaxValue, path, state, 0, invalid, CancellationToken.None);
        }
        catch (CsvFormatException e)
        {
            throw new InputDataException($"{path}: {e.Message}", e);
        }
        catch (LineTooLongException e)
        {
            throw new InputDataException($"{path}: {e.Message}", e) { ExceedsLimit = true };
        }
    }

    // The row loop over CSV records that start before stopAt.
    private static long CountCsvRange<TSink>(
        CsvReader csv, int[] columns, TSink sink, long stopAt, string path, PartProgress progress, int part, InvalidValues invalid, CancellationToken cancel)
        where TSink : IRowSink
    {
        long rows = 0;
        TupleComposer? tuples = TupleComposer.For(sink.Schema);
        while (csv.NextRecordOffset < stopAt && csv.ReadRecord())
        {
            for (int f = 0; f < columns.Length; f++)
            {
                if (columns[f] >= 0)
                {
                    Add(sink, f, csv.GetField(columns[f]), path, csv.LineNumber, invalid);
                }
            }

            if (tuples is not null)
            {
                AddTuples(sink, tuples, new CsvFieldTexts(csv, columns));
            }

            sink.EndRow();
            if ((++rows % ProgressEveryRows) == 0)
            {
                cancel.ThrowIfCancellationRequested();
                progress.Report(part, csv.NextRecordOffset);
            }
        }

        return rows;
    }

    private static long CountJsonLines<TSink>(ProfileInput input, TSink sink, IProgress<long>? progress, int parts, InvalidValues invalid)
        where TSink : IRowSink
    {
        string path = input.Name;
        JsonEventDecoder decoder = CreateDecoder(sink.Schema, path);
        using Stream stream = input.OpenRead();
        using var lines = new JsonLinesReader(stream, leaveOpen: true, PartBufferBytes);
        if (parts > 1 && sink is ExactRowSink exact)
        {
            return CountInParts(input, exact.Set, new JsonPartReader(input, lines, decoder, invalid), 0, 1, parts, progress, invalid);
        }

        return CountJsonRange(lines, decoder, sink, long.MaxValue, path, new PartProgress(progress, 1), 0, invalid, CancellationToken.None);
    }

    // A decoder of the fields read from lines (not the tuples), by DecodedFieldTexts.DecodedPaths' slots.
    private static JsonEventDecoder CreateDecoder(EventSchema schema, string path)
    {
        string[] paths = DecodedFieldTexts.DecodedPaths(schema, out _);
        foreach (string p in paths)
        {
            if (JsonEventDecoder.ValidatePath(p) is { } problem)
            {
                throw new InputDataException($"{path}: {problem} JSON fields are dotted paths such as user.country.");
            }
        }

        return new JsonEventDecoder(paths);
    }

    // The row loop over JSON lines that start before stopAt.
    private static long CountJsonRange<TSink>(
        JsonLinesReader lines, JsonEventDecoder decoder, TSink sink, long stopAt, string path, PartProgress progress, int part, InvalidValues invalid, CancellationToken cancel)
        where TSink : IRowSink
    {
        int fields = sink.Schema.Fields.Count;
        DecodedFieldTexts.DecodedPaths(sink.Schema, out int[] slots);
        TupleComposer? tuples = TupleComposer.For(sink.Schema);
        long rows = 0;
        while (ReadLine(lines, stopAt, path))
        {
            DecodeError error = decoder.Decode(lines.Line);
            if (error != DecodeError.None)
            {
                throw new InputDataException($"{path}:{lines.LineNumber}: {decoder.LastErrorDetail}");
            }

            for (int f = 0; f < fields; f++)
            {
                int slot = slots[f];
                if (slot < 0)
                {
                    continue; // a tuple, composed below
                }

                if (decoder.TryGetValue(slot, out ReadOnlySpan<byte> text))
                {
                    Add(sink, f, text, path, lines.LineNumber, invalid);
                }
                else
                {
                    sink.AddMissing(f);
                }
            }

            if (tuples is not null)
            {
                AddTuples(sink, tuples, new DecodedFieldTexts(decoder, slots));
            }

            sink.EndRow();
            if ((++rows % ProgressEveryRows) == 0)
            {
                cancel.ThrowIfCancellationRequested();
                progress.Report(part, lines.NextLineOffset);
            }
        }

        return rows;
    }

    private static bool ReadLine(JsonLinesReader lines, long stopAt, string path)
    {
        try
        {
            return lines.ReadLine(stopAt);
        }
        catch (LineTooLongException e)
        {
            throw new InputDataException($"{path}: {e.Message}", e) { ExceedsLimit = true };
        }
    }

    // Splits [dataStart, end of file) into parts at line starts, counts part 0 on this thread into set (with the reader
    // that is already there) and the others in parallel into sets of their own, then merges them in file order. A part
    // is used only when the part before it ended exactly where it began and it met no error; otherwise the range is
    // counted again here, continuing from where the previous part really ended, so a part that began inside a quoted
    // CSV field, and any error, come out as from one sequential pass (with the right line numbers).
    private static long CountInParts(
        ProfileInput input, FrequencySet set, IPartReader reader, long dataStart, long dataLine, int parts, IProgress<long>? progress, InvalidValues invalid)
    {
        long length = input.Length ?? 0;
        var starts = new long[parts + 1];
        starts[0] = dataStart;

        // Part 0 runs on this thread and builds its tables before the others are merged, so it gets a smaller share
        // (weight 0.8 against 1 for each other part): its tables are then built while the other parts still count.
        double weights = 0.8 + (parts - 1);
        for (int k = 1; k < parts; k++)
        {
            long target = dataStart + (long)((length - dataStart) * ((0.8 + (k - 1)) / weights));
            starts[k] = Math.Max(starts[k - 1], NextLineStart(input, target));
        }

        starts[parts] = long.MaxValue;
        var state = new PartProgress(progress, parts);
        using var cancel = new CancellationTokenSource();
        var work = new Task<PartResult>[parts];
        for (int k = 1; k < parts; k++)
        {
            int part = k;
            work[k] = Task.Factory.StartNew(
                () => reader.CountPart(set.Encoder.Schema, starts[part], starts[part + 1], state, part, cancel.Token),
                cancel.Token,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }

        try
        {
            long rows = reader.CountFirst(set, starts[1], parts, state, cancel.Token);
            long position = reader.FirstEnd;
            long line = reader.FirstNextLine;
            for (int k = 1; k < parts; k++)
            {
                PartResult result = work[k].Result; // CountPart returns its error rather than throwing it
                if (result.Error is null && result.Counts is not null && position == starts[k])
                {
                    result.Counts.AddTo(set);
                    invalid.AddFrom(result.Invalid!, line - 1); // the part numbered its lines from 1
                    rows += result.Rows;
                    position = result.End;
                    line += result.Lines;
                }
                else
                {
                    (long more, position, line) = reader.CountAgain(set, position, line, starts[k + 1], state, k);
                    rows += more;
                }
            }

            return rows;
        }
        finally
        {
            cancel.Cancel();
            try
            {
                Task.WaitAll(work.AsSpan(1));
            }
            catch (AggregateException)
            {
                // Parts cancelled or failed after the result was decided: nothing of theirs is used.
            }
        }
    }

    // The offset just after the first line feed at or after offset (the file's end when there is none).
    private static long NextLineStart(ProfileInput input, long offset)
    {
        using Stream stream = input.OpenRead();
        stream.Seek(offset, SeekOrigin.Begin);
        byte[] buffer = new byte[1 << 16];
        long position = offset;
        while (true)
        {
            int read = stream.Read(buffer);
            if (read == 0)
            {
                return position;
            }

            int newline = buffer.AsSpan(0, read).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                return position + newline + 1;
            }

            position += read;
        }
    }

    // A binned field's value that is not a finite number with a 64-bit bin is counted as invalid by the sink (the
    // worker's rule for events, NumericBinning.TryBin for both), not an error: noted here so the command can say where.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add<TSink>(TSink sink, int field, ReadOnlySpan<byte> text, string path, long line, InvalidValues invalid)
        where TSink : IRowSink
    {
        if (!sink.TryAdd(field, text))
        {
            invalid.Note(sink.Schema.Fields[field], field, path, line, text);
        }
    }

    // Each tuple's value, composed from its components' texts in the current row (after they were added).
    private static void AddTuples<TSink, TTexts>(TSink sink, TupleComposer tuples, in TTexts texts)
        where TSink : IRowSink
        where TTexts : IFieldTexts
    {
        foreach (int t in tuples.Tuples)
        {
            int status = tuples.Compose(t, texts, out ReadOnlySpan<byte> value);
            if (status == TupleComposer.Composed)
            {
                sink.TryAdd(t, value);
            }
            else if (status == EventEncoder.Missing)
            {
                sink.AddMissing(t);
            }
            else
            {
                sink.AddInvalid(t);
            }
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

    /// <summary>The parts of a file read with one kind of row reader: part 0 continues the reader that read the start of
    /// the file (the CSV header); every other part opens its own reader at a row start.</summary>
    private abstract class PartReader<TReader>(ProfileInput input, TReader first, InvalidValues invalid) : IPartReader
        where TReader : IDisposable
    {
        public long FirstEnd => End(first);

        public long FirstNextLine => NextLine(first);

        protected ProfileInput Input => input;

        protected TReader First => first;

        public long CountFirst(FrequencySet set, long stopAt, int parts, PartProgress progress, CancellationToken cancel)
        {
            var batch = new BatchCounts(set.Encoder);
            long rows = CountRange(first, null, new BatchRowSink(batch), stopAt, progress, 0, invalid, cancel);
            // Room for the next part's pairs too: with two parts, the last merge then needs no rehash. Not more than
            // that: parts often share pairs, and on many cores the room would grow with the cores, not the pairs.
            batch.AddTo(set, pairRoom: Math.Min(parts, 2));
            return rows;
        }

        public PartResult CountPart(EventSchema schema, long start, long stopAt, PartProgress progress, int part, CancellationToken cancel)
        {
            try
            {
                var batch = new BatchCounts(new EventEncoder(schema));
                using Stream stream = input.OpenRead();
                stream.Seek(start, SeekOrigin.Begin);
                using TReader reader = Open(stream, start, line: 1);
                var partInvalid = new InvalidValues();
                long rows = CountRange(reader, schema, new BatchRowSink(batch), stopAt, progress, part, partInvalid, cancel);
                return new PartResult(batch, rows, End(reader), NextLine(reader) - 1, null, partInvalid);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return new PartResult(null, 0, 0, 0, e, null);
            }
        }

        public (long Rows, long End, long NextLine) CountAgain(FrequencySet set, long start, long line, long stopAt, PartProgress progress, int part)
        {
            using Stream stream = input.OpenRead();
            stream.Seek(start, SeekOrigin.Begin);
            using TReader reader = Open(stream, start, line);
            var batch = new BatchCounts(set.Encoder);
            long rows = CountRange(reader, null, new BatchRowSink(batch), stopAt, progress, part, invalid, CancellationToken.None);
            batch.AddTo(set);
            return (rows, End(reader), NextLine(reader));
        }

        /// <summary>Opens a reader on <paramref name="stream"/>, which is positioned at <paramref name="start"/>, a row
        /// start on line <paramref name="line"/>.</summary>
        protected abstract TReader Open(Stream stream, long start, long line);

        /// <summary>Counts the rows that start before stopAt; <paramref name="partSchema"/> is set for a part counted on
        /// another thread (which needs its own decoding state), null on the calling thread.</summary>
        protected abstract long CountRange(
            TReader reader, EventSchema? partSchema, BatchRowSink sink, long stopAt, PartProgress progress, int part, InvalidValues invalid, CancellationToken cancel);

        /// <summary>The offset of the first row the reader has not read.</summary>
        protected abstract long End(TReader reader);

        /// <summary>The physical line on which that row starts.</summary>
        protected abstract long NextLine(TReader reader);
    }

    /// <summary>The CSV parts: every part reads the header's columns with the delimiter part 0 found.</summary>
    private sealed class CsvPartReader(ProfileInput input, CsvReader first, int[] columns, InvalidValues invalid)
        : PartReader<CsvReader>(input, first, invalid)
    {
        protected override CsvReader Open(Stream stream, long start, long line) =>
            new(stream, leaveOpen: true, PartBufferBytes, First.Delimiter, columns: First.Header.Count, streamOffset: start, startLine: line);

        protected override long CountRange(
            CsvReader reader, EventSchema? partSchema, BatchRowSink sink, long stopAt, PartProgress progress, int part, InvalidValues invalid, CancellationToken cancel) =>
            CountCsvRange(reader, columns, sink, stopAt, Input.Name, progress, part, invalid, cancel);

        protected override long End(CsvReader reader) => reader.NextRecordOffset;

        protected override long NextLine(CsvReader reader) => reader.NextLine;
    }

    /// <summary>The JSON Lines parts: one decoder per part (a decoder holds the current line's values).</summary>
    private sealed class JsonPartReader(ProfileInput input, JsonLinesReader first, JsonEventDecoder firstDecoder, InvalidValues invalid)
        : PartReader<JsonLinesReader>(input, first, invalid)
    {
        protected override JsonLinesReader Open(Stream stream, long start, long line) =>
            new(stream, leaveOpen: true, PartBufferBytes, streamOffset: start, startLine: line);

        protected override long CountRange(
            JsonLinesReader reader, EventSchema? partSchema, BatchRowSink sink, long stopAt, PartProgress progress, int part, InvalidValues invalid, CancellationToken cancel)
        {
            JsonEventDecoder decoder = partSchema is null ? firstDecoder : CreateDecoder(partSchema, Input.Name);
            return CountJsonRange(reader, decoder, sink, stopAt, Input.Name, progress, part, invalid, cancel);
        }

        protected override long End(JsonLinesReader reader) => reader.NextLineOffset;

        protected override long NextLine(JsonLinesReader reader) => reader.NextLine;
    }
}
