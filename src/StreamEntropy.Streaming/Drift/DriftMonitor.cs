using System.Globalization;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.State;

namespace StreamEntropy.Streaming.Drift;

/// <summary>Keeps a reference per window configuration, scores each closed window against it, and evaluates the
/// alert rules.</summary>
/// <remarks>
/// <para>The reference is a baseline file's counts when one is given (one reference for every window), else the
/// first closed window of each configuration that is complete (it began at or after the stream's first event: the
/// caller says) and has at least <see cref="DriftScoring.MinimumReferenceEvents"/> events. Captured references and
/// the alert states are part of the saved state (<see cref="Write"/>, <see cref="Read"/>), so a restart neither takes
/// a drifted window as the new normal nor forgets a raised alert; <see cref="Recapture"/> takes a new one on purpose.</para>
/// <para>With a rule whose threshold is calibrated (<see cref="AlertRule.Auto"/>), the reference is instead the sum of
/// the first <see cref="DriftScoring.AutoReferenceWindows"/> such windows that do not overlap (the chunks: every closed
/// window of a tumbling configuration, every window whose start is at or after the previous chunk's end for a sliding
/// one); when the last chunk closes, each chunk is scored against the sum of the others and the rule's thresholds are
/// set per subject from those scores (<see cref="AutoThreshold"/>). Windows are not scored before. A baseline file has
/// no chunks, so auto rules are refused with one.</para>
/// <para>Everything here reads and writes the encoder's interners and the windows' tables, which have a single
/// writer: call it on the thread that counts, when a window closes and before its tables are cleared for reuse.
/// Pure otherwise: no clock (time is an argument), no I/O, no logging.</para>
/// </remarks>
public sealed class DriftMonitor
{
    // Appended to the saved reference identity by a configuration with an auto rule: its calibration follows.
    private const string AutoIdentitySuffix = "+auto";

    private readonly EventEncoder _encoder;
    private readonly Baseline? _baselineFile;
    private readonly FrequencySet? _baseline;
    private readonly Dictionary<string, Captured> _references = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Captured>> _chunks = new(StringComparer.Ordinal); // reference periods being collected (auto rules)
    private readonly bool _auto;

    /// <summary>Creates a monitor.</summary>
    /// <param name="encoder">The live encoder whose ids the windows count.</param>
    /// <param name="rules">The alert rules; <see cref="AlertRule.Defaults"/> when none are configured.</param>
    /// <param name="scoring">How to score; null for the defaults.</param>
    /// <param name="baseline">A reference for every window, or null to take each window's first complete window.</param>
    /// <exception cref="BaselineMismatchException">The baseline does not describe the encoder's fields and pairs.</exception>
    /// <exception cref="ArgumentException">A rule or option is invalid.</exception>
    public DriftMonitor(EventEncoder encoder, IReadOnlyList<AlertRule> rules, DriftScoring? scoring = null, Baseline? baseline = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(rules);
        scoring ??= new DriftScoring();
        scoring.Validate();
        _auto = rules.Any(r => r?.Auto is not null);
        if (_auto && baseline is not null)
        {
            // A bootstrap from the file's counts would calibrate against multinomial noise only, which real windows
            // (with their daily cycles and correlated events) always exceed: thresholds that look calibrated but storm.
            string rule = rules.First(r => r?.Auto is not null).Name;
            throw new ArgumentException($"Alert rule '{rule}': an auto threshold is calibrated from chunks of a reference captured from the stream; a baseline file is one distribution with no chunks. Give the rule a number, or drop the baseline file.", nameof(rules));
        }

        _encoder = encoder;
        Scoring = scoring;
        Alerts = new AlertEvaluator(rules);
        _baselineFile = baseline;
        _baseline = baseline?.Materialize(encoder);
    }

    /// <summary>Gets how drift is scored.</summary>
    public DriftScoring Scoring { get; }

