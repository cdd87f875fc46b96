using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Partials;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Merging;

/// <summary>Keeps the latest partial of every input shard for each (window, field or pair) and merges them into
/// the global measures.</summary>
/// <remarks>
/// <para>Tumbling windows are matched by their start: the partials of one window instance merge. An instance is
/// closed once every input shard has passed it (the lowest watermark; see <see cref="ExpectSources"/>), or once
/// <see cref="InstancesKept"/> later windows exist, so that an idle or far-behind shard delays closing by a bounded
/// number of windows. A closed instance is published again as closed, scored for drift once, and evicted when more
/// than <see cref="InstancesKept"/> are held; a partial of an evicted window is late and ignored. Sliding windows keep
/// their live panes; cumulative windows have one instance.</para>
/// <para>Shards are merged in (source, shard) order, so the same partials give bit-identical results however
/// the shards were spread over engines. Single writer.</para>
/// </remarks>
public sealed class PartialMerger
{
    private readonly EventSchema _schema;
    private readonly EntropyEstimator _estimator;
    private readonly Dictionary<string, int> _fieldIndexes = new(StringComparer.Ordinal); // name → schema index
    private readonly Dictionary<string, int> _pairIndexes = new(StringComparer.Ordinal); // x,y → schema index
    private readonly Dictionary<(string Window, string Subject), SubjectState> _subjects = [];
    private readonly Dictionary<string, WindowDefinition> _sliding = new(StringComparer.Ordinal);
    private HashSet<(string Source, int Shard)>? _expected;

    /// <summary>Creates an empty merger for <paramref name="schema"/>.</summary>
    /// <param name="schema">The fields and pairs.</param>
    /// <param name="estimator">The estimator of the merged measures.</param>
    /// <param name="windows">The window definitions; needed to merge the panes of sliding windows.</param>
    /// <param name="instancesKept">How many closed tumbling windows are kept per subject, and how many later windows
    /// a shard that is behind or idle may hold a window open.</param>
    /// <param name="drift">Drift scoring of closed tumbling windows; null for none.</param>
    public PartialMerger(EventSchema schema, EntropyEstimator estimator, IReadOnlyList<WindowDefinition>? windows = null, int instancesKept = 3, DriftSettings? drift = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentOutOfRangeException.ThrowIfLessThan(instancesKept, 1);
        // With discovery rules the merger keeps its own copy, which learns the fields and pairs the engines found.
        _schema = schema.HasRules ? EventSchema.Configured(schema) : schema;
        _estimator = estimator;
        InstancesKept = instancesKept;
        SyncIndexes();

        foreach (WindowDefinition w in windows ?? [])
        {
            if (w.Kind == WindowKind.Sliding)
            {
                _sliding[w.Name] = w;
            }
        }

        Drift = drift is null ? null : new MergedDrift(_schema, drift);
    }

    // Indexes the fields and pairs the schema gained (discovered here, or by the drift scorer restoring its state).
    private void SyncIndexes()
    {
        for (int i = _fieldIndexes.Count; i < _schema.Fields.Count; i++)
        {
            _fieldIndexes[_schema.Fields[i].Name] = i;
        }

        for (int i = _pairIndexes.Count; i < _schema.Pairs.Count; i++)
        {
            _pairIndexes[_schema.Pairs[i].Key] = i;
        }

        Drift?.SyncGrowth();
    }

    /// <summary>Gets the drift scoring of the closed tumbling windows merged here; null without drift settings.</summary>
    public MergedDrift? Drift { get; }

    /// <summary>Gets how many closed tumbling windows are kept per subject, and how many windows a shard that is
    /// behind (or idle) may hold a window open.</summary>
    public int InstancesKept { get; }

    /// <summary>Gets the number of (window, subject) pairs held.</summary>
    public int SubjectCount => _subjects.Count;

