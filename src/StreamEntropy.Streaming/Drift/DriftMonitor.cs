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
/// <para>Everything here reads and writes the encoder's interners and the windows' tables, which have a single
/// writer: call it on the thread that counts, when a window closes and before its tables are cleared for reuse.
/// Pure otherwise: no clock (time is an argument), no I/O, no logging.</para>
/// </remarks>
public sealed class DriftMonitor
{
    private readonly EventEncoder _encoder;
    private readonly Baseline? _baselineFile;
    private readonly FrequencySet? _baseline;
    private readonly Dictionary<string, Captured> _references = new(StringComparer.Ordinal);

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

        foreach (Captured c in _references.Values)
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
            return new DriftReference(window, null, ReferenceOrigin.BaselineFile, _baseline.Events, null, null, _baselineFile!.Source);
        }

        return _references.TryGetValue(window, out Captured? c)
            ? new DriftReference(window, null, ReferenceOrigin.CapturedWindow, c.Counts.Events, Known(c.StartMs), Known(c.EndMs), null)
            : null;

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
        cleared = Alerts.Reset(window, null, timestampMs);
        return RecaptureOutcome.Done;
    }

    /// <summary>Writes the captured references (counts in the encoder's ids: the interners must be saved with them)
    /// and the alert states, then puts the references in the canonical form a restored monitor has.</summary>
    internal void Write(BinaryWriter writer, List<(int Id, long Count)> scratch)
    {
        writer.Write(_references.Count);
        foreach ((string window, Captured c) in _references.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            writer.Write(window);
            writer.Write(c.StartMs);
            writer.Write(c.EndMs);
            TableState.Write(writer, c.Counts, scratch);
        }

        writer.Write(ReferenceIdentity());
        DriftStateCodec.WriteTracks(writer, Alerts.Export());
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
        if (!apply)
        {
            return;
        }

        if (_baseline is null)
        {
            foreach ((string window, Captured c) in references)
            {
                _references[window] = c;
            }
        }

        if (string.Equals(identity, ReferenceIdentity(), StringComparison.Ordinal))
        {
            foreach (TrackState track in tracks)
            {
                Alerts.Import(track);
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
