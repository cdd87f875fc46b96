using System.Globalization;
using System.Text.Json;
using StreamEntropy.Core.Counting;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.State;

namespace StreamEntropy.Streaming.Drift;

/// <summary>Reference counts for drift scoring: per field and per pair, keyed by value TEXT, with the definitions they
/// were counted under.</summary>
/// <remarks>
/// <para>Value ids are private to one process (they are handed out in order of first sight), so a baseline stores the
/// values' text. <see cref="Materialize"/> turns it back into count tables in a live encoder's id space, which makes
/// <c>Divergences.Compute(current, reference)</c> line ids up.</para>
/// <para>File format (JSON, version 1, read and written as <see cref="BaselineFileV1"/>):
/// <c>{"format":"stream-entropy-baseline","version":1,"source":…,"events":N,
/// "fields":[{"name","path","binWidth","missing","invalid","values":[{"value","count"}]}],
/// "pairs":[{"x","y","values":[{"x","y","count"}]}]}</c>.
/// Values that are not valid UTF-8 (possible only with broken CSV input) are stored with U+FFFD replacements and will
/// not match the live value they came from.</para>
/// </remarks>
public sealed class Baseline
{
    /// <summary>The value of the file's <c>format</c> member.</summary>
    public const string FormatName = "stream-entropy-baseline";

    /// <summary>The file version this build writes and the newest it reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Creates a baseline from counts by value text.</summary>
    /// <param name="events">The number of events the counts came from.</param>
    /// <param name="fields">The fields' counts.</param>
    /// <param name="pairs">The pairs' counts.</param>
    /// <param name="source">Where the counts came from, for people (a file name, a window).</param>
    public Baseline(long events, IReadOnlyList<BaselineField> fields, IReadOnlyList<BaselinePair> pairs, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentOutOfRangeException.ThrowIfNegative(events);
        Events = events;
        Fields = [.. fields];
        Pairs = [.. pairs];
        Source = source;
    }

    /// <summary>Gets the number of events the counts came from.</summary>
    public long Events { get; }

    /// <summary>Gets the fields' counts.</summary>
    public IReadOnlyList<BaselineField> Fields { get; }

    /// <summary>Gets the pairs' counts.</summary>
    public IReadOnlyList<BaselinePair> Pairs { get; }

    /// <summary>Gets where the counts came from, for people; may be null.</summary>
    public string? Source { get; }

    /// <summary>Captures the counts of <paramref name="set"/> (a profiled file, or a closed window) by value text.</summary>
    /// <param name="set">The counts; read only.</param>
    /// <param name="source">Where they came from, for people.</param>
    public static Baseline FromFrequencySet(FrequencySet set, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        EventEncoder encoder = set.Encoder;
        EventSchema schema = encoder.Schema;
        var fields = new BaselineField[schema.Fields.Count];
        for (int f = 0; f < fields.Length; f++)
        {
            FieldDefinition definition = schema.Fields[f];
            ValueInterner interner = encoder.Values[f];
            CountSpan counts = set.Field(f).Counts;
            var values = new List<BaselineValue>(set.Field(f).Distinct);
            for (int id = 0; id < counts.Length; id++)
            {
                if (counts[id] > 0)
                {
                    values.Add(new BaselineValue(interner.GetString(id), counts[id]));
                }
            }

            values.Sort(static (a, b) => a.Count != b.Count ? b.Count.CompareTo(a.Count) : string.CompareOrdinal(a.Value, b.Value));
            fields[f] = new BaselineField(definition.Name, definition.Path, definition.BinWidth, set.Missing(f), set.Invalid(f), values);
        }

        var pairs = new BaselinePair[schema.Pairs.Count];
        for (int p = 0; p < pairs.Length; p++)
        {
            PairDefinition definition = schema.Pairs[p];
            (int xf, int yf) = schema.PairIndexes(p);
            PairCountTable table = set.Pair(p);
            CountSpan counts = table.Joint.Counts;
            var values = new List<BaselinePairValue>(table.Joint.Distinct);
            for (int id = 0; id < counts.Length; id++)
            {
                if (counts[id] > 0)
                {
                    (int x, int y) = table.Pairs.GetPair(id);
                    values.Add(new BaselinePairValue(encoder.Values[xf].GetString(x), encoder.Values[yf].GetString(y), counts[id]));
                }
            }

            values.Sort(static (a, b) => a.Count != b.Count
                ? b.Count.CompareTo(a.Count)
                : string.CompareOrdinal(a.X, b.X) is int c && c != 0 ? c : string.CompareOrdinal(a.Y, b.Y));
            pairs[p] = new BaselinePair(definition.X, definition.Y, values);
        }

        return new Baseline(set.Events, fields, pairs, source);
    }