    /// <summary>Takes <paramref name="partial"/> as the latest state of its shard.</summary>
    /// <param name="partial">The partial.</param>
    /// <param name="slot">Where it was read from (for the Kafka worker, the partials topic's partition), so that <see cref="Drop"/> can forget it.</param>
    /// <returns>False when the partial was ignored as late: its tumbling window was already closed, published and
    /// evicted, or its sliding pane is older than every live pane kept.</returns>
    /// <exception cref="InvalidDataException">The partial names a field, pair or sliding window this configuration does
    /// not have, or was counted with another MaxDistinct budget.</exception>
    public bool Accept(SubjectPartial partial, int slot)
    {
        ArgumentNullException.ThrowIfNull(partial);
        if (partial.Field is { } discovered && !_fieldIndexes.ContainsKey(discovered.Name))
        {
            _ = _schema.FindOrDiscover(discovered.Name); // a field an engine discovered
        }

        if (partial.Pair is { } formed && !_pairIndexes.ContainsKey(formed.Key))
        {
            _ = _schema.FindOrDiscoverPair(formed.Key); // a pair a rule formed there
        }

        SyncIndexes();
        if (partial.Field is { } f)
        {
            if (!_fieldIndexes.TryGetValue(f.Name, out int field))
            {
                throw new InvalidDataException($"The partial is of field '{f.Name}', which is not configured here (nor discovered: a discovered-fields entry's MaxFields may be reached).");
            }

            CheckBudget(f.Name, f.MaxDistinct, _schema.Fields[field].MaxDistinct);
        }

        if (partial.Pair is { } p)
        {
            if (!_pairIndexes.TryGetValue(p.Key, out int pair))
            {
                throw new InvalidDataException($"The partial is of pair '{p.Key}', which is not configured here.");
            }

            CheckBudget(p.Key, p.MaxDistinct, _schema.PairMaxDistinct(pair));
        }

        WindowDefinition? sliding = null;
        if (partial.Kind == WindowKind.Sliding && !_sliding.TryGetValue(partial.Window, out sliding))
        {
            throw new InvalidDataException($"The partial is of sliding window '{partial.Window}', which is not configured here.");
        }

        (string, string) key = (partial.Window, partial.Subject);
        if (!_subjects.TryGetValue(key, out SubjectState? state))
        {
            state = new SubjectState(sliding);
            _subjects[key] = state;
        }

        state.Slot = slot;
        long start = partial.Start?.ToUnixTimeMilliseconds() ?? long.MinValue;
        if (partial.Start is not null && start <= state.EvictedThrough)
        {
            return false; // that window was closed and published without this shard: its events are late
        }

        if (!state.Instances.TryGetValue(start, out WindowInstance? instance))
        {
            // A sliding window keeps its live panes and one more (a shard a step behind). Tumbling windows are
            // evicted once closed and published (TakeChanged).
            int panes = sliding is null ? int.MaxValue : (int)(sliding.SizeMs / sliding.StepMs) + 1;
            if (state.Instances.Count >= panes && start < state.Instances.Keys[0])
            {
                return false;
            }

            instance = new WindowInstance();
            state.Instances.Add(start, instance);
            while (state.Instances.Count > panes)
            {
                state.Instances.RemoveAt(0);
            }
        }

        (string, int) source = (partial.Source, partial.Shard);
        instance.Latest[source] = partial;
        instance.Dirty = true;
        state.NewestStart[source] = Math.Max(state.NewestStart.GetValueOrDefault(source, long.MinValue), start);
        return true;
    }

    /// <summary>Names every input shard, so that a tumbling window closes only once all of them have passed it
    /// (without this, the shards that have sent a partial of the subject so far).</summary>
    public void ExpectSources(IEnumerable<(string Source, int Shard)> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        _expected = [.. sources];
    }

    /// <summary>Forgets every subject last read from <paramref name="slot"/> (for the Kafka worker, its partials partition was revoked).</summary>
    public void Drop(int slot)
    {
        foreach (KeyValuePair<(string Window, string Subject), SubjectState> entry in _subjects.ToArray())
        {
            if (entry.Value.Slot == slot)
            {
                _subjects.Remove(entry.Key);
            }
        }
    }

