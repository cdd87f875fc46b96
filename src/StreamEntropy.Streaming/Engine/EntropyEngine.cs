using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Partials;
using StreamEntropy.Streaming.State;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Engine;

/// <summary>Decodes JSON events, counts them into every configured window, closes windows as event time passes, and
/// saves and restores its whole state.</summary>
/// <remarks>
/// <para>Time is an argument: milliseconds since the Unix epoch, as passed to <see cref="Process"/> and
/// <see cref="AdvanceTo"/>; the engine reads no clock, starts no thread and never blocks. The watermark is the largest
/// time seen so far; windows close when it passes their end. Timestamps outside the range of
/// <see cref="DateTimeOffset"/> (years 1–9999) are clamped into it.</para>
/// <para>Per event: one decode, one encoding of every field to a value id (ids buffer reused), then one count per
/// window. Allocation-free once every value has been seen, except when a window closes (its snapshot).</para>
/// <para>Single writer: call everything from one thread (the consume loop). Snapshots are immutable and may be handed
/// to other threads.</para>
/// </remarks>
public sealed partial class EntropyEngine : IWindowCloseObserver
{
    private const long NoWatermark = long.MinValue;

    private readonly JsonEventDecoder _decoder;
    private readonly EntropyEstimator _estimator;
    private readonly WindowDefinition[] _definitions;
    private readonly string[] _configuration;
    private readonly int[] _slots; // each configured field's index in the decoder; −1 for a tuple (composed, not decoded)
    private readonly TupleComposer? _tuples;
    private int[] _ids; // by field: configured fields first (decoded or composed), then discovered ones
    private ulong[] _hashes;
    private long[] _missingTotals;
    private FieldDiscovery? _discovery;
    private int[] _leafFields = new int[32]; // per leaf of the event: its field, or −1
    private int[] _stamps = []; // per field: the last event (by Processed + 1) that set its id from a leaf
    private readonly List<DiscoveryNotice> _notices = [];
    private readonly List<WindowSnapshot> _closed = [];
    private readonly List<AlertEvent> _alerts = [];
    private readonly List<SubjectPartial> _partials = [];
    private (string Source, int Shard)? _partialSource;
    private readonly DriftSettings? _drift;
    private DriftMonitor? _monitor;
    private EventEncoder _encoder;
    private EntropyWindow[] _windows;
    private long _watermark = NoWatermark;
    private long _streamStart = NoWatermark; // the first time seen: a window that began before it is partial
    private readonly DictionaryLengths _dictionaryLengths = new(); // for the length of a state before it is built

    /// <summary>Creates an engine with empty windows.</summary>
    /// <param name="schema">The fields and pairs to measure.</param>
    /// <param name="windows">The windows, at least one, with distinct names.</param>
    /// <param name="estimator">The estimator of the snapshots (decay windows always use the plug-in estimator).</param>
    /// <param name="maxEventBytes">The longest event accepted; longer ones are rejected as <see cref="DecodeError.TooLarge"/>.</param>
    /// <param name="drift">Drift scoring and alerting of closed windows; null for none. Fields and pairs with a
    /// MaxDistinct budget are not scored (drift needs exact counts of every value).</param>
    /// <exception cref="ArgumentException">No windows, a repeated window name, or an invalid window definition; or a
    /// schema with MaxDistinct budgets combined with a decay window or with an estimator other than the plug-in (ml),
    /// which the bounded summaries do not support.</exception>
    public EntropyEngine(EventSchema schema, IReadOnlyList<WindowDefinition> windows, EntropyEstimator estimator, int maxEventBytes = 1 << 20, DriftSettings? drift = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(windows);
        if (!Enum.IsDefined(estimator))
        {
            throw new ArgumentOutOfRangeException(nameof(estimator), estimator, "Unknown estimator.");
        }

        if (windows.Count == 0)
        {
            throw new ArgumentException("At least one window is required.", nameof(windows));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < windows.Count; i++)
        {
            WindowDefinition w = windows[i] ?? throw new ArgumentException($"Windows[{i}] is null.", nameof(windows));
            w.Validate();
            if (!names.Add(w.Name))
            {
                throw new ArgumentException($"Windows[{i}]: the name '{w.Name}' is used by another window.", nameof(windows));
            }
        }

        schema = schema.HasRules ? EventSchema.Configured(schema) : schema; // this engine's own: it grows with discovery
        if (schema.HasBudgets || schema.Discovery.Any(r => r.MaxDistinct > 0))
        {
            if (!BudgetsSupport(estimator))
            {
                throw new ArgumentException($"MaxDistinct budgets support only the plug-in estimator (ml), not {estimator.ToName()}.", nameof(estimator));
            }

            if (windows.FirstOrDefault(w => !BudgetsSupport(w.Kind)) is { } decay)
            {
                throw new ArgumentException($"Window '{decay.Name}': decay windows do not support MaxDistinct budgets.", nameof(windows));
            }
        }

        Schema = schema;
        _estimator = estimator;
        _definitions = [.. windows];
        string[] paths = DecodedFieldTexts.DecodedPaths(schema, out _slots);
        _tuples = TupleComposer.For(schema);
        _decoder = new JsonEventDecoder(paths, maxEventBytes: maxEventBytes);
        _ids = new int[schema.Fields.Count];
        _hashes = new ulong[schema.Fields.Count];
        _missingTotals = new long[schema.Fields.Count];
        _configuration = DescribeConfiguration(schema, _definitions);
        drift?.Baseline?.EnsureCompatible(schema);
        _drift = drift;
        (_encoder, _windows) = CreateState(schema);
        _monitor = CreateMonitor(_encoder);
        _discovery = schema.Discovery.Count > 0 ? new FieldDiscovery(schema) : null;
        _dropsLate = _definitions.Any(d => d.Kind is WindowKind.Tumbling or WindowKind.Sliding);
    }