    /// <summary>Lists every way this baseline fails to describe <paramref name="schema"/>: a configured field or pair it
    /// lacks, or a field read from another path or binned with another width. Extra baseline entries are ignored.</summary>
    /// <returns>One line per problem, naming the field or pair; empty when the baseline fits.</returns>
    public IReadOnlyList<string> FindMismatches(EventSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var problems = new List<string>();
        foreach (FieldDefinition field in schema.Fields)
        {
            BaselineField? b = Resolve(field);
            if (b is null)
            {
                problems.Add($"field '{field.Name}' is configured but the baseline has no such field (it has: {string.Join(", ", Fields.Select(f => f.Name))})");
                continue;
            }

            if (!string.Equals(b.Path, field.Path, StringComparison.Ordinal))
            {
                problems.Add($"field '{field.Name}': the configuration reads path '{field.Path}', the baseline was counted from '{b.Path}'");
            }

            if (b.BinWidth != field.BinWidth)
            {
                problems.Add($"field '{field.Name}': the configuration {DescribeBinning(field.BinWidth)}, the baseline {DescribeBinning(b.BinWidth)}");
            }
        }

        for (int p = 0; p < schema.Pairs.Count; p++)
        {
            PairDefinition pair = schema.Pairs[p];
            if (Resolve(schema, p) is null)
            {
                problems.Add($"pair '{pair.Key}' is configured but the baseline has no such pair");
            }
        }

        return problems;
    }

    /// <summary>Throws when this baseline does not describe <paramref name="schema"/>.</summary>
    /// <exception cref="BaselineMismatchException">The message lists every problem <see cref="FindMismatches"/> finds.</exception>
    public void EnsureCompatible(EventSchema schema)
    {
        IReadOnlyList<string> problems = FindMismatches(schema);
        if (problems.Count > 0)
        {
            string from = Source is null ? "The baseline" : $"The baseline from '{Source}'";
            throw new BaselineMismatchException($"{from} does not match the configuration: {string.Join("; ", problems)}.");
        }
    }

    /// <summary>Builds count tables in <paramref name="encoder"/>'s id space holding this baseline's counts.</summary>
    /// <remarks>Interns every reference value (and pair) in the live encoder, so values the stream has not shown yet
    /// get ids now and count as zero in current windows. Interners have a single writer: call this on the thread that
    /// encodes events. The returned set is the reference; do not add events to it.</remarks>
    /// <exception cref="BaselineMismatchException">The baseline does not match the encoder's schema.</exception>
    public FrequencySet Materialize(EventEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        EnsureCompatible(encoder.Schema);
        var set = new FrequencySet(encoder);
        Fill(set, 0, 0);
        return set;
    }

    /// <summary>Adds this baseline's counts of the fields and pairs from <paramref name="firstField"/> and
    /// <paramref name="firstPair"/> on to <paramref name="set"/> (a reference materialised before the schema grew):
    /// discovered fields and pairs the baseline has get their reference counts; those it lacks stay empty and are not
    /// scored.</summary>
    internal void MaterializeGrown(FrequencySet set, int firstField, int firstPair)
    {
        ArgumentNullException.ThrowIfNull(set);
        set.Grow();
        Fill(set, firstField, firstPair);
    }

    private void Fill(FrequencySet set, int firstField, int firstPair)
    {
        EventEncoder encoder = set.Encoder;
        EventSchema schema = encoder.Schema;
        for (int f = firstField; f < schema.Fields.Count; f++)
        {
            if (Resolve(schema.Fields[f]) is not { } b)
            {
                continue; // only a discovered field can be absent (EnsureCompatible checked the configured ones)
            }

            ValueInterner interner = encoder.Values[f];
            CountTable table = set.Field(f);
            foreach (BaselineValue v in encoder.IsHashed(f) ? [] : b.Values) // bounded: not scored, its interner stays empty
            {
                table.Add(interner.GetOrAdd(v.Value), v.Count);
            }

            set.SetCounters(f, b.Missing, b.Invalid);
        }

        for (int p = firstPair; p < schema.Pairs.Count; p++)
        {
            if (Resolve(schema, p) is not { } b)
            {
                continue;
            }

            (int xf, int yf) = schema.PairIndexes(p);
            PairCountTable table = set.Pair(p);
            foreach (BaselinePairValue v in schema.IsBoundedPair(p) ? [] : b.Values) // bounded: not scored
            {
                int x = encoder.Values[xf].GetOrAdd(v.X);
                int y = encoder.Values[yf].GetOrAdd(v.Y);
                table.AddPairCount(table.Pairs.GetOrAdd(x, y), v.Count);
            }
        }

        set.SetEvents(Events);
    }