    /// <summary>Forgets everything.</summary>
    public void Clear() => _subjects.Clear();

    /// <summary>Merges every window instance that received a partial since the last call: one snapshot with a single
    /// field or pair each, in no particular order.</summary>
    public IReadOnlyList<WindowSnapshot> TakeChanged()
    {
        var changed = new List<WindowSnapshot>();
        foreach (SubjectState state in _subjects.Values)
        {
            if (state.Sliding is { } sliding)
            {
                if (state.Instances.Values.Any(i => i.Dirty))
                {
                    state.SlidingMerged = MergePanes(state, sliding);
                    changed.Add(state.SlidingMerged);
                }

                continue;
            }

            for (int i = 0; i < state.Instances.Count; i++)
            {
                WindowInstance instance = state.Instances.Values[i];
                bool closed = IsClosed(state, i);
                if (closed != instance.Closed)
                {
                    instance.Closed = closed;
                    instance.Dirty = true; // published again, now closed
                }

                if (instance.Dirty)
                {
                    instance.Merged = Merge(Ordered(instance.Latest), closed, mayScore: !instance.Scored, out bool scored);
                    instance.Scored |= scored;
                    instance.Dirty = false;
                    changed.Add(instance.Merged);
                }
            }

            while (state.Instances.Count > InstancesKept && state.Instances.Values[0].Closed)
            {
                state.EvictedThrough = state.Instances.Keys[0];
                state.Instances.RemoveAt(0);
            }
        }

        return changed;
    }

    /// <summary>Gets, per window, the newest merged instance of every subject held: one snapshot per window with the
    /// subjects in schema order (only those this merger owns).</summary>
    public IReadOnlyList<WindowSnapshot> Current()
    {
        var newest = new Dictionary<string, List<WindowSnapshot>>(StringComparer.Ordinal);
        foreach (((string window, _), SubjectState state) in _subjects)
        {
            WindowSnapshot? merged = state.Sliding is null ? state.Instances.Values[^1].Merged : state.SlidingMerged;
            if (merged is null)
            {
                continue;
            }

            if (!newest.TryGetValue(window, out List<WindowSnapshot>? list))
            {
                newest[window] = list = [];
            }

            list.Add(merged);
        }

        var windows = new List<WindowSnapshot>(newest.Count);
        foreach (List<WindowSnapshot> parts in newest.Values)
        {
            DateTimeOffset? start = parts.Max(s => s.Start);
            List<WindowSnapshot> same = [.. parts.Where(s => s.Start == start)];
            var fields = same.SelectMany(s => s.Fields).OrderBy(r => _fieldIndexes[r.Name]).ToArray();
            var pairs = same.SelectMany(s => s.Pairs).OrderBy(r => _pairIndexes[r.Key]).ToArray();
            WindowSnapshot first = same[0];
            windows.Add(first with
            {
                End = same.Max(s => s.End),
                Closed = same.All(s => s.Closed),
                Events = same.Max(s => s.Events),
                Late = same.Max(s => s.Late),
                Shards = same.Max(s => s.Shards),
                Fields = fields,
                Pairs = pairs,
            });
        }

        return windows;
    }

    private static IEnumerable<SubjectPartial> Ordered(Dictionary<(string Source, int Shard), SubjectPartial> latest) =>
        latest.OrderBy(e => e.Key.Source, StringComparer.Ordinal).ThenBy(e => e.Key.Shard).Select(e => e.Value);

