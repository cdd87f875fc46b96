using System.Text;
using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Streaming.Counting;

/// <summary>The validated set of fields and pairs to measure, and the rules that add fields and pairs as events arrive.</summary>
/// <remarks>
/// <para>Without rules the schema is fixed. With <see cref="Discovery"/> rules, fields are appended as their paths
/// are first seen (<see cref="TryDiscover"/>); with <see cref="PairRules"/>, pairs are appended as soon as both of
/// their fields exist. Nothing is ever removed or reordered, so a field's or pair's index never changes. Only the
/// engine that owns the schema appends (single writer); <see cref="Fields"/> and <see cref="Pairs"/> are replaced, not
/// changed, when they grow, so another thread reading them sees a consistent list.</para>
/// </remarks>
public sealed class EventSchema
{
    private readonly IReadOnlyList<FieldDefinition> _configuredFields;
    private readonly IReadOnlyList<PairDefinition> _configuredPairs;
    private readonly int[] _discoveredPerRule;
    private readonly List<(int X, int Y)> _pairIndexes = [];
    private readonly List<int> _pairMaxDistinct = [];
    private readonly List<int[]> _components = []; // by field: a tuple's component field indexes; empty for a field read from events

    // Appended in place, with room to spare; readers get a view of the filled part, replaced on each append, so a view
    // taken by another thread never changes (a resize moves later appends to a new array, leaving the old one alone).
    private FieldDefinition[] _fieldStore = new FieldDefinition[8];
    private PairDefinition[] _pairStore = new PairDefinition[8];
#pragma warning disable CA1859 // boxed on purpose: a reference is replaced atomically, a struct could be read torn
    private IReadOnlyList<FieldDefinition> _fields = [];
    private IReadOnlyList<PairDefinition> _pairs = [];
#pragma warning restore CA1859
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _pairKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _configuredPaths = new(StringComparer.Ordinal);

    /// <summary>Validates and builds a fixed schema.</summary>
    /// <exception cref="ArgumentException">A name is empty or repeated, a pair names an unknown field or the same
    /// field twice, a bin width is not a finite positive number, or a MaxDistinct budget is neither 0 nor in
    /// [<see cref="FieldDefinition.MinMaxDistinct"/>, <see cref="FieldDefinition.MaxMaxDistinct"/>], or a tuple's components
    /// are not at least two distinct non-tuple fields. The message names the offending entry.</exception>
    /// <remarks>A tuple without a budget of its own gets the largest of its components' budgets (its values include theirs,
    /// so it has at least as many distinct values): <see cref="Fields"/> holds it with that budget.</remarks>
    public EventSchema(IReadOnlyList<FieldDefinition> fields, IReadOnlyList<PairDefinition> pairs)
        : this(fields, pairs, [], [])
    {
    }

    /// <summary>Validates and builds a schema that may grow by <paramref name="discovery"/> and <paramref name="pairRules"/>.</summary>
    /// <param name="fields">The configured fields.</param>
    /// <param name="pairs">The configured pairs (of configured fields).</param>
    /// <param name="discovery">Rules that add fields found in events, tried in order (the first that matches a path takes it).</param>
    /// <param name="pairRules">Rules that add pairs as their fields exist; applied at once to the configured fields.</param>
    /// <exception cref="ArgumentException">See <see cref="Validate(IReadOnlyList{FieldDefinition}, IReadOnlyList{PairDefinition}, IReadOnlyList{DiscoveryRule}, IReadOnlyList{PairRule}, out string)"/>.</exception>
    public EventSchema(IReadOnlyList<FieldDefinition> fields, IReadOnlyList<PairDefinition> pairs, IReadOnlyList<DiscoveryRule> discovery, IReadOnlyList<PairRule> pairRules)
    {
        if (Validate(fields, pairs, discovery, pairRules, out string parameter) is { } problem)
        {
            throw new ArgumentException(problem, parameter);
        }

        _configuredFields = [.. fields];
        _configuredPairs = [.. pairs];
        Discovery = [.. discovery];
        PairRules = [.. pairRules];
        _discoveredPerRule = new int[Discovery.Count];
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < fields.Count; i++)
        {
            names.Add(fields[i].Name, i);
        }

