using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Streaming.Counting;

/// <summary>The validated set of fields and pairs to measure.</summary>
public sealed class EventSchema
{
    private readonly (int X, int Y)[] _pairIndexes;
    private readonly int[] _pairMaxDistinct;
    private readonly int[][] _components; // by field: a tuple's component field indexes; empty for a field read from events

    /// <summary>Validates and builds a schema.</summary>
    /// <exception cref="ArgumentException">A name is empty or repeated, a pair names an unknown field or the same
    /// field twice, a bin width is not a finite positive number, or a MaxDistinct budget is neither 0 nor in
    /// [<see cref="FieldDefinition.MinMaxDistinct"/>, <see cref="FieldDefinition.MaxMaxDistinct"/>], or a tuple's components
    /// are not at least two distinct non-tuple fields. The message names the offending entry.</exception>
    /// <remarks>A tuple without a budget of its own gets the largest of its components' budgets (its values include theirs,
    /// so it has at least as many distinct values): <see cref="Fields"/> holds it with that budget.</remarks>
    public EventSchema(IReadOnlyList<FieldDefinition> fields, IReadOnlyList<PairDefinition> pairs)
    {
        if (Validate(fields, pairs, out string parameter) is { } problem)
        {
            throw new ArgumentException(problem, parameter);
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < fields.Count; i++)
        {
            index.Add(fields[i].Name, i);
        }

        (fields, _components) = ResolveTuples(fields, index);

        _pairIndexes = new (int, int)[pairs.Count];
        _pairMaxDistinct = new int[pairs.Count];
        for (int i = 0; i < pairs.Count; i++)
        {
            (int x, int y) = (index[pairs[i].X], index[pairs[i].Y]);
            _pairIndexes[i] = (x, y);
            _pairMaxDistinct[i] = Math.Max(fields[x].MaxDistinct, fields[y].MaxDistinct);
        }

        HasBudgets = fields.Any(f => f.MaxDistinct > 0);

        HasTuples = fields.Any(f => f.IsTuple);
        Fields = [.. fields];
        Pairs = [.. pairs];
    }