    // The sliding window that ends with the newest pane seen on any shard: the sum of the panes it covers, each
    // the merge of every shard's latest partial of that pane (oldest pane first, shards in order).
    private WindowSnapshot MergePanes(SubjectState state, WindowDefinition sliding)
    {
        long end = state.Instances.Keys[^1] + sliding.StepMs;
        long start = end - sliding.SizeMs;
        var parts = new List<SubjectPartial>();
        var late = new Dictionary<(string, int), long>();
        foreach ((long paneStart, WindowInstance pane) in state.Instances)
        {
            pane.Dirty = false;
            if (paneStart >= start)
            {
                parts.AddRange(Ordered(pane.Latest));
            }

            foreach (SubjectPartial p in pane.Latest.Values)
            {
                late[(p.Source, p.Shard)] = Math.Max(late.GetValueOrDefault((p.Source, p.Shard)), p.Late);
            }
        }

        WindowSnapshot merged = Merge(parts, closed: false, mayScore: false, out _);
        return merged with
        {
            Start = EventTime.ToTime(start),
            End = EventTime.ToTime(end),
            Closed = false,
            Late = late.Values.Sum(),
        };
    }

    // A tumbling window instance is closed when every input shard has passed it (its partial of the window is
    // closed, or it has sent one of a later window): the lowest of the shards' watermarks, as in other stream
    // processors. A shard that is far behind or idle holds it open for at most InstancesKept later windows.
    private bool IsClosed(SubjectState state, int index)
    {
        WindowInstance instance = state.Instances.Values[index];
        if (instance.Latest.Count == 0 || instance.Latest.Values.First().Kind != WindowKind.Tumbling)
        {
            return false;
        }

        if (state.Instances.Count - 1 - index >= InstancesKept)
        {
            return true;
        }

        long start = state.Instances.Keys[index];
        foreach ((string, int) source in (IEnumerable<(string, int)>?)_expected ?? state.NewestStart.Keys)
        {
            bool passed = (instance.Latest.TryGetValue(source, out SubjectPartial? p) && p.Closed)
                || state.NewestStart.GetValueOrDefault(source, long.MinValue) > start;
            if (!passed)
            {
                return false;
            }
        }

        return true;
    }

    // Merges one window instance's partials; the first time a closed tumbling window is merged (mayScore), its merged
    // counts are also scored for drift (scored).
    private WindowSnapshot Merge(IEnumerable<SubjectPartial> ordered, bool closed, bool mayScore, out bool scored)
    {
        SubjectPartial[] parts = [.. ordered];
        SubjectPartial first = parts[0];
        long events = 0;
        long late = 0;
        DateTimeOffset end = first.End;
        foreach (SubjectPartial part in parts)
        {
            events += part.Events;
            late += part.Late;
            end = part.End > end ? part.End : end;
        }

        scored = mayScore && Drift is not null && first.Kind == WindowKind.Tumbling && closed;
        (string Window, long StartMs, long EndMs, long Events)? score = scored ? (first.Window, first.Start?.ToUnixTimeMilliseconds() ?? long.MinValue, end.ToUnixTimeMilliseconds(), events) : null;
        IReadOnlyList<FieldResult> fields = [];
        IReadOnlyList<PairResult> pairs = [];
        if (first.Field is not null)
        {
            fields = [MergeField(parts, score)];
        }
        else
        {
            pairs = [MergePair(parts, score)];
        }

        int shards = parts.Select(p => (p.Source, p.Shard)).Distinct().Count();
        return new WindowSnapshot(first.Window, first.Kind, first.Start, end, closed, events, late, fields, pairs, _estimator.ToName())
        {
            Shards = shards,
        };
    }

    private static void CheckBudget(string subject, int partial, int configured)
    {
        if (partial != configured)
        {
            throw new InvalidDataException($"The partial of '{subject}' was counted with MaxDistinct {partial}; this configuration has {configured}.");
        }
    }

