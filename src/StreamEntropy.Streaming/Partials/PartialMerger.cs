using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Profiling;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Partials;

/// <summary>Keeps the latest partial of every input partition for each (window, field or pair) and merges them into
/// the global measures.</summary>
/// <remarks>
/// <para>Tumbling windows are matched by their start: the partials of one window instance merge, and the
/// <see cref="InstancesKept"/> most recent instances of each (window, subject) are kept, so a partition that is a
/// little behind still lands in the right window. An instance is published as closed once every partition has closed
/// it or a later instance has begun on any partition (as a single instance's watermark would close it); partials a
/// lagging partition sends later still update it. Cumulative windows have one instance.</para>
/// <para>Sources are merged in (topic, partition) order, so the same partials give bit-identical results however
/// the partitions were spread over instances. Single writer.</para>
/// </remarks>
public sealed class PartialMerger
{
    private readonly EventSchema _schema;
    private readonly EntropyEstimator _estimator;
    private readonly Dictionary<string, FieldDefinition> _fields = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PairDefinition> _pairs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _pairBudgets = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Window, string Subject), SubjectState> _subjects = [];
    private readonly Dictionary<string, WindowDefinition> _sliding = new(StringComparer.Ordinal);

    /// <summary>Creates an empty merger for <paramref name="schema"/>.</summary>
    /// <param name="schema">The fields and pairs.</param>
    /// <param name="estimator">The estimator of the merged measures.</param>
    /// <param name="windows">The window definitions; needed to merge the panes of sliding windows.</param>
    /// <param name="instancesKept">How many starts of each tumbling window are kept per subject.</param>
    public PartialMerger(EventSchema schema, EntropyEstimator estimator, IReadOnlyList<WindowDefinition>? windows = null, int instancesKept = 3)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentOutOfRangeException.ThrowIfLessThan(instancesKept, 1);
        _schema = schema;
        _estimator = estimator;
        InstancesKept = instancesKept;
        foreach (FieldDefinition f in schema.Fields)
        {
            _fields[f.Name] = f;
        }

        for (int i = 0; i < schema.Pairs.Count; i++)
        {
            _pairs[schema.Pairs[i].Key] = schema.Pairs[i];
            _pairBudgets[schema.Pairs[i].Key] = schema.PairMaxDistinct(i);
        }

        foreach (WindowDefinition w in windows ?? [])
        {
            if (w.Kind == WindowKind.Sliding)
            {
                _sliding[w.Name] = w;
            }
        }
    }

    /// <summary>Gets how many window instances (starts) are kept per window and subject.</summary>
    public int InstancesKept { get; }

    /// <summary>Gets the number of (window, subject) pairs held.</summary>
    public int SubjectCount => _subjects.Count;

    /// <summary>Takes <paramref name="partial"/> as the latest state of its source partition.</summary>
    /// <param name="partial">The partial.</param>
    /// <param name="slot">Where it was read from (the partials partition), so that <see cref="Drop"/> can forget it.</param>
    /// <returns>False when the partial is older than every instance kept and was ignored.</returns>
    /// <exception cref="InvalidDataException">The partial names a field or pair this configuration does not have.</exception>
    public bool Accept(SubjectPartial partial, int slot)
    {
        ArgumentNullException.ThrowIfNull(partial);
        if (partial.Field is { } f)
        {
            if (!_fields.TryGetValue(f.Name, out FieldDefinition? definition))
            {
                throw new InvalidDataException($"The partial is of field '{f.Name}', which is not configured here.");
            }

            CheckBudget(f.Name, f.MaxDistinct, definition.MaxDistinct);
        }

        if (partial.Pair is { } p)
        {
            if (!_pairs.ContainsKey(p.Key))
            {
                throw new InvalidDataException($"The partial is of pair '{p.Key}', which is not configured here.");
            }

            CheckBudget(p.Key, p.MaxDistinct, _pairBudgets[p.Key]);
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
        if (!state.Instances.TryGetValue(start, out WindowInstance? instance))
        {
            // A sliding window keeps its live panes and one more (a partition a step behind); a tumbling window its
            // most recent starts.
            int kept = sliding is null ? InstancesKept : (int)(sliding.SizeMs / sliding.StepMs) + 1;
            if (state.Instances.Count >= kept && start < state.Instances.Keys[0])
            {
                return false;
            }

            instance = new WindowInstance();
            state.Instances.Add(start, instance);
            while (state.Instances.Count > kept)
            {
                state.Instances.RemoveAt(0);
            }

            // A later window has begun somewhere: the earlier ones are closed, as the watermark of a single instance
            // (the largest time seen on any partition) would have closed them. Publish them again as such.
            for (int i = 0; i < state.Instances.Count - 1; i++)
            {
                WindowInstance earlier = state.Instances.Values[i];
                earlier.Dirty |= !earlier.Superseded;
                earlier.Superseded = true;
            }
        }

        instance.Latest[(partial.SourceTopic, partial.SourcePartition)] = partial;
        instance.Dirty = true;
        return true;
    }

    /// <summary>Forgets every subject last read from <paramref name="slot"/> (its partials partition was revoked).</summary>
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

            foreach (WindowInstance instance in state.Instances.Values)
            {
                if (instance.Dirty)
                {
                    instance.Merged = Merge(Ordered(instance.Latest), instance.Superseded);
                    instance.Dirty = false;
                    changed.Add(instance.Merged);
                }
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
            var fields = same.SelectMany(s => s.Fields).OrderBy(r => FieldIndex(r.Name)).ToArray();
            var pairs = same.SelectMany(s => s.Pairs).OrderBy(r => PairIndex(r.Key)).ToArray();
            WindowSnapshot first = same[0];
            windows.Add(first with
            {
                End = same.Max(s => s.End),
                Closed = same.All(s => s.Closed),
                Events = same.Max(s => s.Events),
                Late = same.Max(s => s.Late),
                Fields = fields,
                Pairs = pairs,
            });
        }

        return windows;
    }

    private static IEnumerable<SubjectPartial> Ordered(Dictionary<(string Topic, int Partition), SubjectPartial> latest) =>
        latest.OrderBy(e => e.Key.Topic, StringComparer.Ordinal).ThenBy(e => e.Key.Partition).Select(e => e.Value);

    // The sliding window that ends with the newest pane seen on any partition: the sum of the panes it covers, each
    // the merge of every partition's latest partial of that pane (oldest pane first, partitions in order).
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
                late[(p.SourceTopic, p.SourcePartition)] = Math.Max(late.GetValueOrDefault((p.SourceTopic, p.SourcePartition)), p.Late);
            }
        }

        WindowSnapshot merged = Merge(parts, superseded: false);
        return merged with
        {
            Start = EventTime.ToTime(start),
            End = EventTime.ToTime(end),
            Closed = false,
            Late = late.Values.Sum(),
        };
    }

    private WindowSnapshot Merge(IEnumerable<SubjectPartial> ordered, bool superseded)
    {
        SubjectPartial[] parts = [.. ordered];
        SubjectPartial first = parts[0];
        long events = 0;
        long late = 0;
        bool closed = true; // every partition has closed it, or a later window has begun (superseded)
        DateTimeOffset end = first.End;
        foreach (SubjectPartial part in parts)
        {
            events += part.Events;
            late += part.Late;
            closed &= part.Closed;
            end = part.End > end ? part.End : end;
        }

        IReadOnlyList<FieldResult> fields = [];
        IReadOnlyList<PairResult> pairs = [];
        if (first.Field is not null)
        {
            fields = [MergeField(parts)];
        }
        else
        {
            pairs = [MergePair(parts)];
        }

        return new WindowSnapshot(first.Window, first.Kind, first.Start, end, closed || superseded, events, late, fields, pairs, _estimator.ToName());
    }

    private static void CheckBudget(string subject, int partial, int configured)
    {
        if (partial != configured)
        {
            throw new InvalidDataException($"The partial of '{subject}' was counted with MaxDistinct {partial}; this configuration has {configured}.");
        }
    }

    private FieldResult MergeField(SubjectPartial[] parts)
    {
        FieldDefinition definition = _fields[parts[0].Field!.Name];
        if (definition.MaxDistinct > 0)
        {
            var merged = new BudgetedCounts(definition.MaxDistinct);
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

        var values = new ValueInterner();
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

        return ResultCalculator.Field(definition, table, missing, invalid, _estimator);
    }

    private PairResult MergePair(SubjectPartial[] parts)
    {
        PairDefinition definition = _pairs[parts[0].Pair!.Key];
        int budget = _pairBudgets[definition.Key];
        if (budget > 0)
        {
            var merged = new BudgetedPairCounts(budget);
            foreach (SubjectPartial part in parts)
            {
                merged.Merge(PartialSummaries.ReadPair(part.Pair!.Summary!, budget));
            }

            return ResultCalculator.Pair(definition, merged);
        }

        var xs = new ValueInterner();
        var ys = new ValueInterner();
        var table = new PairCountTable(new PairInterner());
        foreach (SubjectPartial part in parts)
        {
            PairPartial p = part.Pair!;
            for (int i = 0; i < p.Counts.Count; i++)
            {
                int id = table.Pairs.GetOrAdd(xs.GetOrAdd(p.XValues[i]), ys.GetOrAdd(p.YValues[i]));
                table.AddPairCount(id, p.Counts[i]);
            }
        }

        return ResultCalculator.Pair(definition, table, _estimator);
    }

    private int FieldIndex(string name)
    {
        for (int i = 0; i < _schema.Fields.Count; i++)
        {
            if (_schema.Fields[i].Name == name)
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    private int PairIndex(string key)
    {
        for (int i = 0; i < _schema.Pairs.Count; i++)
        {
            if (_schema.Pairs[i].Key == key)
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    private sealed class SubjectState(WindowDefinition? sliding)
    {
        public int Slot { get; set; }

        /// <summary>The sliding window's definition; null for cumulative and tumbling windows.</summary>
        public WindowDefinition? Sliding { get; } = sliding;

        /// <summary>The merge of the live panes (sliding windows).</summary>
        public WindowSnapshot? SlidingMerged { get; set; }

        public SortedList<long, WindowInstance> Instances { get; } = [];
    }

    private sealed class WindowInstance
    {
        public Dictionary<(string Topic, int Partition), SubjectPartial> Latest { get; } = [];

        public bool Dirty { get; set; }

        /// <summary>Whether a later instance of the window has been seen.</summary>
        public bool Superseded { get; set; }

        public WindowSnapshot? Merged { get; set; }
    }
}