    /// <summary>Gets whether fields with a MaxDistinct budget can be measured with <paramref name="estimator"/>: the
    /// bounded summaries bracket only the plug-in estimator (ml).</summary>
    public static bool BudgetsSupport(EntropyEstimator estimator) => estimator == EntropyEstimator.MaximumLikelihood;

    /// <summary>Gets whether fields with a MaxDistinct budget can be counted in windows of <paramref name="kind"/>: the
    /// weighted counts of decay windows have no bounded summary.</summary>
    public static bool BudgetsSupport(WindowKind kind) => kind != WindowKind.Decay;

    /// <summary>Gets the alerts currently raised (empty without drift settings).</summary>
    public IReadOnlyList<AlertEvent> ActiveAlerts => _monitor?.Alerts.Active ?? [];

    /// <summary>Drains the alert raises and clears produced by windows closed since the last call.</summary>
    public IReadOnlyList<AlertEvent> TakeAlerts()
    {
        if (_alerts.Count == 0)
        {
            return [];
        }

        AlertEvent[] alerts = [.. _alerts];
        _alerts.Clear();
        return alerts;
    }

    /// <summary>Scores a closing window against its reference (on the engine's thread, before its counts are cleared).</summary>
    WindowSnapshot IWindowCloseObserver.OnClosed(WindowSnapshot snapshot, FrequencySet counts)
    {
        if (_monitor is null)
        {
            return snapshot;
        }

        // A window that began before the stream's first time (the first tumbling window, a sliding window's first
        // steps) covers only part of its span: it is scored, but never becomes a reference.
        long start = snapshot.Start?.ToUnixTimeMilliseconds() ?? long.MinValue;
        bool complete = snapshot.Start is not null && start >= _streamStart;
        DriftEvaluation evaluation = _monitor.OnWindowClosed(snapshot.Window, counts, start, snapshot.End.ToUnixTimeMilliseconds(), complete);
        _alerts.AddRange(evaluation.Alerts);
        return evaluation.Report is null ? snapshot : snapshot with { Drift = evaluation.Report };
    }

    private DriftMonitor? CreateMonitor(EventEncoder encoder) =>
        _drift is null ? null : new DriftMonitor(encoder, _drift.Rules, _drift.Scoring, _drift.Baseline);

    /// <summary>Describes the drift reference of every window that is scored (tumbling and sliding windows), in
    /// configuration order; empty without drift settings.</summary>
    public IReadOnlyList<DriftReference> DriftReferences()
    {
        if (_monitor is null)
        {
            return [];
        }

        var references = new List<DriftReference>();
        foreach (WindowDefinition d in _definitions)
        {
            if (d.Kind is WindowKind.Tumbling or WindowKind.Sliding)
            {
                references.Add(_monitor.DescribeReference(d.Name) ?? new DriftReference(d.Name, null, ReferenceOrigin.Pending, 0, null, null, null));
            }
        }

        return references;
    }