    private FieldResult MergeField(SubjectPartial[] parts, (string Window, long StartMs, long EndMs, long Events)? score)
    {
        int index = _fieldIndexes[parts[0].Field!.Name];
        FieldDefinition definition = _schema.Fields[index];
        if (definition.MaxDistinct > 0)
        {
            var merged = new BoundedCounts(definition.MaxDistinct);
            long missingTotal = 0;
            long invalidTotal = 0;
            foreach (SubjectPartial part in parts)
            {
                merged.Merge(PartialSummaries.ReadField(part.Field!.Summary!, definition.MaxDistinct));
                missingTotal += part.Field.Missing;
                invalidTotal += part.Field.Invalid;
            }

            return ResultCalculator.Field(definition, merged, missingTotal, invalidTotal, _estimator);
        }

        ValueInterner values = Drift?.Encoder.Values[index] ?? new ValueInterner(); // shared ids when drift compares tables
        var table = new CountTable();
        long missing = 0;
        long invalid = 0;
        foreach (SubjectPartial part in parts)
        {
            FieldPartial f = part.Field!;
            for (int i = 0; i < f.Counts.Count; i++)
            {
                table.Add(values.GetOrAdd(f.Values[i]), f.Counts[i]);
            }

            missing += f.Missing;
            invalid += f.Invalid;
        }

        if (score is { } s)
        {
            Drift!.FieldClosed(s.Window, s.StartMs, s.EndMs, s.Events, index, table);
        }

        return ResultCalculator.Field(definition, table, missing, invalid, _estimator);
    }

    private PairResult MergePair(SubjectPartial[] parts, (string Window, long StartMs, long EndMs, long Events)? score)
    {
        int index = _pairIndexes[parts[0].Pair!.Key];
        PairDefinition definition = _schema.Pairs[index];
        int budget = _schema.PairMaxDistinct(index);
        if (budget > 0)
        {
            var merged = new BoundedPairCounts(budget);
            foreach (SubjectPartial part in parts)
            {
                merged.Merge(PartialSummaries.ReadPair(part.Pair!.Summary!, budget));
            }

            return ResultCalculator.Pair(definition, merged);
        }

        (int xf, int yf) = _schema.PairIndexes(index);
        ValueInterner xs = Drift?.Encoder.Values[xf] ?? new ValueInterner();
        ValueInterner ys = Drift?.Encoder.Values[yf] ?? new ValueInterner();
        var table = new PairCountTable(Drift?.Encoder.Pairs[index] ?? new PairInterner());
        foreach (SubjectPartial part in parts)
        {
            PairPartial p = part.Pair!;
            for (int i = 0; i < p.Counts.Count; i++)
            {
                int id = table.Pairs.GetOrAdd(xs.GetOrAdd(p.XValues[i]), ys.GetOrAdd(p.YValues[i]));
                table.AddPairCount(id, p.Counts[i]);
            }
        }

        if (score is { } s)
        {
            Drift!.PairClosed(s.Window, s.StartMs, s.EndMs, s.Events, index, table);
        }

        return ResultCalculator.Pair(definition, table, _estimator);
    }

    private sealed class SubjectState(WindowDefinition? sliding)
    {
        public int Slot { get; set; }

        /// <summary>The sliding window's definition; null for cumulative and tumbling windows.</summary>
        public WindowDefinition? Sliding { get; } = sliding;

        /// <summary>The merge of the live panes (sliding windows).</summary>
        public WindowSnapshot? SlidingMerged { get; set; }

        /// <summary>The newest window start each shard has sent a partial of.</summary>
        public Dictionary<(string Source, int Shard), long> NewestStart { get; } = [];

        /// <summary>The start of the newest tumbling window evicted (closed and published); older partials are late.</summary>
        public long EvictedThrough { get; set; } = long.MinValue;

        public SortedList<long, WindowInstance> Instances { get; } = [];
    }

    private sealed class WindowInstance
    {
        public Dictionary<(string Source, int Shard), SubjectPartial> Latest { get; } = [];

        public bool Dirty { get; set; }

        /// <summary>Whether the window was closed when last merged.</summary>
        public bool Closed { get; set; }

        /// <summary>Whether the closed window has been scored for drift (once, the first time it is merged closed).</summary>
        public bool Scored { get; set; }

        public WindowSnapshot? Merged { get; set; }
    }
}
