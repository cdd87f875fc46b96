using System.Diagnostics;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.State;

namespace StreamEntropy.Streaming.Windows;

/// <summary>Counts the events of the last Size of event time, in panes of one Step each, aligned to the epoch.</summary>
/// <remarks>
/// <para>The window covers the Size/Step most recent panes, ending with the pane that contains the watermark:
/// [end − Size, end). Each pane has its own <see cref="FrequencySet"/> in a ring buffer; the aggregate set is kept
/// up to date as events arrive (each event goes to its pane and to the aggregate). When a pane expires its counts
/// are retracted from the aggregate in one pass and its tables are cleared and reused for a new pane, so the number
/// of panes never grows. Pane p lives in ring slot p mod (Size/Step); every slot outside the live range is empty.</para>
/// <para>Bounded counts (fields and pairs with a MaxDistinct budget) cannot be retracted, so they are kept per pane
/// only; whenever the window reports, the live panes' counts are merged, oldest first, into the aggregate
/// (<see cref="FrequencySet.RebuildBounded"/>): O(panes × budget) per report, and memory of panes × budget.</para>
/// <para>An event in a live pane is counted even if it arrives out of order; an older one is late (dropped, counted
/// in <see cref="EntropyWindow.Late"/>). Each time the watermark passes a step boundary, the window that ended there
/// is queued as closed (if it holds any event): a sliding window publishes once per step, like a hopping window.
/// A gap longer than Size closes at most Size/Step non-empty windows and skips the rest.</para>
/// </remarks>
internal sealed class SlidingWindow : EntropyWindow
{
    private const long NotStarted = long.MinValue;

    private readonly long _stepMs;
    private readonly int _paneCount;
    private readonly FrequencySet[] _panes;
    private readonly FrequencySet _aggregate;
    private long _current = NotStarted; // the pane index containing the watermark
    private readonly long[] _describedPane; // per ring slot: the pane last shown to Described, and its event count then
    private readonly long[] _describedEvents;

    public SlidingWindow(WindowDefinition definition, EventEncoder encoder, EntropyEstimator estimator)
        : base(definition, estimator)
    {
        _stepMs = definition.StepMs;
        _paneCount = checked((int)(definition.SizeMs / _stepMs));
        _panes = new FrequencySet[_paneCount];
        for (int i = 0; i < _panes.Length; i++)
        {
            _panes[i] = new FrequencySet(encoder);
        }

        _aggregate = new FrequencySet(encoder, countBoundedEvents: false);
        _describedPane = new long[_paneCount];
        _describedEvents = new long[_paneCount];
        Array.Fill(_describedPane, NotStarted);
    }

    /// <summary>Panes, not the whole window, are shown to <see cref="EntropyWindow.Described"/>: every live pane that
    /// changed since it was last shown, at each snapshot (a pane that expires has left every later window too). Panes are the same for every
    /// partition (aligned to the epoch), so they merge across partitions; the aggregate of one partition does not.</summary>
    protected override bool DescribesWholeWindow => false;

    /// <summary>Gets the counts of the whole window.</summary>
    public FrequencySet Counts => _aggregate;

    /// <inheritdoc/>
    public override void Grow()
    {
        foreach (FrequencySet pane in _panes)
        {
            pane.Grow();
        }

        _aggregate.Grow();
    }

    /// <summary>Gets the number of panes (fixed: Size / Step).</summary>
    public int PaneCount => _panes.Length;

    public override void Advance(long watermarkMs, List<WindowSnapshot> closed)
    {
        long target = EventTime.FloorDiv(watermarkMs, _stepMs);
        if (_current == NotStarted)
        {
            _current = target;
            return;
        }

        while (_current < target)
        {
            if (_aggregate.Events == 0)
            {
                _current = target; // every pane is empty: nothing to close or retract on the way
                break;
            }

            closed.Add(Closing(Snapshot(isClosed: true), _aggregate));
            FrequencySet expired = _panes[EventTime.Mod(_current + 1, _paneCount)]; // pane _current − count + 1
            if (expired.Events > 0)
            {
                _aggregate.Add(expired, -1);
                expired.Clear();
                if (_aggregate.Events == 0)
                {
                    _aggregate.Clear(); // start the next busy period from exact zero sums
                }
            }

            _current++;
        }
    }

    public override void Add(ReadOnlySpan<int> ids, ReadOnlySpan<ulong> hashes, long timestampMs)
    {
        long pane = EventTime.FloorDiv(timestampMs, _stepMs);
        Debug.Assert(_current != NotStarted && pane <= _current, "Advance comes first");
        if (pane <= _current - _paneCount)
        {
            Late++;
            return;
        }

        _panes[EventTime.Mod(pane, _paneCount)].Add(ids, hashes);
        _aggregate.Add(ids, hashes);
    }