    // A configured field is found by its name, or else by its path: `profile` names each field after its path, so a
    // baseline profiled from a file matches a worker that calls user.country "country".
    private BaselineField? Resolve(FieldDefinition field) =>
        FindField(field.Name) ?? Fields.FirstOrDefault(b => string.Equals(b.Path, field.Path, StringComparison.Ordinal));

    private BaselinePair? Resolve(EventSchema schema, int pair)
    {
        PairDefinition definition = schema.Pairs[pair];
        (int xf, int yf) = schema.PairIndexes(pair);
        BaselineField? x = Resolve(schema.Fields[xf]);
        BaselineField? y = Resolve(schema.Fields[yf]);
        return FindPair(definition.X, definition.Y) ?? (x is null || y is null ? null : FindPair(x.Name, y.Name));
    }

    /// <summary>Writes the baseline as JSON to <paramref name="destination"/>.</summary>
    public void Save(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var file = new BaselineFileV1(
            FormatName,
            CurrentVersion,
            Source,
            Events,
            [.. Fields.Select(f => new BaselineFieldV1(f.Name, f.Path, f.BinWidth, f.Missing, f.Invalid, [.. f.Values.Select(v => new BaselineValueV1(v.Value, v.Count))]))],
            [.. Pairs.Select(p => new BaselinePairV1(p.X, p.Y, [.. p.Values.Select(v => new BaselinePairValueV1(v.X, v.Y, v.Count))]))]);
        JsonSerializer.Serialize(destination, file, BaselineJsonContext.Default.BaselineFileV1);
    }