        (FieldDefinition[] resolved, int[][] components) = ResolveTuples(fields, names);
        for (int f = 0; f < resolved.Length; f++)
        {
            _configuredPaths.Add(resolved[f].Path);
            AppendField(resolved[f], applyRules: false, components[f]);
        }

        foreach (PairDefinition p in pairs)
        {
            AppendPair(p);
        }

        for (int f = 0; f < _fields.Count; f++)
        {
            ApplyPairRules(f);
        }

        HasTuples = resolved.Any(f => f.IsTuple);
        ConfiguredFieldCount = _fields.Count;
        ConfiguredPairCount = _pairs.Count;
    }

    /// <summary>Creates a copy of <paramref name="schema"/> as configured: its configured fields, pairs and rules, and
    /// nothing discovered yet.</summary>
    public static EventSchema Configured(EventSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return new EventSchema(schema._configuredFields, schema._configuredPairs, schema.Discovery, schema.PairRules);
    }

    /// <summary>Checks fields and pairs: the constructor's rules, for callers that report problems instead of catching
    /// them (configuration validation prefixes its section).</summary>
    /// <param name="fields">The fields.</param>
    /// <param name="pairs">The pairs.</param>
    /// <param name="parameter">"fields" or "pairs": the list the problem is in; empty when there is none.</param>
    /// <returns>The first problem, naming the offending entry (<c>Fields[i]</c>, <c>Pairs[i]</c>); null when valid.</returns>
    public static string? Validate(IReadOnlyList<FieldDefinition> fields, IReadOnlyList<PairDefinition> pairs, out string parameter) =>
        Validate(fields, pairs, [], [], out parameter);

    /// <summary>Checks fields, pairs and rules: the constructor's rules, for callers that report problems instead of
    /// catching them.</summary>
    /// <param name="fields">The configured fields.</param>
    /// <param name="pairs">The configured pairs.</param>
    /// <param name="discovery">The discovery rules: each MaxFields from 1 to <see cref="DiscoveryRule.MaxMaxFields"/>,
    /// each MaxDistinct a valid budget.</param>
    /// <param name="pairRules">The pair rules: at most one side a wildcard; an exact side names a configured field or
    /// one a discovery rule can find; no rule repeated.</param>
    /// <param name="parameter">"fields", "pairs", "discovery" or "pairRules": the list the problem is in; empty when there is none.</param>
    /// <returns>The first problem, naming the offending entry; null when valid.</returns>
    public static string? Validate(IReadOnlyList<FieldDefinition> fields, IReadOnlyList<PairDefinition> pairs, IReadOnlyList<DiscoveryRule> discovery, IReadOnlyList<PairRule> pairRules, out string parameter)
    {
        ArgumentNullException.ThrowIfNull(discovery);
        ArgumentNullException.ThrowIfNull(pairRules);
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

        parameter = nameof(discovery);
        for (int i = 0; i < discovery.Count; i++)
        {
            DiscoveryRule r = discovery[i];
            if (r.MaxFields < 1 || r.MaxFields > DiscoveryRule.MaxMaxFields)
            {
                return $"Fields '{r.Include.Text}': MaxFields must be from 1 to {DiscoveryRule.MaxMaxFields}, not {r.MaxFields}.";
            }

            if (ValidateMaxDistinct(r.MaxDistinct) is { } budget)
            {
                return $"Fields '{r.Include.Text}': MaxDistinct {budget}";
            }
        }

        parameter = nameof(pairRules);
        var rules = new HashSet<string>(StringComparer.Ordinal);
        foreach (PairRule r in pairRules)
        {
            if (r.X.IsWildcard && r.Y.IsWildcard)
            {
                return $"Pairs '{r.X.Text},{r.Y.Text}': at most one side may be a wildcard (both would pair every field with every other).";
            }

            foreach (FieldPattern side in (ReadOnlySpan<FieldPattern>)[r.X, r.Y])
            {
                if (!side.IsWildcard && !index.ContainsKey(side.Text) && !discovery.Any(d => d.Matches(side.Text)))
                {
                    return $"Pairs '{r.X.Text},{r.Y.Text}': '{side.Text}' is neither a configured field nor a path a discovered-fields entry can find.";
                }
            }

            if (!rules.Add(r.Describe()))
            {
                return $"Pairs '{r.X.Text},{r.Y.Text}': listed twice.";
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

    /// <summary>Gets the fields, in order; a field's index is its position here. Configured fields come first, then
    /// discovered ones in the order they were found.</summary>
    public IReadOnlyList<FieldDefinition> Fields => _fields;

    /// <summary>Gets the pairs, in order: configured pairs first, then those formed by <see cref="PairRules"/>.</summary>
    public IReadOnlyList<PairDefinition> Pairs => _pairs;

    /// <summary>Gets the rules that add fields found in events.</summary>
    public IReadOnlyList<DiscoveryRule> Discovery { get; }

    /// <summary>Gets the rules that add pairs as their fields exist.</summary>
    public IReadOnlyList<PairRule> PairRules { get; }

    /// <summary>Gets whether the schema can grow (it has discovery or pair rules).</summary>
    public bool HasRules => Discovery.Count > 0 || PairRules.Count > 0;

    /// <summary>Gets the number of configured fields (the first fields).</summary>
    public int ConfiguredFieldCount { get; }

    /// <summary>Gets the number of configured pairs (the first pairs).</summary>
    public int ConfiguredPairCount { get; }

    /// <summary>Gets whether any field has a MaxDistinct budget (and so some counts may be bounded summaries).</summary>
    public bool HasBudgets { get; private set; }

    /// <summary>Gets whether any field is a tuple (see <see cref="FieldDefinition.Components"/>).</summary>
    public bool HasTuples { get; }

    /// <summary>Gets whether field <paramref name="field"/> is a tuple, composed from other fields rather than read from events.</summary>
    public bool IsTuple(int field) => _components[field].Length > 0;

    /// <summary>Gets the field indexes of tuple <paramref name="field"/>'s components, in order; empty for a field read from events.</summary>
    public ReadOnlySpan<int> ComponentIndexes(int field) => _components[field];

    /// <summary>Gets whether field <paramref name="field"/> is counted under a budget (by value hash, not interned).</summary>
    public bool IsBounded(int field) => _fields[field].MaxDistinct > 0;

    /// <summary>Gets the budget of pair <paramref name="pair"/>'s joint and marginal counts: 0 (exact, interned) when
    /// neither field has a budget, else the larger of the two fields' budgets. A pair with one bounded field is bounded
    /// too, since that field's values have no ids; the unbounded field then adds no budget of its own.</summary>
    public int PairMaxDistinct(int pair) => _pairMaxDistinct[pair];

    /// <summary>Gets whether pair <paramref name="pair"/> is counted under a budget.</summary>
    public bool IsBoundedPair(int pair) => _pairMaxDistinct[pair] > 0;

    /// <summary>Gets the field indexes of pair <paramref name="pair"/>.</summary>
    public (int X, int Y) PairIndexes(int pair) => _pairIndexes[pair];

    /// <summary>Gets the index of the field named <paramref name="name"/>, or −1.</summary>
    public int IndexOf(string name) => _index.TryGetValue(name, out int i) ? i : -1;

    /// <summary>Gets the index of the pair with key <paramref name="key"/> (<c>x,y</c>), or −1.</summary>
    public int IndexOfPair(string key) => _pairKeys.TryGetValue(key, out int p) ? p : -1;

    /// <summary>Gets the index of the field named <paramref name="name"/>, discovering it first if a rule takes it (a
    /// merger learning the fields that other engines found); −1 when it is neither known nor discoverable now.</summary>
    public int FindOrDiscover(string name)
    {
        int field = IndexOf(name);
        return field >= 0 || TryDiscover(name, out field) == DiscoveryOutcome.Added ? field : -1;
    }

    /// <summary>Gets the index of the pair with key <paramref name="key"/>, discovering its fields first if rules take
    /// them (a pair formed by a rule in another engine); −1 when there is no such pair now. Names may contain commas, so
    /// every split of the key is tried.</summary>
    public int FindOrDiscoverPair(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (int comma = key.IndexOf(',', StringComparison.Ordinal); comma >= 0 && IndexOfPair(key) < 0; comma = key.IndexOf(',', comma + 1))
        {
            string x = key[..comma];
            string y = key[(comma + 1)..];
            if ((IndexOf(x) >= 0 || IsDiscoverable(x)) && (IndexOf(y) >= 0 || IsDiscoverable(y)) && PairRules.Any(r => r.Matches(x, y)))
            {
                _ = FindOrDiscover(x);
                _ = FindOrDiscover(y);
            }
        }

        return IndexOfPair(key);
    }

    /// <summary>Gets whether <paramref name="path"/> would be taken by a discovery rule now (ignoring its field
    /// limit): it matches a rule, is not too long, is not a configured field's path and its name is free.</summary>
    public bool IsDiscoverable(string path) => FindRule(path) >= 0 && IndexOf(path) < 0;

    /// <summary>Adds the field found at <paramref name="path"/> (named by its path), and the pairs the pair rules form
    /// with it, if a discovery rule takes it.</summary>
    /// <param name="path">The dotted leaf path.</param>
    /// <param name="field">The new field's index; −1 unless the outcome is <see cref="DiscoveryOutcome.Added"/>.</param>
    /// <returns>What happened to the path.</returns>
    public DiscoveryOutcome TryDiscover(string path, out int field)
    {
        ArgumentNullException.ThrowIfNull(path);
        field = -1;
        if (Encoding.UTF8.GetByteCount(path) > DiscoveryRule.MaxPathBytes)
        {
            return DiscoveryOutcome.TooLong;
        }

        int rule = FindRule(path);
        if (rule < 0)
        {
            return DiscoveryOutcome.NotMatched;
        }

        if (_index.ContainsKey(path))
        {
            return DiscoveryOutcome.NameTaken; // a configured field (or a tuple) has this name for another path
        }

        if (_discoveredPerRule[rule] >= Discovery[rule].MaxFields)
        {
            return DiscoveryOutcome.LimitReached;
        }

        _discoveredPerRule[rule]++;
        field = AppendField(new FieldDefinition(path, path, MaxDistinct: Discovery[rule].MaxDistinct), applyRules: true);
        return DiscoveryOutcome.Added;
    }

    private int FindRule(string path)
    {
        if (_configuredPaths.Contains(path))
        {
            return -1; // counted by its configured field
        }

        for (int r = 0; r < Discovery.Count; r++)
        {
            if (Discovery[r].Matches(path))
            {
                return r;
            }
        }

        return -1;
    }

    private int AppendField(FieldDefinition definition, bool applyRules, int[]? components = null)
    {
        int field = _fields.Count;
        _index.Add(definition.Name, field);
        _components.Add(components ?? []);
        _fields = Append(ref _fieldStore, field, definition);
        HasBudgets |= definition.MaxDistinct > 0;
        if (applyRules)
        {
            ApplyPairRules(field);
        }

        return field;
    }

    // Forms the pairs of the rules that the field `field` completes, with every field that exists, in field order.
    private void ApplyPairRules(int field)
    {
        string name = _fields[field].Name;
        foreach (PairRule rule in PairRules)
        {
            for (int other = 0; other < _fields.Count; other++)
            {
                string otherName = _fields[other].Name;
                if (rule.Matches(name, otherName))
                {
                    AppendPair(new PairDefinition(name, otherName));
                }
                else if (other != field && rule.Matches(otherName, name))
                {
                    AppendPair(new PairDefinition(otherName, name));
                }
            }
        }
    }

    private void AppendPair(PairDefinition pair)
    {
        if (!_pairKeys.TryAdd(pair.Key, _pairs.Count))
        {
            return; // already configured, or formed by an earlier rule
        }

        (int x, int y) = (_index[pair.X], _index[pair.Y]);
        _pairIndexes.Add((x, y));
        _pairMaxDistinct.Add(Math.Max(_fields[x].MaxDistinct, _fields[y].MaxDistinct));
        _pairs = Append(ref _pairStore, _pairs.Count, pair);
    }

    private static ArraySegment<T> Append<T>(ref T[] store, int count, T item)
    {
        if (count == store.Length)
        {
            T[] larger = new T[store.Length * 2];
            Array.Copy(store, larger, count);
            store = larger;
        }

        store[count] = item;
        return new ArraySegment<T>(store, 0, count + 1);
    }
}
