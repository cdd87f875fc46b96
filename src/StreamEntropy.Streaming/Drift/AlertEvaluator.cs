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
    private readonly Dictionary<(string Rule, string Window, string Subject), ThresholdCalibration> _calibrations = [];

    /// <summary>Creates an evaluator with no alert raised.</summary>
    /// <exception cref="ArgumentException">A rule is invalid, or two rules share a name.</exception>
    public AlertEvaluator(IReadOnlyList<AlertRule> rules)
    {
        if (Validate(rules, out string setting) is { } problem)
        {
            throw new ArgumentException(problem, setting);
        }

        _rules = [.. rules];
    }

    /// <summary>Checks every rule and that no two share a name, for callers that report problems instead of catching them.</summary>
    /// <param name="rules">The rules.</param>
    /// <param name="setting">The offending setting of a rule, or "rules" for a repeated name; empty when there is none.</param>
    /// <returns>The first problem, naming the rule; null when the rules are valid.</returns>
    public static string? Validate(IReadOnlyList<AlertRule> rules, out string setting)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (AlertRule rule in rules)
        {
            ArgumentNullException.ThrowIfNull(rule, nameof(rules));
            if (rule.Validate(out setting) is { } problem)
            {
                return problem;
            }

            if (!names.Add(rule.Name))
            {
                setting = nameof(rules);
                return $"Alert rule '{rule.Name}' is defined twice.";
            }
        }

        setting = "";
        return null;
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
        // All fields (and all pairs) scored at this close are one family for the false-discovery correction,
        // whatever subject a rule is limited to.
        DriftReport? adjusted = _rules.Any(r => r.ControlsFalseDiscoveries) ? FalseDiscovery.Adjust(report) : null;
        foreach (AlertRule rule in _rules)
        {
            if (rule.Window is not null && !string.Equals(rule.Window, report.Window, StringComparison.Ordinal))
            {
                continue;
            }

            if (DriftMetrics.IsPairMetric(rule.Metric))
            {
                for (int p = 0; p < report.Pairs.Count; p++)
                {
                    PairDrift pair = report.Pairs[p];
                    string key = pair.Key;
                    if (rule.Subject is null || string.Equals(rule.Subject, key, StringComparison.Ordinal))
                    {
                        double value = DriftMetrics.Read(pair, rule.Metric);
                        double significance = rule.ControlsFalseDiscoveries ? adjusted!.Pairs[p].Joint.AdjustedGTestSignificance : pair.Joint.GTestSignificance;
                        Step(rule, report.Window, key, null, new PairDefinition(pair.X, pair.Y), value, significance, timestampMs, ref events);
                    }
                }
            }
            else
            {
                for (int f = 0; f < report.Fields.Count; f++)
                {
                    FieldDrift field = report.Fields[f];
                    if (rule.Subject is null || string.Equals(rule.Subject, field.Name, StringComparison.Ordinal))
                    {
                        double value = DriftMetrics.Read(field, rule.Metric);
                        double significance = rule.ControlsFalseDiscoveries ? adjusted!.Fields[f].AdjustedGTestSignificance : field.GTestSignificance;
                        Step(rule, report.Window, field.Name, field.Name, null, value, significance, timestampMs, ref events);
                    }
                }
            }
        }

        return events ?? (IReadOnlyList<AlertEvent>)[];
    }

    /// <summary>Forgets every state and every calibrated threshold, as if no window had been evaluated (e.g. after the
    /// reference changed).</summary>
    public void Reset()
    {
        _tracks.Clear();
        _calibrations.Clear();
    }

    /// <summary>Forgets the states and calibrated thresholds of one window (or of one of its subjects), e.g. when its
    /// reference is captured again.</summary>
    /// <param name="window">The window's name.</param>
    /// <param name="subject">One field name or pair key; null for every subject of the window.</param>
    /// <param name="timestampMs">The time stamped on the clear events, Unix milliseconds.</param>
    /// <returns>A clear event for every alert that was raised (its value undefined: no window caused it).</returns>
    public IReadOnlyList<AlertEvent> Reset(string window, string? subject, long timestampMs)
    {
        ArgumentNullException.ThrowIfNull(window);
        var cleared = new List<AlertEvent>();
        foreach (var key in _tracks.Keys.Where(k => k.Window == window && (subject is null || k.Subject == subject)).ToArray())
        {
            if (_tracks[key].RaisedBy is { } raised)
            {
                double clear = _rules.FirstOrDefault(r => r.Name == key.Rule) is { } rule ? ThresholdsOf(rule, key.Window, key.Subject).Clear : double.NaN;
                cleared.Add(raised with { State = AlertState.Cleared, Value = double.NaN, Threshold = clear, Consecutive = 0, TimestampMs = timestampMs });
            }

            _tracks.Remove(key);
        }

        foreach (var key in _calibrations.Keys.Where(k => k.Window == window && (subject is null || k.Subject == subject)).ToArray())
        {
            _calibrations.Remove(key);
        }

        cleared.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return cleared;
    }

    /// <summary>Describes the thresholds every rule that applies to <paramref name="window"/> uses there now, in rule
    /// order: one entry for a configured threshold, and for an auto rule one per calibrated subject (by name) plus one
    /// for the fallback of every other subject.</summary>
    /// <param name="window">The window's name.</param>
    /// <param name="calibrating">Set while the window's reference period is still being collected: said of the auto
    /// rules' fallback entries (e.g. <c>auto: calibrating, 3 of 10 reference chunks</c>).</param>
    public IReadOnlyList<ThresholdInForce> DescribeThresholds(string window, string? calibrating = null)
    {
        ArgumentNullException.ThrowIfNull(window);
        var thresholds = new List<ThresholdInForce>();
        foreach (AlertRule rule in _rules)
        {
            if (rule.Window is not null && !string.Equals(rule.Window, window, StringComparison.Ordinal))
            {
                continue;
            }

            if (rule.Auto is null)
            {
                thresholds.Add(new ThresholdInForce(rule.Name, rule.Metric, window, rule.Subject, rule.Threshold, rule.EffectiveClearThreshold, "configured"));
                continue;
            }

            foreach (var ((_, _, subject), calibration) in _calibrations.Where(c => c.Key.Rule == rule.Name && c.Key.Window == window).OrderBy(c => c.Key.Subject, StringComparer.Ordinal))
            {
                (double raise, double clear, string source) = calibration.Apply(rule);
                thresholds.Add(new ThresholdInForce(rule.Name, rule.Metric, window, subject, raise, clear, source));
            }

            thresholds.Add(new ThresholdInForce(rule.Name, rule.Metric, window, rule.Subject, rule.Threshold, rule.EffectiveClearThreshold, calibrating ?? "auto fallback: subjects not calibrated from the reference"));
        }

        return thresholds;
    }

    /// <summary>Gets the raise and clear thresholds <paramref name="rule"/> applies to one window and subject.</summary>
    internal (double Raise, double Clear) ThresholdsOf(AlertRule rule, string window, string subject)
    {
        if (rule.Auto is not null && _calibrations.TryGetValue((rule.Name, window, subject), out ThresholdCalibration? calibration))
        {
            (double raise, double clear, _) = calibration.Apply(rule);
            return (raise, clear);
        }

        return (rule.Threshold, rule.EffectiveClearThreshold);
    }

    /// <summary>Sets the null distribution an auto rule's threshold is calibrated from on one window and subject;
    /// ignored for a rule that is not configured, or not auto.</summary>
    internal void Calibrate(string rule, string window, string subject, ThresholdCalibration calibration)
    {
        if (_rules.Any(r => r.Name == rule && r.Auto is not null))
        {
            _calibrations[(rule, window, subject)] = calibration;
        }
    }

    /// <summary>Gets every calibration, ordered by rule, window and subject (to save them).</summary>
    internal IReadOnlyList<(string Rule, string Window, string Subject, ThresholdCalibration Calibration)> ExportCalibrations() =>
        [.. _calibrations
            .OrderBy(c => c.Key.Rule, StringComparer.Ordinal)
            .ThenBy(c => c.Key.Window, StringComparer.Ordinal)
            .ThenBy(c => c.Key.Subject, StringComparer.Ordinal)
            .Select(c => (c.Key.Rule, c.Key.Window, c.Key.Subject, c.Value))];

    /// <summary>Gets every state machine that has seen a window, ordered by key (to save them).</summary>
    internal IReadOnlyList<TrackState> Export()
    {
        var tracks = new List<TrackState>(_tracks.Count);
        foreach (((string rule, string window, string subject), Track track) in _tracks)
        {
            tracks.Add(new TrackState(rule, window, subject, track.Streak, track.RaisedBy));
        }

        tracks.Sort(static (a, b) =>
        {
            int c = string.CompareOrdinal(a.Rule, b.Rule);
            c = c != 0 ? c : string.CompareOrdinal(a.Window, b.Window);
            return c != 0 ? c : string.CompareOrdinal(a.Subject, b.Subject);
        });
        return tracks;
    }

    /// <summary>Puts back a saved state machine; one of a rule that is no longer configured is ignored.</summary>
    internal void Import(TrackState state)
    {
        if (_rules.Any(r => r.Name == state.Rule))
        {
            _tracks[(state.Rule, state.Window, state.Subject)] = new Track { Streak = state.Streak, RaisedBy = state.RaisedBy };
        }
    }

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

        (double threshold, double clear) = rule.Auto is null ? (rule.Threshold, rule.EffectiveClearThreshold) : ThresholdsOf(rule, window, subject);
        if (track.RaisedBy is null)
        {
            bool significant = rule.GateSignificance is not double gate || significance >= gate;
            track.Streak = value >= threshold && significant ? track.Streak + 1 : 0;
            if (track.Streak >= rule.RaiseAfter)
            {
                var raised = new AlertEvent(AlertState.Raised, rule.Name, window, field, pair, rule.Metric, value, threshold, track.Streak, timestampMs);
                track.RaisedBy = raised;
                track.Streak = 0;
                (events ??= []).Add(raised);
            }
        }
        else
        {
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
