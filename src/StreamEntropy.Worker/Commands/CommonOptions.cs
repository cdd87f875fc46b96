using System.Globalization;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Profiling;

namespace StreamEntropy.Worker.Commands;

/// <summary>Parsing of the options that <c>profile</c> and <c>compare</c> share.</summary>
internal static class CommonOptions
{
    /// <summary>Runs a command, turning a usage problem into exit code 2 and a problem with the input into 1 (2 when
    /// the input exceeds a limit), each as one <c>error:</c> line on <paramref name="stderr"/>.</summary>
    public static int ReportErrors(TextWriter stderr, Func<int> command)
    {
        try
        {
            return command();
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (InputDataException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return e.ExceedsLimit ? 2 : 1;
        }
    }

    public static LogBase ParseBase(string? text) =>
        LogBase.TryParse(text, out LogBase b) ? b : throw new UsageException($"--base: '{text}' is not a logarithm base; use 2, e, 10 or a number > 1.");

    public static EntropyEstimator ParseEstimator(string? text) =>
        EntropyEstimatorNames.TryParse(text, out EntropyEstimator e)
            ? e
            : throw new UsageException($"--estimator: unknown estimator '{text}'; use one of {string.Join(", ", EntropyEstimatorNames.All)}.");

    public static bool ParseJsonFormat(string? text) => text?.ToUpperInvariant() switch
    {
        null or "TABLE" => false,
        "JSON" => true,
        _ => throw new UsageException($"--format: unknown format '{text}'; use table or json."),
    };

    public static Dictionary<string, double> ParseBinWidths(IEnumerable<string>? specs)
    {
        var widths = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string spec in specs ?? [])
        {
            int eq = spec.LastIndexOf('=');
            if (eq <= 0 || !double.TryParse(spec.AsSpan(eq + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double width))
            {
                throw new UsageException($"--bin-width: '{spec}' is not NAME=WIDTH.");
            }

            if (!NumericBinning.IsValidWidth(width))
            {
                throw new UsageException($"--bin-width: the width of '{spec[..eq]}' must be a finite number > 0, not {spec[(eq + 1)..]}.");
            }

            widths[spec[..eq]] = width;
        }

        return widths;
    }

    public static List<PairDefinition> ParsePairs(IEnumerable<string>? specs)
    {
        var pairs = new List<PairDefinition>();
        foreach (string spec in specs ?? [])
        {
            string[] parts = spec.Split(',');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                throw new UsageException($"--pair: '{spec}' is not X,Y.");
            }

            pairs.Add(new PairDefinition(parts[0], parts[1]));
        }

        return pairs;
    }

    /// <summary>Builds the schema: the named fields (or all available), plus any field a pair needs, with bin widths.</summary>
    /// <remarks>A pair's X made of field names joined with '+' (<c>country+device</c>) is a tuple of those fields (see
    /// <see cref="PairTuples"/>), added after the other fields.</remarks>
    public static EventSchema BuildSchema(IReadOnlyList<string> requested, IReadOnlyList<PairDefinition> pairs, Dictionary<string, double> widths, Func<IReadOnlyList<string>> available)
    {
        var names = new List<string>();
        if (requested.Count == 0 && pairs.Count == 0)
        {
            names.AddRange(available());
        }
        else
        {
            names.AddRange(requested);
        }

        List<FieldDefinition> tuples = PairTuples(requested, pairs, available);
        foreach (PairDefinition p in pairs)
        {
            IReadOnlyList<string> members = tuples.Find(t => t.Name == p.X)?.Components is { } components ? [.. components, p.Y] : [p.X, p.Y];
            foreach (string n in members)
            {
                if (!names.Contains(n, StringComparer.Ordinal))
                {
                    names.Add(n);
                }
            }
        }

        foreach (string n in widths.Keys)
        {
            if (!names.Contains(n, StringComparer.Ordinal))
            {
                names.Add(n); // a bin width asks for the field to be profiled
            }
        }

        var fields = new List<FieldDefinition>();
        foreach (string n in names.Distinct(StringComparer.Ordinal))
        {
            fields.Add(new FieldDefinition(n, n, widths.TryGetValue(n, out double w) ? w : null));
        }

        fields.AddRange(tuples);

        return EventSchema.Validate(fields, pairs, out _) is { } problem
            ? throw new UsageException(problem)
            : new EventSchema(fields, pairs);
    }