    /// <inheritdoc/>
    public override long NextAdvanceMs => _current == NotStarted ? long.MinValue : (_current + 1) * _stepMs;

    /// <inheritdoc/>
    public override bool Accepts(long timestampMs) => EventTime.FloorDiv(timestampMs, _stepMs) > _current - _paneCount;

    /// <inheritdoc/>
    public override void AddMany(in EncodedEvents events)
    {
        // At once only when every event falls in one live pane (the usual case: time moves forward within a step);
        // otherwise event by event.
        ReadOnlySpan<long> times = events.Times;
        long pane = times.IsEmpty ? 0 : EventTime.FloorDiv(times[0], _stepMs);
        bool onePane = pane > _current - _paneCount;
        for (int r = 1; r < times.Length && onePane; r++)
        {
            onePane = EventTime.FloorDiv(times[r], _stepMs) == pane;
        }

        if (!onePane)
        {
            base.AddMany(events);
            return;
        }

        _panes[EventTime.Mod(pane, _paneCount)].AddMany(events);
        _aggregate.AddMany(events);
    }

    public override WindowSnapshot Snapshot(long watermarkMs)
    {
        if (_current == NotStarted)
        {
            return Describe(_aggregate, null, EventTime.ToTime(watermarkMs), closed: false);
        }

        if (Described is not null)
        {
            for (long pane = _current - _paneCount + 1; pane <= _current; pane++)
            {
                DescribePane(pane);
            }
        }

        return Snapshot(isClosed: false);
    }

    public override void Write(StateWriter writer)
    {
        writer.Write(_current);
        writer.Write(Late);
        if (_current == NotStarted)
        {
            return;
        }

        // Live panes oldest first; the aggregate is not written but rebuilt from them, here and when reading.
        for (long pane = _current - _paneCount + 1; pane <= _current; pane++)
        {
            TableState.Write(writer, _panes[EventTime.Mod(pane, _paneCount)]);
        }

        RebuildAggregate();
    }

    public override void Read(BinaryReader reader, List<(int Id, long Count)> scratch)
    {
        _current = reader.ReadInt64();
        Late = TableState.ReadNonNegative(reader, "late count");
        if (_current == NotStarted)
        {
            return;
        }

        if (_current < EventTime.FloorDiv(EventTime.MinMs, _stepMs) || _current > EventTime.FloorDiv(EventTime.MaxMs, _stepMs))
        {
            throw new InvalidDataException($"Window '{Definition.Name}': pane {_current} is out of range.");
        }

        for (long pane = _current - _paneCount + 1; pane <= _current; pane++)
        {
            TableState.Read(reader, _panes[EventTime.Mod(pane, _paneCount)], scratch);
        }

        RebuildAggregate();
        Array.Fill(_describedPane, NotStarted); // a restored window shows every pane again
    }

    // Sums the live panes, oldest first, into the aggregate: the same procedure after saving and after restoring,
    // so both engines hold bit-identical running sums.
    private void RebuildAggregate()
    {
        _aggregate.Clear();
        for (long pane = _current - _paneCount + 1; pane <= _current; pane++)
        {
            FrequencySet set = _panes[EventTime.Mod(pane, _paneCount)];
            if (set.Events > 0)
            {
                _aggregate.Add(set);
            }
        }
    }

    // Shows one live pane to Described if it holds events it did not have when last shown. Only the header of the
    // snapshot is filled (no measures are computed for a pane).
    private void DescribePane(long pane)
    {
        int slot = EventTime.Mod(pane, _paneCount);
        FrequencySet set = _panes[slot];
        // The current pane is shown even when empty: it tells where this partition's window ends.
        if (Described is null || (set.Events == 0 && pane != _current) || (_describedPane[slot] == pane && _describedEvents[slot] == set.Events))
        {
            return;
        }

        var header = new WindowSnapshot(
            Definition.Name,
            Definition.Kind,
            EventTime.ToTime(pane * _stepMs),
            EventTime.ToTime((pane + 1) * _stepMs),
            pane < _current,
            set.Events,
            Late,
            [],
            [],
            Estimator.ToName());
        Described(header, set);
        _describedPane[slot] = pane;
        _describedEvents[slot] = set.Events;
    }

    private IEnumerable<FrequencySet> LivePanes()
    {
        for (long pane = _current - _paneCount + 1; pane <= _current; pane++)
        {
            yield return _panes[EventTime.Mod(pane, _paneCount)];
        }
    }

    private WindowSnapshot Snapshot(bool isClosed)
    {
        if (_aggregate.Encoder.Schema.HasBudgets) // may turn true when a discovered field with a budget is added
        {
            _aggregate.RebuildBounded(LivePanes());
        }

        return Describe(_aggregate, EventTime.ToTime((_current - _paneCount + 1) * _stepMs), EventTime.ToTime((_current + 1) * _stepMs), isClosed);
    }
}
