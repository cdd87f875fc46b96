using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Streaming.Counting;

/// <summary>The validated set of fields and pairs to measure.</summary>
public sealed class EventSchema
{
    private readonly (int X, int Y)[] _pairIndexes;
    private readonly int[] _pairMaxDistinct;

    /// <summary>Validates and builds a schema.</summary>
    /// <exception cref="ArgumentException">A name is empty or repeated, a pair names an unknown field or the same
    /// field twice, a bin width is not a finite positive number, or a MaxDistinct budget is neither 0 nor in
    /// [<see cref="FieldDefinition.MinMaxDistinct"/>, <see cref="FieldDefinition.MaxMaxDistinct"/>]. The message names the offending entry.</exception>
    public EventSchema(IReadOnlyList<FieldDefinition> fields, IReadOnlyList<PairDefinition> pairs)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(pairs);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < fields.Count; i++)
        {
            FieldDefinition f = fields[i];
            if (string.IsNullOrWhiteSpace(f.Name))
            {
                throw new ArgumentException($"Fields[{i}]: the name is empty.", nameof(fields));
            }

            if (string.IsNullOrWhiteSpace(f.Path))
            {
                throw new ArgumentException($"Fields[{i}] '{f.Name}': the path is empty.", nameof(fields));
            }

            if (f.BinWidth is double w && !NumericBinning.IsValidWidth(w))
            {
                throw new ArgumentException($"Fields[{i}] '{f.Name}': the bin width must be a finite number > 0, not {w}.", nameof(fields));
            }

            if (f.MaxDistinct != 0 && (f.MaxDistinct < FieldDefinition.MinMaxDistinct || f.MaxDistinct > FieldDefinition.MaxMaxDistinct))
            {
                throw new ArgumentException(
                    $"Fields[{i}] '{f.Name}': MaxDistinct must be 0 (unlimited) or from {FieldDefinition.MinMaxDistinct} to {FieldDefinition.MaxMaxDistinct}, not {f.MaxDistinct}.",
                    nameof(fields));
            }

            if (!index.TryAdd(f.Name, i))
            {
                throw new ArgumentException($"Fields[{i}]: the name '{f.Name}' is used twice.", nameof(fields));
            }
        }

        _pairIndexes = new (int, int)[pairs.Count];
        _pairMaxDistinct = new int[pairs.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < pairs.Count; i++)
        {
            PairDefinition p = pairs[i];
            if (!index.TryGetValue(p.X ?? "", out int x))
            {
                throw new ArgumentException($"Pairs[{i}]: X names the unknown field '{p.X}'.", nameof(pairs));
            }

            if (!index.TryGetValue(p.Y ?? "", out int y))
            {
                throw new ArgumentException($"Pairs[{i}]: Y names the unknown field '{p.Y}'.", nameof(pairs));
            }

            if (x == y)
            {
                throw new ArgumentException($"Pairs[{i}]: X and Y are both '{p.X}'.", nameof(pairs));
            }

            if (!seen.Add(p.Key))
            {
                throw new ArgumentException($"Pairs[{i}]: the pair '{p.Key}' is listed twice.", nameof(pairs));
            }

            _pairIndexes[i] = (x, y);
            _pairMaxDistinct[i] = Math.Max(fields[x].MaxDistinct, fields[y].MaxDistinct);
        }

        HasBudgets = fields.Any(f => f.MaxDistinct > 0);

        Fields = [.. fields];
        Pairs = [.. pairs];
    }

    /// <summary>Gets the fields, in order; a field's index is its position here.</summary>
    public IReadOnlyList<FieldDefinition> Fields { get; }

    /// <summary>Gets the pairs, in order.</summary>
    public IReadOnlyList<PairDefinition> Pairs { get; }

    /// <summary>Gets whether any field has a MaxDistinct budget (and so some counts may be bounded summaries).</summary>
    public bool HasBudgets { get; }

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