    /// <summary>The tuples the pairs' X names: an X with a '+' that is not a field of the input (given with --field, or
    /// in the CSV header or the JSON leaf paths) is a tuple of the fields it joins, so <c>--pair 'country+device,label'</c>
    /// measures H(label | country, device). A real field whose name has a '+' stays addressable: an exact name wins over
    /// a split, and a split groups the parts into the longest real field names it can (<c>a+b+c</c> with a field
    /// <c>a+b</c> is the tuple (<c>a+b</c>, <c>c</c>)). The input's fields are listed only when some X needs it: not
    /// when X or each of its parts was given with --field.</summary>
    public static List<FieldDefinition> PairTuples(IReadOnlyList<string> requested, IReadOnlyList<PairDefinition> pairs, Func<IReadOnlyList<string>> available)
    {
        var tuples = new List<FieldDefinition>();
        HashSet<string>? known = null;
        foreach (PairDefinition p in pairs)
        {
            if (!p.X.Contains('+', StringComparison.Ordinal) || requested.Contains(p.X, StringComparer.Ordinal) || tuples.Exists(t => t.Name == p.X))
            {
                continue;
            }

            string[] parts = p.X.Split('+');
            if (parts.Any(part => part.Length == 0))
            {
                throw new UsageException($"--pair: '{p.X}' is not a field, and not fields joined with '+'.");
            }

            IReadOnlyList<string> components = parts;
            if (!parts.All(part => requested.Contains(part, StringComparer.Ordinal))) // each part given with --field: a tuple
            {
                known ??= new HashSet<string>([.. requested, .. available()], StringComparer.Ordinal);
                if (known.Contains(p.X))
                {
                    continue;
                }

                components = Group(parts, 0, known, []) is { Count: >= 2 } grouped ? grouped : parts;
            }

            tuples.Add(new FieldDefinition(p.X, p.X, Components: components));
        }

        return tuples;

        // The parts from start on as consecutive groups that are all known fields, longest groups first; null if none.
        // The starts that cannot be grouped are remembered, so a long name is grouped in O(parts²) joins.
        static List<string>? Group(string[] parts, int start, HashSet<string> known, HashSet<int> failed)
        {
            if (start == parts.Length)
            {
                return [];
            }

            for (int end = parts.Length; end > start; end--)
            {
                string name = string.Join('+', parts[start..end]);
                if (known.Contains(name) && !failed.Contains(end) && Group(parts, end, known, failed) is { } rest)
                {
                    rest.Insert(0, name);
                    return rest;
                }
            }

            failed.Add(start);
            return null;
        }
    }

    /// <summary>Parses <c>--delimiter</c>: null (detect from the header line), one ASCII character, or a name.</summary>
    public static byte? ParseDelimiter(string? text)
    {
        if (text is null)
        {
            return null;
        }

        string character = text.ToUpperInvariant() switch
        {
            "TAB" or "\\T" => "\t",
            "COMMA" => ",",
            "SEMICOLON" => ";",
            "PIPE" => "|",
            _ => text,
        };
        if (character.Length != 1 || character[0] > 0x7F || !CsvReader.IsValidDelimiter((byte)character[0]))
        {
            throw new UsageException($"--delimiter: '{text}' is not a delimiter; give one ASCII character other than a quote or a line break, or tab, comma, semicolon or pipe.");
        }

        return (byte)character[0];
    }
}