    /// <summary>Writes the baseline to <paramref name="path"/> atomically (<see cref="AtomicFile"/>).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, Save);
    }

    /// <summary>Reads a baseline file.</summary>
    /// <exception cref="InvalidDataException">The file is not a baseline this build can read; the message names the file
    /// and the offending member.</exception>
    public static Baseline Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Load(stream, path);
    }

    /// <summary>Reads a baseline from <paramref name="source"/>.</summary>
    /// <param name="source">The JSON text.</param>
    /// <param name="name">The name used in error messages (a file path).</param>
    /// <exception cref="InvalidDataException">The text is not a baseline this build can read.</exception>
    public static Baseline Load(Stream source, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        string where = $"Baseline '{name ?? "(stream)"}'";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(source);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{where}: not valid JSON ({e.Message}).", e);
        }

        BaselineFileV1 file;
        using (document)
        {
            // The format and version come first: a newer version may differ in anything else.
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{where}: the top level must be an object.");
            }

            string format = RequireString(root, "format", where);
            if (!string.Equals(format, FormatName, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{where}: 'format' is '{format}', expected '{FormatName}'.");
            }

            long version = RequireInteger(root, "version", where);
            if (version < 1 || version > CurrentVersion)
            {
                throw new InvalidDataException($"{where}: version {version} is not supported; this build reads version {CurrentVersion}.");
            }

            try
            {
                file = root.Deserialize(BaselineJsonContext.Default.BaselineFileV1)!;
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{where}: {WrongType(e.Path)}", e);
            }
        }

        return FromFile(file, where);
    }

    private static Baseline FromFile(BaselineFileV1 file, string where)
    {
        long events = RequireCount(file.Events, "events", where, allowZero: true);
        var fields = new List<BaselineField>();
        var fieldNames = new HashSet<string>(StringComparer.Ordinal);
        int i = 0;
        foreach (BaselineFieldV1? f in file.Fields ?? throw MustBeArray("fields", where))
        {
            string at = $"{where}: fields[{i++}]";
            string fieldName = RequireString(f?.Name, "name", at);
            at = $"{at} '{fieldName}'";
            if (!fieldNames.Add(fieldName))
            {
                throw new InvalidDataException($"{at}: the field is listed twice.");
            }

            string path = RequireString(f!.Path, "path", at);
            if (f.BinWidth is double width && !(double.IsFinite(width) && width > 0))
            {
                throw new InvalidDataException($"{at}: 'binWidth' must be a positive number or null.");
            }

            long missing = f.Missing is null ? 0 : RequireCount(f.Missing, "missing", at, allowZero: true);
            long invalidCount = f.Invalid is null ? 0 : RequireCount(f.Invalid, "invalid", at, allowZero: true);
            var values = new List<BaselineValue>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            int j = 0;
            foreach (BaselineValueV1? v in f.Values ?? throw MustBeArray("values", at))
            {
                string vat = $"{at}: values[{j++}]";
                string value = RequireString(v?.Value, "value", vat);
                if (!seen.Add(value))
                {
                    throw new InvalidDataException($"{vat}: the value '{value}' is listed twice.");
                }

                values.Add(new BaselineValue(value, RequireCount(v!.Count, "count", vat, allowZero: false)));
            }

            fields.Add(new BaselineField(fieldName, path, f.BinWidth, missing, invalidCount, values));
        }

        var pairs = new List<BaselinePair>();
        var pairKeys = new HashSet<(string, string)>();
        i = 0;
        foreach (BaselinePairV1? p in file.Pairs ?? throw MustBeArray("pairs", where))
        {
            string at = $"{where}: pairs[{i++}]";
            string x = RequireString(p?.X, "x", at);
            string y = RequireString(p!.Y, "y", at);
            at = $"{at} '{x},{y}'";
            if (!pairKeys.Add((x, y)))
            {
                throw new InvalidDataException($"{at}: the pair is listed twice.");
            }

            var values = new List<BaselinePairValue>();
            var seen = new HashSet<(string, string)>();
            int j = 0;
            foreach (BaselinePairValueV1? v in p.Values ?? throw MustBeArray("values", at))
            {
                string vat = $"{at}: values[{j++}]";
                string vx = RequireString(v?.X, "x", vat);
                string vy = RequireString(v!.Y, "y", vat);
                if (!seen.Add((vx, vy)))
                {
                    throw new InvalidDataException($"{vat}: the pair of values ('{vx}', '{vy}') is listed twice.");
                }

                values.Add(new BaselinePairValue(vx, vy, RequireCount(v.Count, "count", vat, allowZero: false)));
            }

            pairs.Add(new BaselinePair(x, y, values));
        }

        return new Baseline(events, fields, pairs, file.Source);
    }

    /// <summary>Gets the baseline's field named <paramref name="name"/>, or null.</summary>
    public BaselineField? FindField(string name)
    {
        foreach (BaselineField f in Fields)
        {
            if (string.Equals(f.Name, name, StringComparison.Ordinal))
            {
                return f;
            }
        }

        return null;
    }

    /// <summary>Gets the baseline's pair (<paramref name="x"/>, <paramref name="y"/>), or null.</summary>
    public BaselinePair? FindPair(string x, string y)
    {
        foreach (BaselinePair p in Pairs)
        {
            if (string.Equals(p.X, x, StringComparison.Ordinal) && string.Equals(p.Y, y, StringComparison.Ordinal))
            {
                return p;
            }
        }

        return null;
    }

    private static string DescribeBinning(double? width) =>
        width is double w ? string.Create(CultureInfo.InvariantCulture, $"bins it with width {w}") : "treats it as categorical (no bin width)";

    private static InvalidDataException MustBeArray(string member, string where) =>
        new($"{where}: '{member}' must be an array.");

    // A member of the wrong JSON type, named by the serializer's path ($.fields[0].values[1].count), in the words that
    // the checks of missing members use.
    private static string WrongType(string? path)
    {
        string trail = path is { Length: > 2 } ? path[2..] : "";
        int dot = trail.LastIndexOf('.');
        string member = dot < 0 ? trail : trail[(dot + 1)..];
        string at = dot < 0 ? "" : trail[..dot].Replace(".", ": ", StringComparison.Ordinal) + ": ";
        if (member.EndsWith(']'))
        {
            return $"{at}{member} must be an object.";
        }

        string expected = member switch
        {
            "version" or "events" or "missing" or "invalid" or "count" => "an integer",
            "binWidth" => "a positive number or null",
            "fields" or "pairs" or "values" => "an array",
            _ => "a string",
        };
        return $"{at}'{member}' must be {expected}.";
    }

    private static string RequireString(string? value, string member, string where) =>
        value ?? throw new InvalidDataException($"{where}: '{member}' must be a string.");

    private static long RequireCount(long? value, string member, string where, bool allowZero)
    {
        if (value is not long count)
        {
            throw new InvalidDataException($"{where}: '{member}' must be an integer.");
        }

        if (count < 0 || (count == 0 && !allowZero))
        {
            throw new InvalidDataException($"{where}: '{member}' must be {(allowZero ? "≥ 0" : "> 0")}, not {count}.");
        }

        return count;
    }

    private static string RequireString(JsonElement obj, string member, string where)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(member, out JsonElement e) || e.ValueKind != JsonValueKind.String)
        {
            throw new InvalidDataException($"{where}: '{member}' must be a string.");
        }

        return e.GetString()!;
    }

    private static long RequireInteger(JsonElement obj, string member, string where)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(member, out JsonElement e)
            || e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long value))
        {
            throw new InvalidDataException($"{where}: '{member}' must be an integer.");
        }

        return value;
    }
}
