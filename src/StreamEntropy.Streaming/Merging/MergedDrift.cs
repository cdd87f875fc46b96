using System.Security.Cryptography;
using System.Text;
using StreamEntropy.Core.Counting;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.State;

namespace StreamEntropy.Streaming.Merging;

/// <summary>Drift scoring of merged windows in Group mode, one field or pair at a time: the owner of a (window,
/// subject) scores each closed tumbling window of it against that subject's reference and evaluates the alert rules.</summary>
/// <remarks>
/// <para>The same scores as a single instance (<see cref="DriftCalculator.Distribution"/> and
/// <see cref="DriftCalculator.Pair"/>), on the merged counts: the reference is the baseline file's counts of the
/// subject, or the subject's first complete closed window with at least <see cref="DriftScoring.MinimumReferenceEvents"/>
/// events. The merge cannot tell when the stream began, so the first closed window of a subject is never taken (it
/// may have begun before the stream); the next one is. Merged tables and references share one encoder, so their ids
/// line up. Bounded fields and pairs are not scored, as in a single instance. Single writer.</para>
/// <para>The state of a set of subjects (captured references by value text, alert states, the last window scored)
/// is exported with <see cref="Export"/> and put back with <see cref="Import"/>, so that a subject's new owner after a
/// restart or a rebalance continues where the old one stopped; windows it reads again are not scored twice.</para>
/// </remarks>
public sealed class MergedDrift
{
    private readonly DriftScoring _scoring;
    private readonly FrequencySet? _baseline;
    private readonly Dictionary<(string Window, string Subject), CountTable> _fieldReferences = [];
    private readonly Dictionary<(string Window, string Subject), PairCountTable> _pairReferences = [];
    private readonly Dictionary<(string Window, string Subject), SubjectProgress> _progress = [];
    private readonly Dictionary<string, WindowScores> _scores = new(StringComparer.Ordinal);
    private readonly Baseline? _baselineFile;
    private readonly List<AlertEvent> _alerts = [];

    /// <summary>Creates a scorer for <paramref name="schema"/>.</summary>
    /// <exception cref="BaselineMismatchException">The baseline does not describe the schema's fields and pairs.</exception>
    public MergedDrift(EventSchema schema, DriftSettings settings)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(settings);
        _scoring = settings.Scoring ?? new DriftScoring();
        _scoring.Validate();
        if (settings.Rules.FirstOrDefault(r => r?.Auto is not null) is { } auto)
        {
            // Each merged subject has its own reference, captured when its owner first sees a complete window; the
            // chunks of a reference period would have to travel with a subject across owners. Not done (yet).
            throw new ArgumentException($"Alert rule '{auto.Name}': auto thresholds are not supported in Group mode (merged references are captured per subject, without the reference period's chunks); give the rule a number.", nameof(settings));
        }

