using StreamEntropy.Core.Counting;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;

namespace StreamEntropy.Streaming.Partials;

/// <summary>Drift scoring of merged windows in Group mode, one field or pair at a time: the owner of a (window,
/// subject) scores each closed tumbling window of it against that subject's reference and evaluates the alert rules.</summary>
/// <remarks>
/// <para>The same scores as a single instance (<see cref="DriftCalculator.Distribution"/> and
/// <see cref="DriftCalculator.Pair"/>), on the merged counts: the reference is the baseline file's counts of the
/// subject, or the subject's first closed window with at least <see cref="DriftOptions.MinimumReferenceEvents"/>
/// events. Merged tables and references share one encoder, so their ids line up. Budgeted fields and pairs are not
/// scored, as in a single instance. Single writer.</para>
/// </remarks>
public sealed class MergedDrift
{
    private readonly DriftOptions _options;
    private readonly FrequencySet? _baseline;
    private readonly Dictionary<(string Window, string Subject), CountTable> _fieldReferences = [];
    private readonly Dictionary<(string Window, string Subject), PairCountTable> _pairReferences = [];
    private readonly Dictionary<string, WindowScores> _scores = new(StringComparer.Ordinal);
    private readonly List<AlertEvent> _alerts = [];

    /// <summary>Creates a scorer for <paramref name="schema"/>.</summary>
    /// <exception cref="BaselineMismatchException">The baseline does not describe the schema's fields and pairs.</exception>
    public MergedDrift(EventSchema schema, DriftSettings settings)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(settings);
        _options = settings.Options ?? new DriftOptions();
        _options.Validate();
        settings.Baseline?.EnsureCompatible(schema);
        Encoder = new EventEncoder(schema);
        _baseline = settings.Baseline?.Materialize(Encoder);
        Alerts = new AlertEvaluator(settings.Rules);
    }

    /// <summary>Gets the encoder whose interners give the ids of merged tables (so they line up with the references).</summary>
    public EventEncoder Encoder { get; }

    /// <summary>Gets the alert state machines of the subjects scored here.</summary>
    public AlertEvaluator Alerts { get; }

    /// <summary>Drains the alert raises and clears since the last call.</summary>
    public IReadOnlyList<AlertEvent> TakeAlerts()
    {
        AlertEvent[] alerts = [.. _alerts];
        _alerts.Clear();
        return alerts;
    }

    /// <summary>Gets, per window, the latest scores of the subjects scored here, in schema order.</summary>
    public IReadOnlyList<DriftReport> Reports()
    {
        EventSchema schema = Encoder.Schema;
        var reports = new List<DriftReport>(_scores.Count);
        foreach ((string window, WindowScores s) in _scores)
        {
            FieldDrift[] fields = [.. schema.Fields.Select(f => s.Fields.GetValueOrDefault(f.Name)).OfType<FieldDrift>()];
            PairDrift[] pairs = [.. schema.Pairs.Select(p => s.Pairs.GetValueOrDefault(p.Key)).OfType<PairDrift>()];
            reports.Add(new DriftReport(window, s.TimestampMs, s.Events, fields, pairs));
        }

        return reports;
    }

    /// <summary>Scores a closed window's merged counts of field <paramref name="field"/> (in <see cref="Encoder"/>'s ids),
    /// or takes them as the reference when the subject has none yet.</summary>
    public void FieldClosed(string window, long endMs, long events, int field, CountTable counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        string name = Encoder.Schema.Fields[field].Name;
        if (Encoder.Schema.IsBounded(field))
        {
            return;
        }

        CountTable? reference = _baseline?.Field(field) ?? _fieldReferences.GetValueOrDefault((window, name));
        if (reference is null)
        {
            if (events >= _options.MinimumReferenceEvents)
            {
                var copy = new CountTable();
                copy.Merge(counts);
                _fieldReferences[(window, name)] = copy;
            }

            return;
        }

        FieldDrift drift = DriftCalculator.Distribution(name, counts, reference, _options.Estimator, _options.Epsilon);
        Score(window, endMs, events).Fields[name] = drift;
        _alerts.AddRange(Alerts.Evaluate(new DriftReport(window, endMs, events, [drift], []), endMs));
    }

    /// <summary>Scores a closed window's merged counts of pair <paramref name="pair"/> (its table uses
    /// <see cref="Encoder"/>'s pair interner), or takes them as the reference when the subject has none yet.</summary>
    public void PairClosed(string window, long endMs, long events, int pair, PairCountTable counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        EventSchema schema = Encoder.Schema;
        PairDefinition definition = schema.Pairs[pair];
        if (schema.IsBoundedPair(pair))
        {
            return;
        }

        PairCountTable? reference = _baseline?.Pair(pair) ?? _pairReferences.GetValueOrDefault((window, definition.Key));
        if (reference is null)
        {
            if (events >= _options.MinimumReferenceEvents)
            {
                var copy = new PairCountTable(Encoder.Pairs[pair]);
                copy.Merge(counts);
                _pairReferences[(window, definition.Key)] = copy;
            }

            return;
        }

        ValueInterner xValues = Encoder.Values[schema.PairIndexes(pair).X];
        PairDrift drift = DriftCalculator.Pair(definition.X, definition.Y, counts, reference, xValues, _options.Estimator, _options.Epsilon, _options.TopDrivers);
        Score(window, endMs, events).Pairs[definition.Key] = drift;
        _alerts.AddRange(Alerts.Evaluate(new DriftReport(window, endMs, events, [], [drift]), endMs));
    }

    private WindowScores Score(string window, long endMs, long events)
    {
        if (!_scores.TryGetValue(window, out WindowScores? s))
        {
            _scores[window] = s = new WindowScores();
        }

        if (endMs >= s.TimestampMs)
        {
            s.TimestampMs = endMs;
            s.Events = events;
        }

        return s;
    }

    private sealed class WindowScores
    {
        public long TimestampMs { get; set; } = long.MinValue;

        public long Events { get; set; }

        public Dictionary<string, FieldDrift> Fields { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, PairDrift> Pairs { get; } = new(StringComparer.Ordinal);
    }
}