    /// <summary>Captures the drift reference of <paramref name="window"/> again: drops the captured one and the
    /// window's alert states (raised alerts are cleared, see <see cref="TakeAlerts"/>), so that the next complete closed
    /// window with enough events becomes the reference.</summary>
    /// <returns>What was done; nothing changes unless <see cref="RecaptureOutcome.Done"/>.</returns>
    public RecaptureOutcome RecaptureReference(string window)
    {
        ArgumentNullException.ThrowIfNull(window);
        WindowDefinition? definition = _definitions.FirstOrDefault(d => string.Equals(d.Name, window, StringComparison.Ordinal));
        if (definition is null)
        {
            return RecaptureOutcome.UnknownWindow;
        }

        if (_monitor is null || definition.Kind is not (WindowKind.Tumbling or WindowKind.Sliding))
        {
            return RecaptureOutcome.NotScored;
        }

        long now = _watermark == NoWatermark ? 0 : _watermark;
        RecaptureOutcome outcome = _monitor.Recapture(window, now, out IReadOnlyList<AlertEvent> cleared);
        _alerts.AddRange(cleared);
        return outcome;
    }

    /// <summary>From now on, every snapshot (current or closed) also copies its counts into partials of shard
    /// <paramref name="shard"/> of input <paramref name="source"/>, for <see cref="TakePartials"/>.</summary>
    /// <remarks>For scale-out: one engine counts each shard (for the Kafka worker: each instance of a consumer group runs
    /// one engine per partition it owns) and the engines exchange
    /// these partials: a cumulative window's counts, a tumbling window's counts per window start, and a sliding window's
    /// counts per pane (panes are aligned to the epoch, so they are the same on every shard, while the span of a
    /// shard's open sliding window depends on its own watermark). Decay windows have none: their weights depend
    /// on each engine's own landmark.</remarks>
    /// <exception cref="InvalidOperationException">A window is a decay window.</exception>
    public void CapturePartials(string source, int shard)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        if (_definitions.FirstOrDefault(d => d.Kind == WindowKind.Decay) is { } decay)
        {
            throw new InvalidOperationException($"Window '{decay.Name}': decay windows cannot be merged across partitions; partials need cumulative, tumbling or sliding windows.");
        }