        settings.Baseline?.EnsureCompatible(schema);
        Encoder = new EventEncoder(schema);
        _baseline = settings.Baseline?.Materialize(Encoder);
        _baselineFile = settings.Baseline;
        Alerts = new AlertEvaluator(settings.Rules);
    }

    // The schema (shared with the merger) gained discovered fields or rule-formed pairs: interners for them, and the
    // baseline's counts of them where it has any.
    internal void SyncGrowth()
    {
        int fields = Encoder.Values.Count;
        int pairs = Encoder.Pairs.Count;
        if (fields == Encoder.Schema.Fields.Count && pairs == Encoder.Schema.Pairs.Count)
        {
            return;
        }

        Encoder.Grow();
        if (_baseline is not null)
        {
            _baselineFile!.MaterializeGrown(_baseline, fields, pairs);
        }
    }

    /// <summary>Gets the encoder whose interners give the ids of merged tables (so they line up with the references).</summary>
    public EventEncoder Encoder { get; }

    /// <summary>Gets a number that changes whenever the state <see cref="Export"/> writes may have changed (so that
    /// unchanged states need not be serialised again).</summary>
    public long Version { get; private set; }

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
    public void FieldClosed(string window, long startMs, long endMs, long events, int field, CountTable counts)
    {
        SyncGrowth();
        ArgumentNullException.ThrowIfNull(counts);
        string name = Encoder.Schema.Fields[field].Name;
        if (Encoder.Schema.IsBounded(field) || (_baseline is not null && DriftCalculator.Unseen(_baseline, field)))
        {
            return; // bounded; or discovered and absent from the baseline file
        }

        if (!Admit(window, name, endMs, out SubjectProgress progress))
        {
            return;
        }

        CountTable? reference = _baseline?.Field(field) ?? _fieldReferences.GetValueOrDefault((window, name));
        if (reference is null)
        {
            if (progress.Complete() && events >= _scoring.MinimumReferenceEvents)
            {
                var copy = new CountTable();
                copy.Merge(counts);
                _fieldReferences[(window, name)] = copy;
                progress.Captured = (startMs, endMs, events);
            }

            return;
        }

        FieldDrift drift = DriftCalculator.Distribution(name, counts, reference, _scoring.Estimator, _scoring.Epsilon);
        Score(window, endMs, events).Fields[name] = drift;
        _alerts.AddRange(Alerts.Evaluate(new DriftReport(window, endMs, events, [drift], []), endMs));
    }

    /// <summary>Scores a closed window's merged counts of pair <paramref name="pair"/> (its table uses
    /// <see cref="Encoder"/>'s pair interner), or takes them as the reference when the subject has none yet.</summary>
    public void PairClosed(string window, long startMs, long endMs, long events, int pair, PairCountTable counts)
    {
        SyncGrowth();
        ArgumentNullException.ThrowIfNull(counts);
        EventSchema schema = Encoder.Schema;
        PairDefinition definition = schema.Pairs[pair];
        if (schema.IsBoundedPair(pair) || (_baseline is not null && DriftCalculator.UnseenPair(_baseline, pair)))
        {
            return;
        }

        if (!Admit(window, definition.Key, endMs, out SubjectProgress progress))
        {
            return;
        }

        PairCountTable? reference = _baseline?.Pair(pair) ?? _pairReferences.GetValueOrDefault((window, definition.Key));
        if (reference is null)
        {
            if (progress.Complete() && events >= _scoring.MinimumReferenceEvents)
            {
                var copy = new PairCountTable(Encoder.Pairs[pair]);
                copy.Merge(counts);
                _pairReferences[(window, definition.Key)] = copy;
                progress.Captured = (startMs, endMs, events);
            }

            return;
        }

        ValueInterner xValues = Encoder.Values[schema.PairIndexes(pair).X];
        PairDrift drift = DriftCalculator.Pair(definition.X, definition.Y, counts, reference, xValues, _scoring.Estimator, _scoring.Epsilon, _scoring.TopDrivers);
        Score(window, endMs, events).Pairs[definition.Key] = drift;
        _alerts.AddRange(Alerts.Evaluate(new DriftReport(window, endMs, events, [], [drift]), endMs));
    }

    /// <summary>Describes the reference of every (window, subject) seen here, ordered by window then subject.</summary>
    public IReadOnlyList<DriftReference> DescribeReferences()
    {
        var references = new List<DriftReference>();
        foreach (((string window, string subject), SubjectProgress progress) in _progress.OrderBy(p => p.Key.Window, StringComparer.Ordinal).ThenBy(p => p.Key.Subject, StringComparer.Ordinal))
        {
            if (_baseline is not null)
            {
                references.Add(new DriftReference(window, subject, ReferenceOrigin.BaselineFile, _baseline.Events, null, null, _baselineFile!.Source));
            }
            else if (progress.Captured is (long start, long end, long events) && HasCaptured(window, subject))
            {
                references.Add(new DriftReference(window, subject, ReferenceOrigin.CapturedWindow, events, start, end, null));
            }
            else
            {
                references.Add(new DriftReference(window, subject, ReferenceOrigin.Pending, 0, null, null, null));
            }
        }

        return references;
    }

    /// <summary>Drops the captured references of window <paramref name="window"/> held here and their alert states
    /// (raised alerts are cleared: see <see cref="TakeAlerts"/>), so that the next closed window with enough events
    /// becomes each subject's reference.</summary>
    /// <param name="window">The window's name.</param>
    /// <param name="timestampMs">The time stamped on the clear events.</param>
    public RecaptureOutcome Recapture(string window, long timestampMs)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (_baseline is not null)
        {
            return RecaptureOutcome.UsesBaselineFile;
        }

        foreach ((string w, string subject) in _progress.Keys.Where(k => k.Window == window).ToArray())
        {
            _fieldReferences.Remove((w, subject));
            _pairReferences.Remove((w, subject));
            _progress[(w, subject)].Captured = null;
            _progress[(w, subject)].Recaptured = true; // the next closed window is complete: the stream ran before it
        }

        _alerts.AddRange(Alerts.Reset(window, null, timestampMs));
        Version++;
        return RecaptureOutcome.Done;
    }

    /// <summary>Forgets the state of the subjects <paramref name="include"/> selects (their owner is now another instance).</summary>
    public void Forget(Func<string, string, bool> include)
    {
        ArgumentNullException.ThrowIfNull(include);
        Version++;
        foreach ((string window, string subject) in _progress.Keys.Where(k => include(k.Window, k.Subject)).ToArray())
        {
            _progress.Remove((window, subject));
            _fieldReferences.Remove((window, subject));
            _pairReferences.Remove((window, subject));
            _ = Alerts.Reset(window, subject, 0); // the new owner restores and reports them
            if (_scores.TryGetValue(window, out WindowScores? scores))
            {
                scores.Fields.Remove(subject);
                scores.Pairs.Remove(subject);
            }
        }
    }

    /// <summary>Serialises the drift state of the subjects <paramref name="include"/> selects (window name, subject):
    /// what a new owner needs to go on exactly as this one would.</summary>
    /// <remarks>Layout: <c>"SEMD"</c> · byte version (1) · int32 payload length · payload · SHA-256(payload). The payload
    /// holds per subject the last window end scored, whether a first window was seen, the captured reference by value
    /// text; then the reference identity and the alert states (as in an engine state).</remarks>
    public byte[] Export(Func<string, string, bool> include)
    {
        ArgumentNullException.ThrowIfNull(include);
        using var payload = new MemoryStream();
        using (var w = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            var selected = _progress.Where(p => include(p.Key.Window, p.Key.Subject))
                .OrderBy(p => p.Key.Window, StringComparer.Ordinal).ThenBy(p => p.Key.Subject, StringComparer.Ordinal).ToArray();
            w.Write(selected.Length);
            foreach (((string window, string subject), SubjectProgress progress) in selected)
            {
                w.Write(window);
                w.Write(subject);
                w.Write(progress.LastScoredEndMs);
                w.Write(progress.FirstSeen);
                w.Write(progress.Recaptured);
                w.Write(progress.Captured is not null && HasCaptured(window, subject));
                if (progress.Captured is (long start, long end, long events) && HasCaptured(window, subject))
                {
                    w.Write(start);
                    w.Write(end);
                    w.Write(events);
                    WriteReference(w, window, subject);
                }
            }

            w.Write(ReferenceIdentity());
            DriftStateCodec.WriteTracks(w, [.. Alerts.Export().Where(t => include(t.Window, t.Subject))]);
        }

        byte[] body = payload.ToArray();
        var record = new MemoryStream();
        record.Write(Magic);
        record.WriteByte(FormatVersion);
        record.Write(BitConverter.GetBytes(body.Length)); // little-endian on every platform .NET 10 runs on
        record.Write(body);
        record.Write(SHA256.HashData(body));
        return record.ToArray();
    }

    /// <summary>Puts back a state from <see cref="Export"/>, replacing what is held for its subjects.</summary>
    /// <remarks>Subjects or rules this configuration does not have are ignored; with a baseline file now, captured
    /// references are ignored, and alert states saved against another kind of reference are dropped.</remarks>
    /// <exception cref="InvalidDataException">The bytes are not such a state, or are corrupt.</exception>
    public void Import(ReadOnlySpan<byte> state)
    {
        const int header = 4 + 1 + 4;
        if (state.Length < header + SHA256.HashSizeInBytes || !state[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException("The data is not a saved merged drift state.");
        }

        if (state[4] != FormatVersion)
        {
            throw new InvalidDataException($"The merged drift state has format version {state[4]}; this build reads version {FormatVersion}.");
        }

        int length = BitConverter.ToInt32(state[5..9]);
        if (length < 0 || length != state.Length - header - SHA256.HashSizeInBytes)
        {
            throw new InvalidDataException("The merged drift state is truncated or corrupt.");
        }

        ReadOnlySpan<byte> body = state.Slice(header, length);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(state[(header + length)..]))
        {
            throw new InvalidDataException("The merged drift state is corrupt: its SHA-256 checksum does not match.");
        }

        using var reader = new BinaryReader(new MemoryStream(body.ToArray(), writable: false), Encoding.UTF8);
        try
        {
            Read(reader);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or DecoderFallbackException)
        {
            throw new InvalidDataException($"The merged drift state is corrupt: {e.Message}", e);
        }
    }

    private void Read(BinaryReader reader)
    {
        EventSchema schema = Encoder.Schema;
        int count = TableFormat.ReadCount(reader, 1 << 20);
        var progress = new List<((string, string) Key, SubjectProgress Progress, CountTable? Field, PairCountTable? Pair)>();
        for (int i = 0; i < count; i++)
        {
            string window = reader.ReadString();
            string subject = reader.ReadString();
            var p = new SubjectProgress { LastScoredEndMs = reader.ReadInt64(), FirstSeen = reader.ReadBoolean(), Recaptured = reader.ReadBoolean() };
            CountTable? field = null;
            PairCountTable? pair = null;
            if (reader.ReadBoolean())
            {
                p.Captured = (reader.ReadInt64(), reader.ReadInt64(), TableState.ReadNonNegative(reader, "reference event count"));
                (field, pair) = ReadReference(reader, subject);
            }

            progress.Add(((window, subject), p, field, pair));
        }

        string identity = reader.ReadString();
        List<TrackState> tracks = DriftStateCodec.ReadTracks(reader);
        if (reader.BaseStream.Position != reader.BaseStream.Length)
        {
            throw new InvalidDataException("Unexpected bytes follow the merged drift state.");
        }

        bool sameReferences = string.Equals(identity, ReferenceIdentity(), StringComparison.Ordinal);
        foreach (((string window, string subject) key, SubjectProgress p, CountTable? field, PairCountTable? pair) in progress)
        {
            bool known = schema.IndexOf(key.subject) >= 0 || schema.IndexOfPair(key.subject) >= 0;
            if (!known)
            {
                continue;
            }

            Forget((w, s) => w == key.window && s == key.subject);
            if (_baseline is null && (field is not null || pair is not null))
            {
                if (field is not null)
                {
                    _fieldReferences[key] = field;
                }
                else
                {
                    _pairReferences[key] = pair!;
                }
            }
            else
            {
                p.Captured = null;
            }

            _progress[key] = p;
        }

        if (sameReferences)
        {
            foreach (TrackState track in tracks)
            {
                Alerts.Import(track);
            }
        }

        Version++;
    }

    // A reference by value text, so that any instance (with its own ids) can read it.
    private void WriteReference(BinaryWriter w, string window, string subject)
    {
        EventSchema schema = Encoder.Schema;
        if (_fieldReferences.TryGetValue((window, subject), out CountTable? field))
        {
            ValueInterner values = Encoder.Values[schema.Fields.Select((f, i) => (f, i)).First(x => x.f.Name == subject).i];
            CountSpan counts = field.Counts;
            w.Write(false);
            w.Write(field.Distinct);
            for (int id = 0; id < counts.Length; id++)
            {
                if (counts[id] > 0)
                {
                    w.Write(values.GetString(id));
                    w.Write(counts[id]);
                }
            }
        }
        else
        {
            PairCountTable pair = _pairReferences[(window, subject)];
            int p = schema.Pairs.Select((q, i) => (q, i)).First(x => x.q.Key == subject).i;
            (int xf, int yf) = schema.PairIndexes(p);
            CountSpan counts = pair.Joint.Counts;
            w.Write(true);
            w.Write(pair.Joint.Distinct);
            for (int id = 0; id < counts.Length; id++)
            {
                if (counts[id] > 0)
                {
                    (int x, int y) = pair.Pairs.GetPair(id);
                    w.Write(Encoder.Values[xf].GetString(x));
                    w.Write(Encoder.Values[yf].GetString(y));
                    w.Write(counts[id]);
                }
            }
        }
    }

    private (CountTable? Field, PairCountTable? Pair) ReadReference(BinaryReader reader, string subject)
    {
        EventSchema schema = Encoder.Schema;
        bool isPair = reader.ReadBoolean();
        int n = TableFormat.ReadCount(reader, 1 << 28);
        // A discovered subject is learned again here (the engines found it before the restart).
        int index = isPair ? schema.FindOrDiscoverPair(subject) : schema.FindOrDiscover(subject);
        SyncGrowth();
        if (index < 0)
        {
            // Not configured here: read past it.
            for (int i = 0; i < n; i++)
            {
                _ = reader.ReadString();
                if (isPair)
                {
                    _ = reader.ReadString();
                }

                _ = reader.ReadInt64();
            }

            return (null, null);
        }

        if (!isPair)
        {
            var table = new CountTable();
            ValueInterner values = Encoder.Values[index];
            for (int i = 0; i < n; i++)
            {
                int id = values.GetOrAdd(reader.ReadString());
                table.Add(id, ReadPositive(reader));
            }

            return (table, null);
        }

        (int xf, int yf) = schema.PairIndexes(index);
        var pairTable = new PairCountTable(Encoder.Pairs[index]);
        for (int i = 0; i < n; i++)
        {
            int x = Encoder.Values[xf].GetOrAdd(reader.ReadString());
            int y = Encoder.Values[yf].GetOrAdd(reader.ReadString());
            pairTable.AddPairCount(pairTable.Pairs.GetOrAdd(x, y), ReadPositive(reader));
        }

        return (null, pairTable);

        static long ReadPositive(BinaryReader reader)
        {
            long count = reader.ReadInt64();
            return count > 0 ? count : throw new InvalidDataException($"A reference count is not positive ({count}).");
        }
    }

    private bool HasCaptured(string window, string subject) =>
        _fieldReferences.ContainsKey((window, subject)) || _pairReferences.ContainsKey((window, subject));

    private string ReferenceIdentity() => _baseline is null
        ? "captured"
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"baseline {_baselineFile!.Source} {_baseline.Events}");

    // Records that a closed window of the subject is being handled; false when it was handled already (read again
    // after a restart or a rebalance from the partials topic).
    private bool Admit(string window, string subject, long endMs, out SubjectProgress progress)
    {
        if (!_progress.TryGetValue((window, subject), out progress!))
        {
            _progress[(window, subject)] = progress = new SubjectProgress();
        }

        if (endMs <= progress.LastScoredEndMs)
        {
            return false;
        }

        progress.LastScoredEndMs = endMs;
        Version++;
        return true;
    }

    private static ReadOnlySpan<byte> Magic => "SEMD"u8;

    private const byte FormatVersion = 1;

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

    private sealed class SubjectProgress
    {
        /// <summary>The end of the newest closed window handled (scored, captured or skipped).</summary>
        public long LastScoredEndMs { get; set; } = long.MinValue;

        /// <summary>Whether a closed window of the subject has been seen (the first may have begun before the stream).</summary>
        public bool FirstSeen { get; set; }

        /// <summary>Whether the reference was dropped on purpose (the stream ran before the next window: it is complete).</summary>
        public bool Recaptured { get; set; }

        /// <summary>The start, end and event count of the captured reference's window.</summary>
        public (long StartMs, long EndMs, long Events)? Captured { get; set; }

        /// <summary>Tells whether the closed window handled now is complete, and records that a window was seen: the
        /// first one is not (unless after a re-capture).</summary>
        public bool Complete()
        {
            bool complete = FirstSeen || Recaptured;
            FirstSeen = true;
            return complete;
        }
    }

    private sealed class WindowScores
    {
        public long TimestampMs { get; set; } = long.MinValue;

        public long Events { get; set; }

        public Dictionary<string, FieldDrift> Fields { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, PairDrift> Pairs { get; } = new(StringComparer.Ordinal);
    }
}
