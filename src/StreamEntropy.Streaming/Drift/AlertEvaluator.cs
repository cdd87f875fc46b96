using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Drift;

/// <summary>Turns the drift scores of closed windows into raise and clear events, one state machine per
/// (rule, window, field or pair).</summary>
/// <remarks>
/// <para>Feed it each closed window's report once (a tumbling window's close, a sliding window's step), in time
/// order per window. Not raised → raised after <see cref="AlertRule.RaiseAfter"/> consecutive windows meeting the
/// threshold (and the significance gate); raised → cleared after <see cref="AlertRule.ClearAfter"/> consecutive windows
/// below the clear threshold. Windows in between reset the streak. Undefined metrics (NaN) reset both streaks and
/// never change the state.</para>
/// <para>Pure and deterministic: time is an argument. Not thread-safe; one caller at a time.</para>
/// </remarks>
public sealed class AlertEvaluator
{
    private readonly AlertRule[] _rules;
    private readonly Dictionary<(string Rule, string Window, string Subject), Track> _tracks = [];

    /// <summary>Creates an evaluator with no alert raised.</summary>
    /// <exception cref="ArgumentException">A rule is invalid, or two rules share a name.</exception>
    public AlertEvaluator(IReadOnlyList<AlertRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (AlertRule rule in rules)
        {
            ArgumentNullException.ThrowIfNull(rule, nameof(rules));
            rule.Validate();
            if (!names.Add(rule.Name))
            {
                throw new ArgumentException($"Alert rule '{rule.Name}' is defined twice.", nameof(rules));
            }
        }

        _rules = [.. rules];
    }

    /// <summary>Gets the rules.</summary>
    public IReadOnlyList<AlertRule> Rules => _rules;

    /// <summary>Gets the raise events of the alerts that are raised now, ordered by key.</summary>
    public IReadOnlyList<AlertEvent> Active
    {
        get
        {
            var active = new List<AlertEvent>();
            foreach (Track track in _tracks.Values)
            {
                if (track.RaisedBy is { } raised)
                {
                    active.Add(raised);
                }
            }

            active.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            return active;
        }
    }

    /// <summary>Evaluates every rule on one closed window's scores.</summary>
    /// <param name="report">The window's drift scores.</param>
    /// <param name="timestampMs">The time stamped on events (normally the window's end), Unix milliseconds.</param>
    /// <returns>The raise and clear events this window caused, in rule order then schema order.</returns>
    public IReadOnlyList<AlertEvent> Evaluate(DriftReport report, long timestampMs)
    {
        ArgumentNullException.ThrowIfNull(report);
        List<AlertEvent>? events = null;
        foreach (AlertRule rule in _rules)
        {
            if (rule.Window is not null && !string.Equals(rule.Window, report.Window, StringComparison.Ordinal))
            {
                continue;
            }

            if (DriftMetrics.IsPairMetric(rule.Metric))
            {
                foreach (PairDrift pair in report.Pairs)
                {
                    string key = pair.Key;
                    if (rule.Subject is null || string.Equals(rule.Subject, key, StringComparison.Ordinal))
                    {
                        double value = DriftMetrics.Read(pair, rule.Metric);
                        Step(rule, report.Window, key, null, new PairDefinition(pair.X, pair.Y), value, pair.Joint.GTestSignificance, timestampMs, ref events);
                    }
                }
            }
            else
            {
                foreach (FieldDrift field in report.Fields)
                {
                    if (rule.Subject is null || string.Equals(rule.Subject, field.Name, StringComparison.Ordinal))
                    {
                        double value = DriftMetrics.Read(field, rule.Metric);
                        Step(rule, report.Window, field.Name, field.Name, null, value, field.GTestSignificance, timestampMs, ref events);
                    }
                }
            }
        }

        return events ?? (IReadOnlyList<AlertEvent>)[];
    }

    /// <summary>Forgets every state, as if no window had been evaluated (e.g. after the reference changed).</summary>
    public void Reset() => _tracks.Clear();

    private void Step(
        AlertRule rule,
        string window,
        string subject,
        string? field,
        PairDefinition? pair,
        double value,
        double significance,
        long timestampMs,
        ref List<AlertEvent>? events)
    {
        var key = (rule.Name, window, subject);
        if (!_tracks.TryGetValue(key, out Track? track))
        {
            track = new Track();
            _tracks.Add(key, track);
        }

        if (double.IsNaN(value))
        {
            track.Streak = 0;
            return;
        }

        if (track.RaisedBy is null)
        {
            bool significant = rule.MinimumSignificance is not double gate || significance >= gate;
            track.Streak = value >= rule.Threshold && significant ? track.Streak + 1 : 0;
            if (track.Streak >= rule.RaiseAfter)
            {
                var raised = new AlertEvent(AlertState.Raised, rule.Name, window, field, pair, rule.Metric, value, rule.Threshold, track.Streak, timestampMs);
                track.RaisedBy = raised;
                track.Streak = 0;
                (events ??= []).Add(raised);
            }
        }
        else
        {
            double clear = rule.EffectiveClearThreshold;
            track.Streak = value < clear ? track.Streak + 1 : 0;
            if (track.Streak >= rule.ClearAfter)
            {
                (events ??= []).Add(new AlertEvent(AlertState.Cleared, rule.Name, window, field, pair, rule.Metric, value, clear, track.Streak, timestampMs));
                track.RaisedBy = null;
                track.Streak = 0;
            }
        }
    }

    private sealed class Track
    {
        // The length of the current streak toward the next transition: toward raising while not raised, toward
        // clearing while raised.
        public int Streak { get; set; }

        public AlertEvent? RaisedBy { get; set; }
    }
}