    /// <summary>Checks fields and pairs: the constructor's rules, for callers that report problems instead of catching
    /// them (configuration validation prefixes its section).</summary>
    /// <param name="fields">The fields.</param>
    /// <param name="pairs">The pairs.</param>
    /// <param name="parameter">"fields" or "pairs": the list the problem is in; empty when there is none.</param>
    /// <returns>The first problem, naming the offending entry (<c>Fields[i]</c>, <c>Pairs[i]</c>); null when valid.</returns>
    public static string? Validate(IReadOnlyList<FieldDefinition> fields, IReadOnlyList<PairDefinition> pairs, out string parameter)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(pairs);
        parameter = nameof(fields);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < fields.Count; i++)
        {
            FieldDefinition f = fields[i];
            if (string.IsNullOrWhiteSpace(f.Name))
            {
                return $"Fields[{i}]: the name is empty.";
            }

            if (!f.IsTuple && string.IsNullOrWhiteSpace(f.Path))
            {
                return $"Fields[{i}] '{f.Name}': the path is empty.";
            }

            if (f.BinWidth is double w && !NumericBinning.IsValidWidth(w))
            {
                return $"Fields[{i}] '{f.Name}': the bin width must be a finite number > 0, not {w}.";
            }

            if (ValidateMaxDistinct(f.MaxDistinct) is { } budget)
            {
                return $"Fields[{i}] '{f.Name}': MaxDistinct {budget}";
            }

            if (!index.TryAdd(f.Name, i))
            {
                return $"Fields[{i}]: the name '{f.Name}' is used twice.";
            }
        }

        if (ValidateTuples(fields, index) is { } tuple)
        {
            return tuple;
        }

        parameter = nameof(pairs);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < pairs.Count; i++)
        {
            PairDefinition p = pairs[i];
            if (!index.TryGetValue(p.X ?? "", out int x))
            {
                return $"Pairs[{i}]: X names the unknown field '{p.X}'.";
            }

            if (!index.TryGetValue(p.Y ?? "", out int y))
            {
                return $"Pairs[{i}]: Y names the unknown field '{p.Y}'.";
            }

            if (x == y)
            {
                return $"Pairs[{i}]: X and Y are both '{p.X}'.";
            }

            if (!seen.Add(p.Key))
            {
                return $"Pairs[{i}]: the pair '{p.Key}' is listed twice.";
            }
        }

        parameter = "";
        return null;
    }

    // A tuple (see FieldDefinition.Components): at least two components, each an existing field that is not a tuple
    // itself, none twice; no bin width (its value is a text). Its path is never read, so it is not checked.
    private static string? ValidateTuples(IReadOnlyList<FieldDefinition> fields, Dictionary<string, int> index)
    {
        for (int i = 0; i < fields.Count; i++)
        {
            FieldDefinition f = fields[i];
            if (f.Components is not { } components)
            {
                continue;
            }

            if (components.Count < 2)
            {
                return $"Fields[{i}] '{f.Name}': a tuple needs at least 2 components, not {components.Count}.";
            }

            if (f.BinWidth is not null)
            {
                return $"Fields[{i}] '{f.Name}': a tuple has no bin width (bin its numeric components instead).";
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (string? c in components)
            {
                if (!index.TryGetValue(c ?? "", out int component))
                {
                    return $"Fields[{i}] '{f.Name}': the component '{c}' is not a field.";
                }

                if (fields[component].IsTuple)
                {
                    return $"Fields[{i}] '{f.Name}': the component '{c}' is a tuple itself; list its fields instead.";
                }

                if (!seen.Add(c!))
                {
                    return $"Fields[{i}] '{f.Name}': the component '{c}' is listed twice.";
                }
            }
        }

        return null;
    }

    // The component indexes of every field (empty for a field read from events), and the fields with each tuple's
    // effective budget: its own, or else the largest of its components' (a tuple with a bounded component is bounded).
    private static (FieldDefinition[] Fields, int[][] Components) ResolveTuples(IReadOnlyList<FieldDefinition> fields, Dictionary<string, int> index)
    {
        var resolved = new FieldDefinition[fields.Count];
        var components = new int[fields.Count][];
        for (int f = 0; f < resolved.Length; f++)
        {
            FieldDefinition field = fields[f];
            components[f] = field.Components is { } names ? [.. names.Select(n => index[n])] : [];
            int budget = field.MaxDistinct > 0 ? field.MaxDistinct : components[f].Select(c => fields[c].MaxDistinct).DefaultIfEmpty(0).Max();
            resolved[f] = budget == field.MaxDistinct ? field : field with { MaxDistinct = budget };
        }

        return (resolved, components);
    }

    /// <summary>Checks a MaxDistinct budget: 0 (unlimited) or from <see cref="FieldDefinition.MinMaxDistinct"/> to
    /// <see cref="FieldDefinition.MaxMaxDistinct"/>.</summary>
    /// <returns>What is wrong, to follow the setting's name (<c>must be 0 (unlimited) or from 16 to …, not 8.</c>);
    /// null when the budget is valid.</returns>
    public static string? ValidateMaxDistinct(int maxDistinct) =>
        maxDistinct != 0 && (maxDistinct < FieldDefinition.MinMaxDistinct || maxDistinct > FieldDefinition.MaxMaxDistinct)
            ? $"must be 0 (unlimited) or from {FieldDefinition.MinMaxDistinct} to {FieldDefinition.MaxMaxDistinct}, not {maxDistinct}."
            : null;

    /// <summary>Gets the fields, in order; a field's index is its position here.</summary>
    public IReadOnlyList<FieldDefinition> Fields { get; }

    /// <summary>Gets the pairs, in order.</summary>
    public IReadOnlyList<PairDefinition> Pairs { get; }

    /// <summary>Gets whether any field has a MaxDistinct budget (and so some counts may be bounded summaries).</summary>
    public bool HasBudgets { get; }

    /// <summary>Gets whether any field is a tuple (see <see cref="FieldDefinition.Components"/>).</summary>
    public bool HasTuples { get; }

    /// <summary>Gets whether field <paramref name="field"/> is a tuple, composed from other fields rather than read from events.</summary>
    public bool IsTuple(int field) => _components[field].Length > 0;

    /// <summary>Gets the field indexes of tuple <paramref name="field"/>'s components, in order; empty for a field read from events.</summary>
    public ReadOnlySpan<int> ComponentIndexes(int field) => _components[field];

    /// <summary>Gets whether field <paramref name="field"/> is counted under a budget (by value hash, not interned).</summary>
    public bool IsBounded(int field) => Fields[field].MaxDistinct > 0;

    /// <summary>Gets the budget of pair <paramref name="pair"/>'s joint and marginal counts: 0 (exact, interned) when
    /// neither field has a budget, else the larger of the two fields' budgets. A pair with one bounded field is bounded
    /// too, since that field's values have no ids; the unbounded field then adds no budget of its own.</summary>
    public int PairMaxDistinct(int pair) => _pairMaxDistinct[pair];

    /// <summary>Gets whether pair <paramref name="pair"/> is counted under a budget.</summary>
    public bool IsBoundedPair(int pair) => _pairMaxDistinct[pair] > 0;

    /// <summary>Gets the field indexes of pair <paramref name="pair"/>.</summary>
    public (int X, int Y) PairIndexes(int pair) => _pairIndexes[pair];

    /// <summary>Gets the index of the field named <paramref name="name"/>, or −1.</summary>
    public int IndexOf(string name)
    {
        for (int i = 0; i < Fields.Count; i++)
        {
            if (string.Equals(Fields[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