        _partialSource = (source, shard);
        foreach (EntropyWindow window in _windows)
        {
            window.Described = OnDescribed;
        }
    }

    /// <summary>Drains the partials copied since the last call (see <see cref="CapturePartials"/>), oldest first.</summary>
    public IReadOnlyList<SubjectPartial> TakePartials()
    {
        if (_partials.Count == 0)
        {
            return [];
        }

        SubjectPartial[] partials = [.. _partials];
        _partials.Clear();
        return partials;
    }

    private void OnDescribed(WindowSnapshot snapshot, FrequencySet counts)
    {
        (string source, int shard) = _partialSource!.Value;
        PartialExtractor.Extract(source, shard, snapshot, counts, _partials);
    }

    /// <summary>Gets the fields and pairs measured. With discovery rules it is this engine's own copy of the configured
    /// schema, which grows as fields are found (replaced by <see cref="Restore"/>); its lists may be read from any thread.</summary>
    public EventSchema Schema { get; private set; }

    /// <summary>Gets how many leaf values were not counted because discovery refused their path (a rule's MaxFields
    /// reached, a path longer than <see cref="DiscoveryRule.MaxPathBytes"/>, or a name a configured field has); since
    /// this process started.</summary>
    public long DiscoveryDropped => _discovery?.Dropped ?? 0;

    /// <summary>Takes the notices of discovery since the last call: every field added, and the first refusal of each kind.</summary>
    public IReadOnlyList<DiscoveryNotice> TakeDiscoveryNotices()
    {
        if (_notices.Count == 0)
        {
            return [];
        }

        DiscoveryNotice[] notices = [.. _notices];
        _notices.Clear();
        return notices;
    }

    /// <summary>Gets the estimator of the snapshots.</summary>
    public EntropyEstimator Estimator => _estimator;

    /// <summary>Gets the window definitions, in order.</summary>
    public IReadOnlyList<WindowDefinition> Windows => _definitions;

    /// <summary>Gets why the last rejected event was rejected (empty after an accepted one).</summary>
    public string LastErrorDetail => _decoder.LastErrorDetail;

    /// <summary>Gets the number of events decoded and counted (late ones included).</summary>
    public long Processed { get; private set; }

    /// <summary>Gets the number of events rejected as malformed.</summary>
    public long Rejected { get; private set; }

    /// <summary>Gets the watermark: the largest time seen, in Unix milliseconds; <see cref="long.MinValue"/> before any.</summary>
    public long WatermarkMs => _watermark;

    /// <summary>Gets the encoder, whose dictionaries give the ids counted (for tests).</summary>
    internal EventEncoder Encoder => _encoder;

    /// <summary>Gets the windows' counts (for tests).</summary>
    internal IReadOnlyList<EntropyWindow> WindowStates => _windows;

    /// <summary>Gets how many accepted events lacked field <paramref name="field"/> since this process started
    /// (a counter for metrics; not part of the saved state).</summary>
    public long MissingTotal(int field) => _missingTotals[field];

    /// <summary>Adds, per field name, how many accepted events lacked the field since this process started (discovered
    /// fields from their discovery on) to <paramref name="totals"/>: engines of one process whose discovered fields
    /// have different indexes add up by name.</summary>
    public void AddMissingTotals(Dictionary<string, long> totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        IReadOnlyList<FieldDefinition> fields = Schema.Fields;
        for (int f = 0; f < fields.Count && f < _missingTotals.Length; f++)
        {
            totals[fields[f].Name] = totals.GetValueOrDefault(fields[f].Name) + _missingTotals[f];
        }
    }

    /// <summary>Decodes one event and counts it in every window.</summary>
    /// <param name="utf8Json">The event, a UTF-8 JSON object.</param>
    /// <param name="timestampMs">The event's time in Unix milliseconds; moves the watermark forward if later.</param>
    /// <returns><see cref="DecodeError.None"/>, or why the event was rejected; a rejected event counts nowhere and
    /// does not move the watermark (see <see cref="LastErrorDetail"/>).</returns>
    /// <remarks>A field that is absent or null counts as missing; a numeric field whose value is not a number counts
    /// as invalid for that field. Neither rejects the event.</remarks>
    // Part of the per-event path: compiled fully optimized at its first call instead of tiered (see "Per-event path
    // and tiering" in the Streaming README).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public DecodeError Process(ReadOnlySpan<byte> utf8Json, long timestampMs)
    {
        JsonEventDecoder decoder = _decoder;
        DecodeError error = decoder.Decode(utf8Json);
        if (error != DecodeError.None)
        {
            Rejected++;
            return error;
        }

        if (_discovery is not null)
        {
            FindDiscoveredFields(utf8Json);
        }

        int[] ids = _ids;
        ulong[] hashes = _hashes;
        EventEncoder encoder = _encoder;
        int[] slots = _slots;
        for (int f = 0; f < slots.Length; f++)
        {
            int slot = slots[f];
            if (slot < 0)
            {
                continue; // a tuple: composed below from its components
            }

            if (decoder.TryGetValue(slot, out ReadOnlySpan<byte> text))
            {
                ids[f] = encoder.Encode(f, text, out hashes[f]);
            }
            else
            {
                ids[f] = EventEncoder.Missing;
                _missingTotals[f]++;
            }
        }

        if (_tuples is not null)
        {
            EncodeTuples(_tuples, decoder, encoder);
        }

        if (_discovery is not null)
        {
            EncodeDiscoveredFields();
        }

        long t = EventTime.Clamp(timestampMs);
        if (t > _watermark)
        {
            MoveWatermark(t);
        }

        foreach (EntropyWindow window in _windows)
        {
            window.Add(ids, hashes, t);
        }

        Processed++;
        return DecodeError.None;
    }

    // Phase 1 of discovery, before any value of the event is encoded: maps each leaf to its field, adding fields (and
    // the pairs rules form with them) as paths are taken, so that every table and hash flag is in place for the event.
    private void FindDiscoveredFields(ReadOnlySpan<byte> utf8Json)
    {
        FieldDiscovery discovery = _discovery!;
        if (!discovery.Scan(utf8Json, _notices))
        {
            discovery.Leaves.Clear();
        }

        int fieldsBefore = Schema.Fields.Count;
        int pairsBefore = Schema.Pairs.Count;
        int leaves = discovery.Leaves.Count;
        if (_leafFields.Length < leaves)
        {
            Array.Resize(ref _leafFields, Math.Max(leaves, _leafFields.Length * 2));
        }

        for (int i = 0; i < leaves; i++)
        {
            _leafFields[i] = discovery.FieldOf(i, _notices);
        }

        if (Schema.Fields.Count != fieldsBefore || Schema.Pairs.Count != pairsBefore)
        {
            Grow(fieldsBefore, pairsBefore);
        }
    }

    // Phase 2: encodes the discovered fields' values. A repeated key gives its leaf twice: the last one counts (as the
    // decoder does for configured paths), so leaves are taken from the last, and a field already set is passed over.
    private void EncodeDiscoveredFields()
    {
        JsonLeafScanner leaves = _discovery!.Leaves;
        int stamp = (int)(Processed & int.MaxValue) + 1; // differs from the previous event's
        for (int i = leaves.Count - 1; i >= 0; i--)
        {
            int f = _leafFields[i];
            if (f < 0 || _stamps[f] == stamp)
            {
                continue;
            }

            _stamps[f] = stamp;
            _ids[f] = leaves.TryGetValue(i, out ReadOnlySpan<byte> text) ? _encoder.Encode(f, text, out _hashes[f]) : EventEncoder.Missing;
        }

        for (int f = _slots.Length; f < _ids.Length; f++)
        {
            if (_stamps[f] != stamp)
            {
                _ids[f] = EventEncoder.Missing; // not in this event: missing from its discovery on
            }

            if (_ids[f] == EventEncoder.Missing)
            {
                _missingTotals[f]++;
            }
        }
    }

    // The schema gained fields from `fieldsBefore` and pairs from `pairsBefore` on: every table follows.
    private void Grow(int fieldsBefore, int pairsBefore)
    {
        _encoder.Grow();
        foreach (EntropyWindow window in _windows)
        {
            window.Grow();
        }

        _monitor?.Grow(fieldsBefore, pairsBefore);
        int fields = Schema.Fields.Count;
        Array.Resize(ref _ids, fields);
        Array.Resize(ref _hashes, fields);
        Array.Resize(ref _missingTotals, fields);
        Array.Resize(ref _stamps, fields);
    }

    /// <summary>Moves the watermark to <paramref name="nowMs"/> if that is later, closing the windows that ends.</summary>
    /// <remarks>For idle streams and processing time; an earlier time is ignored.</remarks>
    public void AdvanceTo(long nowMs)
    {
        long t = EventTime.Clamp(nowMs);
        if (t > _watermark)
        {
            MoveWatermark(t);
        }
    }

    /// <summary>Takes the final snapshots of the windows closed so far, oldest first, and empties the queue.</summary>
    public IReadOnlyList<WindowSnapshot> TakeClosed()
    {
        if (_closed.Count == 0)
        {
            return [];
        }

        WindowSnapshot[] closed = [.. _closed];
        _closed.Clear();
        return closed;
    }

    /// <summary>Reports every window's current state at the watermark, in configuration order.</summary>
    public IReadOnlyList<WindowSnapshot> Snapshot()
    {
        var snapshots = new WindowSnapshot[_windows.Length];
        for (int i = 0; i < snapshots.Length; i++)
        {
            snapshots[i] = _windows[i].Snapshot(_watermark);
        }

        return snapshots;
    }

    /// <summary>Writes the full state: configuration, dictionaries, every window's counts, watermark and counters, and
    /// the drift monitor's captured references and alert states (streaks, raised alerts).</summary>
    /// <remarks>
    /// <para>The closed-window queue and undrained alert events are not saved: take them (and publish them) before saving.</para>
    /// <para>Saving rebuilds every table in the canonical form that a restore produces, so that the restored engine
    /// reports bit-for-bit the same numbers as this one from here on; that can change this engine's results in the last
    /// bits (the running sums are re-based exactly). O(distinct values) time; allocates the serialised state.</para>
    /// </remarks>
    public void Save(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        TakeState().WriteTo(destination);
    }

    /// <summary>Takes the state <see cref="Save"/> writes, at this point of the event sequence, leaving the building of
    /// its payload, its framing and SHA-256 to <see cref="TakenState.WriteTo"/>, which may run on another thread while
    /// this engine goes on.</summary>
    /// <remarks>What a save must do on the engine's thread: every table's counts are copied (an array copy) and put in
    /// canonical form here (see <see cref="Save"/>), and the dictionaries' sizes are noted. The O(size) part, writing
    /// the dictionaries and the (id, count) lists into the payload, is deferred to the taken state (see
    /// <c>State.StateWriter</c> and, for why the dictionaries may be read beside this engine's counting,
    /// <c>State.InternerState.Write</c>). Taking is O(distinct values) still, but in array copies and bulk table
    /// rebuilds; <see cref="TakenState.Length"/> is known at once.</remarks>
    public TakenState TakeState()
    {
        using var writer = new StateWriter();
        writer.Write(_configuration.Length);
        foreach (string line in _configuration)
        {
            writer.Write(line);
        }

        if (Schema.HasRules)
        {
            WriteDiscovered(writer); // only with rules, whose configuration lines older versions do not accept
        }

        writer.Write(_watermark);
        writer.Write(Processed);
        writer.Write(Rejected);
        InternerState.Write(writer, _encoder, _dictionaryLengths);

        // Since format 2. Between the interners (whose ids the references use) and the windows.
        writer.Write(_streamStart);
        writer.Write(_monitor is not null);
        _monitor?.Write(writer);
        foreach (EntropyWindow window in _windows)
        {
            writer.Write((byte)window.Definition.Kind);
            window.Write(writer);
        }

        return writer.Take();
    }

    /// <summary>Loads a state written by <see cref="Save"/> into this freshly constructed engine.</summary>
    /// <remarks>
    /// <para>Reads exactly the bytes <see cref="Save"/> wrote. The whole state is parsed and checked before anything
    /// is replaced, so on failure this engine is unchanged.</para>
    /// <para>Drift: captured references and alert states are restored (unless <see cref="DriftSettings.RecaptureOnStart"/>;
    /// a state saved without drift settings has none). A state of format 1 has none either: references are then
    /// captured afresh, and since the stream's first time is not in it, the window open at the restore counts as partial.</para>
    /// </remarks>
    /// <exception cref="InvalidDataException">The state was written for a different configuration (fields, paths, bin
    /// widths, pairs or windows; the message names the first difference), or is truncated, corrupt or of another format version.</exception>
    /// <exception cref="InvalidOperationException">This engine has already processed events or moved its watermark.</exception>
    public void Restore(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (Processed != 0 || Rejected != 0 || _watermark != NoWatermark || _closed.Count != 0)
        {
            throw new InvalidOperationException("Restore needs a freshly constructed engine; this one has already seen events or time.");
        }

        using MemoryStream payload = StateEnvelope.Read(source, out int version);
        using var reader = new BinaryReader(payload, Encoding.UTF8, leaveOpen: true);
        try
        {
            CheckConfiguration(reader);
            (EventSchema schema, FieldDiscovery? discovery) = Schema.HasRules ? ReadDiscovered(reader) : (Schema, null);
            long watermark = reader.ReadInt64();
            if (watermark != NoWatermark && (watermark < EventTime.MinMs || watermark > EventTime.MaxMs))
            {
                throw new InvalidDataException($"The watermark {watermark} is out of range.");
            }

            long processed = TableState.ReadNonNegative(reader, "processed count");
            long rejected = TableState.ReadNonNegative(reader, "rejected count");
            (EventEncoder encoder, EntropyWindow[] windows) = CreateState(schema);
            InternerState.Read(reader, encoder);
            var scratch = new List<(int Id, long Count)>();
            DriftMonitor? monitor = CreateMonitor(encoder);
            long streamStart = watermark; // format 1: unknown, so nothing open now is taken for complete
            if (version >= 2)
            {
                streamStart = reader.ReadInt64();
                if (streamStart != NoWatermark && (streamStart < EventTime.MinMs || streamStart > watermark))
                {
                    throw new InvalidDataException($"The stream's first time {streamStart} is out of range.");
                }

                if (reader.ReadBoolean())
                {
                    // Saved with drift settings: restored into this engine's monitor, or parsed and dropped when this
                    // engine scores no drift or is told to capture its references again.
                    (monitor ?? new DriftMonitor(encoder, [])).Read(reader, scratch, apply: monitor is not null && !_drift!.RecaptureOnStart);
                }
            }

            foreach (EntropyWindow window in windows)
            {
                byte kind = reader.ReadByte();
                if (kind != (byte)window.Definition.Kind)
                {
                    throw new InvalidDataException($"Window '{window.Definition.Name}' was saved as kind {kind}.");
                }

                window.Read(reader, scratch);
            }

            if (payload.Position != payload.Length)
            {
                throw new InvalidDataException($"{payload.Length - payload.Position} unexpected bytes follow the state.");
            }

            if (!ReferenceEquals(schema, Schema))
            {
                Schema = schema;
                _discovery = discovery;
                int fields = schema.Fields.Count;
                _ids = new int[fields];
                _hashes = new ulong[fields];
                _missingTotals = new long[fields];
                _stamps = new int[fields];
            }

            _encoder = encoder;
            _windows = windows;
            _monitor = monitor;
            _watermark = watermark;
            _streamStart = streamStart;
            Processed = processed;
            Rejected = rejected;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or OverflowException or InvalidOperationException or DecoderFallbackException)
        {
            throw new InvalidDataException($"The engine state is corrupt: {e.Message}", e);
        }
    }

    private void EncodeTuples(TupleComposer tuples, JsonEventDecoder decoder, EventEncoder encoder)
    {
        var texts = new DecodedFieldTexts(decoder, _slots);
        foreach (int t in tuples.Tuples)
        {
            int status = tuples.Compose(t, texts, out ReadOnlySpan<byte> value);
            _ids[t] = status == TupleComposer.Composed ? encoder.Encode(t, value, out _hashes[t]) : status;
            if (status == EventEncoder.Missing)
            {
                _missingTotals[t]++;
            }
        }
    }

    private void MoveWatermark(long t)
    {
        if (_watermark == NoWatermark)
        {
            _streamStart = t;
        }

        _watermark = t;
        foreach (EntropyWindow window in _windows)
        {
            window.Advance(t, _closed);
        }
    }

    // The fields found by discovery, in the order they were found, and the pairs rules formed after them: a restored
    // engine finds them again in that order, so every index is the same.
    private void WriteDiscovered(BinaryWriter writer)
    {
        writer.Write(Schema.Fields.Count - Schema.ConfiguredFieldCount);
        for (int f = Schema.ConfiguredFieldCount; f < Schema.Fields.Count; f++)
        {
            writer.Write(Schema.Fields[f].Name);
        }

        writer.Write(Schema.Pairs.Count - Schema.ConfiguredPairCount);
        for (int p = Schema.ConfiguredPairCount; p < Schema.Pairs.Count; p++)
        {
            writer.Write(Schema.Pairs[p].Key);
        }
    }

    private (EventSchema Schema, FieldDiscovery? Discovery) ReadDiscovered(BinaryReader reader)
    {
        EventSchema schema = EventSchema.Configured(Schema);
        FieldDiscovery? discovery = schema.Discovery.Count > 0 ? new FieldDiscovery(schema) : null;
        int fields = TableFormat.ReadCount(reader, DiscoveryRule.MaxMaxFields * Math.Max(1, schema.Discovery.Count));
        for (int i = 0; i < fields; i++)
        {
            string name = reader.ReadString();
            if (discovery?.Rediscover(name) != schema.ConfiguredFieldCount + i)
            {
                throw new InvalidDataException($"The discovered field '{name}' is not one this configuration's discovery rules take.");
            }
        }

        int pairs = TableFormat.ReadCount(reader, 1 << 24);
        if (pairs != schema.Pairs.Count - schema.ConfiguredPairCount)
        {
            throw new InvalidDataException($"The state has {pairs} pairs formed by rules where this configuration forms {schema.Pairs.Count - schema.ConfiguredPairCount}.");
        }

        for (int p = schema.ConfiguredPairCount; p < schema.Pairs.Count; p++)
        {
            string key = reader.ReadString();
            if (!string.Equals(key, schema.Pairs[p].Key, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"The state has the pair '{key}' where this configuration forms '{schema.Pairs[p].Key}'.");
            }
        }

        return (schema, discovery);
    }

    private (EventEncoder Encoder, EntropyWindow[] Windows) CreateState(EventSchema schema)
    {
        var encoder = new EventEncoder(schema);
        var windows = new EntropyWindow[_definitions.Length];
        for (int i = 0; i < windows.Length; i++)
        {
            WindowDefinition d = _definitions[i];
            windows[i] = d.Kind switch
            {
                WindowKind.Cumulative => new CumulativeWindow(d, encoder, _estimator),
                WindowKind.Tumbling => new TumblingWindow(d, encoder, _estimator),
                WindowKind.Sliding => new SlidingWindow(d, encoder, _estimator),
                WindowKind.Decay => new DecayWindow(d, encoder),
                _ => throw new InvalidOperationException($"Unknown window kind {d.Kind}."),
            };
            windows[i].CloseObserver = this;
            if (_partialSource is not null)
            {
                windows[i].Described = OnDescribed;
            }
        }

        return (encoder, windows);
    }

    private void CheckConfiguration(BinaryReader reader)
    {
        int count = TableFormat.ReadCount(reader, 1 << 20);
        var saved = new string[count];
        for (int i = 0; i < count; i++)
        {
            saved[i] = reader.ReadString();
        }

        for (int i = 0; i < Math.Max(count, _configuration.Length); i++)
        {
            string? was = i < count ? saved[i] : null;
            string? now = i < _configuration.Length ? _configuration[i] : null;
            if (!string.Equals(was, now, StringComparison.Ordinal))
            {
                throw new InvalidDataException(
                    "The engine state was written for a different configuration: " +
                    $"the saved state has {Quote(was)} where this engine has {Quote(now)}.");
            }
        }

        static string Quote(string? line) => line is null ? "nothing" : $"'{line}'";
    }

    // One line per field, pair and window: what the saved counts mean. The estimator and the event size limit are not
    // part of it, since they do not change what is counted.
    private static string[] DescribeConfiguration(EventSchema schema, WindowDefinition[] windows)
    {
        var lines = new List<string>();
        foreach (FieldDefinition f in schema.Fields.Take(schema.ConfiguredFieldCount))
        {
            if (f.Components is { } components)
            {
                // Only tuples have this form (their path is never read), so states without tuples keep their bytes.
                lines.Add($"field {f.Name} tuple={JsonSerializer.Serialize(components)}{Budget(f.MaxDistinct)}");
                continue;
            }

            string bin = f.BinWidth is double w ? w.ToString("R", CultureInfo.InvariantCulture) : "none";
            lines.Add($"field {f.Name} path={f.Path} binWidth={bin}{Budget(f.MaxDistinct)}");
        }

        for (int p = 0; p < schema.ConfiguredPairCount; p++)
        {
            lines.Add($"pair {schema.Pairs[p].Key}{Budget(schema.PairMaxDistinct(p))}");
        }

        // Rules only when there are any, so that the states of configurations without them read as before.
        lines.AddRange(schema.Discovery.Select(r => r.Describe()));
        lines.AddRange(schema.PairRules.Select(r => r.Describe()));

        foreach (WindowDefinition w in windows)
        {
            string line = w.Kind switch
            {
                WindowKind.Tumbling => $"window {w.Name} Tumbling size={w.SizeMs}ms",
                WindowKind.Sliding => $"window {w.Name} Sliding size={w.SizeMs}ms step={w.StepMs}ms",
                WindowKind.Decay => $"window {w.Name} Decay halfLife={w.HalfLife!.Value.Ticks.ToString(CultureInfo.InvariantCulture)}ticks",
                _ => $"window {w.Name} {w.Kind}",
            };
            lines.Add(line);
        }

        return [.. lines];

        // Budgets change what is saved (summaries instead of ids); unlimited adds nothing, so older states stay readable.
        static string Budget(int maxDistinct) =>
            maxDistinct > 0 ? string.Create(CultureInfo.InvariantCulture, $" maxDistinct={maxDistinct}") : "";
    }
}