    /// <summary>Gets the alert state machines (for the raised alerts now, <see cref="AlertEvaluator.Active"/>).</summary>
    public AlertEvaluator Alerts { get; }

    /// <summary>Gets whether the reference of every window is a baseline file's.</summary>
    public bool UsesBaselineFile => _baseline is not null;

    /// <summary>Extends every reference to the fields and pairs the schema gained from <paramref name="firstField"/> and
    /// <paramref name="firstPair"/> on: a baseline file's counts where it has them, else empty (a captured reference
    /// did not see the new field: it is not scored until the reference is captured again).</summary>
    internal void Grow(int firstField, int firstPair)
    {
        if (_baseline is not null)
        {
            _baselineFile!.MaterializeGrown(_baseline, firstField, firstPair);
        }

        foreach (Captured c in _references.Values.Concat(_chunks.Values.SelectMany(c => c)))
        {
            c.Counts.Grow();
        }
    }

    /// <summary>Tells whether <paramref name="window"/> has a reference yet.</summary>
    public bool HasReference(string window) => GetReference(window) is not null;

    /// <summary>Sets (or replaces) the reference of <paramref name="window"/> to a copy of <paramref name="counts"/>.</summary>
    /// <remarks>Replacing a reference does not reset raised alerts; call <see cref="AlertEvaluator.Reset()"/> to do so.</remarks>
    public void SetReference(string window, FrequencySet counts) => SetReference(window, counts, long.MinValue, long.MinValue);

    private void SetReference(string window, FrequencySet counts, long startMs, long endMs)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(counts);
        RequireSameEncoder(counts);
        var copy = new FrequencySet(_encoder);
        copy.Add(counts);
        _references[window] = new Captured(copy, startMs, endMs);
    }

    /// <summary>Describes the reference of <paramref name="window"/>; null when there is none yet.</summary>
    public DriftReference? DescribeReference(string window)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (_baseline is not null)
        {
            return new DriftReference(window, null, ReferenceOrigin.BaselineFile, _baseline.Events, null, null, _baselineFile!.Source)
            {
                Thresholds = Alerts.DescribeThresholds(window),
            };
        }

        if (_references.TryGetValue(window, out Captured? c))
        {
            return new DriftReference(window, null, ReferenceOrigin.CapturedWindow, c.Counts.Events, Known(c.StartMs), Known(c.EndMs), null)
            {
                Thresholds = Alerts.DescribeThresholds(window),
            };
        }

        if (!_auto)
        {
            return null;
        }

        int collected = _chunks.TryGetValue(window, out List<Captured>? chunks) ? chunks.Count : 0;
        string calibrating = string.Create(CultureInfo.InvariantCulture, $"auto: calibrating, {collected} of {Scoring.AutoReferenceWindows} reference chunks");
        return new DriftReference(window, null, ReferenceOrigin.Pending, chunks?.Sum(k => k.Counts.Events) ?? 0, null, null, null)
        {
            Thresholds = Alerts.DescribeThresholds(window, calibrating),
        };

        static long? Known(long ms) => ms == long.MinValue ? null : ms;
    }

    /// <summary>Gets the reference of <paramref name="window"/> by value text, to save with
    /// <see cref="Baseline.Save(string)"/> (so a restart can keep it); null when there is none yet.</summary>
    public Baseline? GetReferenceBaseline(string window)
    {
        FrequencySet? reference = GetReference(window);
        return reference is null ? null : Baseline.FromFrequencySet(reference, _baseline is null ? $"window {window}" : null);
    }

    /// <summary>Handles one closed window that is complete: captures it as the reference if its configuration has
    /// none, else scores it and evaluates the alert rules.</summary>
    /// <param name="window">The window configuration's name.</param>
    /// <param name="counts">The closed window's counts (read only).</param>
    /// <param name="timestampMs">The window's end, Unix milliseconds; stamped on the report and on alert events.</param>
    public DriftEvaluation OnWindowClosed(string window, FrequencySet counts, long timestampMs) =>
        OnWindowClosed(window, counts, long.MinValue, timestampMs, complete: true);

    /// <summary>Handles one closed window: captures it as the reference if its configuration has none and it is
    /// <paramref name="complete"/> with enough events, else scores it and evaluates the alert rules.</summary>
    /// <param name="window">The window configuration's name.</param>
    /// <param name="counts">The closed window's counts (read only).</param>
    /// <param name="startMs">The window's start, Unix milliseconds (recorded with a captured reference).</param>
    /// <param name="endMs">The window's end, Unix milliseconds; stamped on the report and on alert events.</param>
    /// <param name="complete">Whether the window began at or after the stream's first event: a window that began
    /// before holds only the part of its span the stream covered, and never becomes a reference.</param>
    public DriftEvaluation OnWindowClosed(string window, FrequencySet counts, long startMs, long endMs, bool complete)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(counts);
        RequireSameEncoder(counts);
        FrequencySet? reference = GetReference(window);
        if (reference is null)
        {
            if (!complete || counts.Events < Scoring.MinimumReferenceEvents)
            {
                return new DriftEvaluation(null, [], false);
            }

            if (_auto)
            {
                return new DriftEvaluation(null, [], CollectChunk(window, counts, startMs, endMs));
            }

            SetReference(window, counts, startMs, endMs);
            return new DriftEvaluation(null, [], true);
        }

        // The subjects of one window configuration closing at one step are one family of tests (FalseDiscovery).
        DriftReport report = FalseDiscovery.Adjust(DriftCalculator.Compute(window, endMs, counts, reference, Scoring));
        return new DriftEvaluation(report, Alerts.Evaluate(report, endMs), false);
    }

    /// <summary>Drops the captured reference of <paramref name="window"/> and its alert states, so that its next
    /// complete closed window with enough events becomes the reference: for when the stream's new distribution is
    /// the new normal.</summary>
    /// <param name="window">The window's name.</param>
    /// <param name="timestampMs">The time stamped on the clear events, Unix milliseconds.</param>
    /// <param name="cleared">A clear event (value undefined) for each alert of the window that was raised.</param>
    /// <returns><see cref="RecaptureOutcome.Done"/>, or <see cref="RecaptureOutcome.UsesBaselineFile"/> (nothing changed).</returns>
    public RecaptureOutcome Recapture(string window, long timestampMs, out IReadOnlyList<AlertEvent> cleared)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (_baseline is not null)
        {
            cleared = [];
            return RecaptureOutcome.UsesBaselineFile;
        }

        _references.Remove(window);
        _chunks.Remove(window);
        cleared = Alerts.Reset(window, null, timestampMs);
        return RecaptureOutcome.Done;
    }

    /// <summary>Writes the captured references (counts in the encoder's ids: the interners must be saved with them)
    /// and the alert states, then puts the references in the canonical form a restored monitor has.</summary>
    internal void Write(StateWriter writer)
    {
        writer.Write(_references.Count);
        foreach ((string window, Captured c) in _references.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            writer.Write(window);
            writer.Write(c.StartMs);
            writer.Write(c.EndMs);
            TableState.Write(writer, c.Counts);
        }

        // Only a configuration with an auto rule writes the calibration, after the alert states; the identity tells a
        // reader it follows, so every other configuration writes the bytes it wrote before auto thresholds existed.
        writer.Write(_auto ? ReferenceIdentity() + AutoIdentitySuffix : ReferenceIdentity());
        DriftStateCodec.WriteTracks(writer, Alerts.Export());
        if (_auto)
        {
            writer.Write(_chunks.Count);
            foreach ((string window, List<Captured> chunks) in _chunks.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                writer.Write(window);
                writer.Write(chunks.Count);
                foreach (Captured c in chunks)
                {
                    writer.Write(c.StartMs);
                    writer.Write(c.EndMs);
                    TableState.Write(writer, c.Counts);
                }
            }

            DriftStateCodec.WriteCalibrations(writer, Alerts.ExportCalibrations());
        }
    }

    /// <summary>Reads what <see cref="Write"/> wrote into this fresh monitor, whose encoder holds the saved interners.</summary>
    /// <param name="reader">The state.</param>
    /// <param name="scratch">A scratch list.</param>
    /// <param name="apply">False to parse and check only (a re-capture was asked for at start).</param>
    /// <remarks>With a baseline file now, captured references are ignored; alert states are kept only when they were
    /// evaluated against the same kind of reference (the same baseline, by its source and size, or captured windows),
    /// since a streak against another reference means nothing.</remarks>
    internal void Read(BinaryReader reader, List<(int Id, long Count)> scratch, bool apply)
    {
        int count = TableFormat.ReadCount(reader, 1 << 20);
        var references = new Dictionary<string, Captured>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string window = reader.ReadString();
            long start = reader.ReadInt64();
            long end = reader.ReadInt64();
            var set = new FrequencySet(_encoder);
            TableState.Read(reader, set, scratch);
            if (!references.TryAdd(window, new Captured(set, start, end)))
            {
                throw new InvalidDataException($"The drift reference of window '{window}' is saved twice.");
            }
        }

        string identity = reader.ReadString();
        List<TrackState> tracks = DriftStateCodec.ReadTracks(reader);
        bool calibrated = identity.EndsWith(AutoIdentitySuffix, StringComparison.Ordinal);
        var chunks = new Dictionary<string, List<Captured>>(StringComparer.Ordinal);
        var calibrations = new List<(string Rule, string Window, string Subject, ThresholdCalibration Calibration)>();
        if (calibrated)
        {
            identity = identity[..^AutoIdentitySuffix.Length];
            ReadChunks(reader, scratch, chunks);
            calibrations = DriftStateCodec.ReadCalibrations(reader);
        }

        if (!apply || (_auto && !calibrated && references.Count > 0))
        {
            // A reference captured without its chunks cannot calibrate the auto rules: it is captured afresh, as with
            // RecaptureOnStart (and its alert states, evaluated against it, go with it).
            return;
        }

        if (_baseline is null)
        {
            foreach ((string window, Captured c) in references)
            {
                _references[window] = c;
            }

            if (_auto)
            {
                foreach ((string window, List<Captured> c) in chunks)
                {
                    _chunks[window] = c;
                }
            }
        }

        if (string.Equals(identity, ReferenceIdentity(), StringComparison.Ordinal))
        {
            foreach (TrackState track in tracks)
            {
                Alerts.Import(track);
            }

            foreach ((string rule, string window, string subject, ThresholdCalibration calibration) in calibrations)
            {
                Alerts.Calibrate(rule, window, subject, calibration);
            }
        }
    }

    private void ReadChunks(BinaryReader reader, List<(int Id, long Count)> scratch, Dictionary<string, List<Captured>> chunks)
    {
        int windows = TableFormat.ReadCount(reader, 1 << 20);
        for (int i = 0; i < windows; i++)
        {
            string window = reader.ReadString();
            int count = TableFormat.ReadCount(reader, DriftScoring.MaxAutoReferenceWindows);
            var list = new List<Captured>(count);
            for (int k = 0; k < count; k++)
            {
                long start = reader.ReadInt64();
                long end = reader.ReadInt64();
                var set = new FrequencySet(_encoder);
                TableState.Read(reader, set, scratch);
                list.Add(new Captured(set, start, end));
            }

            if (!chunks.TryAdd(window, list))
            {
                throw new InvalidDataException($"The reference chunks of window '{window}' are saved twice.");
            }
        }
    }

    // Adds a closed window to its configuration's reference period if it does not overlap the last chunk; when the
    // period is complete, its sum becomes the reference and the auto rules are calibrated. True when it did.
    private bool CollectChunk(string window, FrequencySet counts, long startMs, long endMs)
    {
        if (!_chunks.TryGetValue(window, out List<Captured>? chunks))
        {
            chunks = [];
            _chunks.Add(window, chunks);
        }

        if (chunks.Count > 0 && startMs != long.MinValue && startMs < chunks[^1].EndMs)
        {
            return false; // a sliding window overlapping the last chunk: the chunks must be independent samples
        }

        var copy = new FrequencySet(_encoder);
        copy.Add(counts);
        chunks.Add(new Captured(copy, startMs, endMs));
        if (chunks.Count < Scoring.AutoReferenceWindows)
        {
            return false;
        }

        var sum = new FrequencySet(_encoder);
        foreach (Captured c in chunks)
        {
            sum.Add(c.Counts);
        }

        _references[window] = new Captured(sum, chunks[0].StartMs, chunks[^1].EndMs);
        _chunks.Remove(window);
        Calibrate(window, chunks);
        return true;
    }

    // Scores every chunk against the sum of the others (leave-one-out) and hands each auto rule's finite scores per
    // subject to the evaluator. A subject no chunk scored gets none: it uses the rule's fallback.
    private void Calibrate(string window, List<Captured> chunks)
    {
        AlertRule[] rules = [.. Alerts.Rules.Where(r => r.Auto is not null && (r.Window is null || string.Equals(r.Window, window, StringComparison.Ordinal)))];
        var scores = new Dictionary<(string Rule, string Subject), List<double>>();
        DriftScoring scoring = Scoring with { TopDrivers = 0 };
        for (int i = 0; i < chunks.Count; i++)
        {
            var rest = new FrequencySet(_encoder);
            for (int j = 0; j < chunks.Count; j++)
            {
                if (j != i)
                {
                    rest.Add(chunks[j].Counts);
                }
            }

            DriftReport report = DriftCalculator.Compute(window, chunks[i].EndMs, chunks[i].Counts, rest, scoring);
            foreach (AlertRule rule in rules)
            {
                if (DriftMetrics.IsPairMetric(rule.Metric))
                {
                    foreach (PairDrift pair in report.Pairs)
                    {
                        Score(rule, pair.Key, DriftMetrics.Read(pair, rule.Metric));
                    }
                }
                else
                {
                    foreach (FieldDrift field in report.Fields)
                    {
                        Score(rule, field.Name, DriftMetrics.Read(field, rule.Metric));
                    }
                }
            }
        }

        foreach (((string rule, string subject), List<double> values) in scores)
        {
            Alerts.Calibrate(rule, window, subject, new ThresholdCalibration([.. values], chunks.Count));
        }

        void Score(AlertRule rule, string subject, double value)
        {
            if (rule.Subject is not null && !string.Equals(rule.Subject, subject, StringComparison.Ordinal))
            {
                return;
            }

            if (!scores.TryGetValue((rule.Name, subject), out List<double>? values))
            {
                values = [];
                scores.Add((rule.Name, subject), values);
            }

            if (double.IsFinite(value))
            {
                values.Add(value);
            }
        }
    }

    private string ReferenceIdentity() => _baseline is null
        ? "captured"
        : string.Create(CultureInfo.InvariantCulture, $"baseline {_baselineFile!.Source} {_baseline.Events}");

    private FrequencySet? GetReference(string window) =>
        _baseline ?? (_references.TryGetValue(window, out Captured? r) ? r.Counts : null);

    private void RequireSameEncoder(FrequencySet counts)
    {
        if (!ReferenceEquals(counts.Encoder, _encoder))
        {
            throw new ArgumentException("The counts must come from the monitor's encoder.", nameof(counts));
        }
    }

    private sealed record Captured(FrequencySet Counts, long StartMs, long EndMs);
}
