using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.State;

namespace StreamEntropy.Streaming.Windows;

/// <summary>The counts of one configured window, fed encoded events by the engine.</summary>
/// <remarks>
/// The engine keeps the order of calls: <see cref="Advance"/> whenever the watermark moves forward, then
/// <see cref="Add(ReadOnlySpan{int}, ReadOnlySpan{ulong}, long)"/> with a timestamp at or before the watermark. One virtual call per window per event; the
/// tables underneath are sealed classes. Single writer.
/// </remarks>
internal abstract class EntropyWindow
{
    protected EntropyWindow(WindowDefinition definition, EntropyEstimator estimator)
    {
        Definition = definition;
        Estimator = estimator;
    }

    /// <summary>Gets the window's definition.</summary>
    public WindowDefinition Definition { get; }

    /// <summary>Gets the estimator used for snapshots (decay windows use the plug-in whatever is set here).</summary>
    public EntropyEstimator Estimator { get; }

    /// <summary>Gets the number of events dropped because they were older than the window's live range.</summary>
    public long Late { get; protected set; }

    /// <summary>Gets or sets who sees the counts of each closing window (null: nobody).</summary>
    public IWindowCloseObserver? CloseObserver { get; set; }

    /// <summary>Gets or sets who sees the counts behind every snapshot this window describes, current or closed
    /// (null: nobody); called before the counts change again. A sliding window shows its panes instead.</summary>
    public Action<WindowSnapshot, FrequencySet>? Described { get; set; }

    /// <summary>Gets whether <see cref="Described"/> sees the whole window's counts at each snapshot (else the
    /// window calls it for parts of itself).</summary>
    protected virtual bool DescribesWholeWindow => true;

    /// <summary>Moves the window to the watermark <paramref name="watermarkMs"/> (never backwards), queueing the
    /// final snapshots of windows it closes.</summary>
    public abstract void Advance(long watermarkMs, List<WindowSnapshot> closed);

    /// <summary>Counts one encoded event with timestamp <paramref name="timestampMs"/> ≤ the watermark.</summary>
    /// <param name="ids">The value ids by field (see <see cref="FrequencySet.Add(ReadOnlySpan{int}, ReadOnlySpan{ulong})"/>).</param>
    /// <param name="hashes">The value hashes by field; may be empty when the schema has no budgets.</param>
    /// <param name="timestampMs">The event's time.</param>
    public abstract void Add(ReadOnlySpan<int> ids, ReadOnlySpan<ulong> hashes, long timestampMs);

    /// <summary>Gets the smallest watermark at which <see cref="Advance"/> would change this window (close it, move
    /// it, or start it); below it, moving the watermark changes nothing here. The engine's batch path counts a run of
    /// events at once only while the watermark stays below it.</summary>
    public virtual long NextAdvanceMs => long.MinValue;

    /// <summary>Gets whether an event at <paramref name="timestampMs"/> (at or before the watermark) would be counted
    /// now rather than dropped as late.</summary>
    public virtual bool Accepts(long timestampMs) => true;

    /// <summary>Counts a run of encoded events, in order, with no <see cref="Advance"/> due among them: the same as
    /// one <see cref="Add(ReadOnlySpan{int}, ReadOnlySpan{ulong}, long)"/> per event.</summary>
    public virtual void AddMany(in EncodedEvents events)
    {
        for (int r = 0; r < events.Count; r++)
        {
            Add(events.IdsOf(r), events.HashesOf(r), events.Times[r]);
        }
    }

    /// <summary>Counts one encoded event of a schema without budgets.</summary>
    public void Add(ReadOnlySpan<int> ids, long timestampMs) => Add(ids, default, timestampMs);

    /// <summary>Adds empty tables for the fields and pairs the schema gained (discovered fields), in every set the
    /// window holds.</summary>
    public abstract void Grow();

    /// <summary>Reports the current state at the watermark.</summary>
    public abstract WindowSnapshot Snapshot(long watermarkMs);

    /// <summary>Writes the window's state and puts its tables in the canonical form a restored window has.</summary>
    public abstract void Write(StateWriter writer);

    /// <summary>Reads the state into this freshly built window.</summary>
    /// <exception cref="InvalidDataException">The state is inconsistent.</exception>
    public abstract void Read(BinaryReader reader, List<(int Id, long Count)> scratch);

    /// <summary>Lets the observer see a closing window's counts; returns the snapshot to publish.</summary>
    protected WindowSnapshot Closing(WindowSnapshot snapshot, FrequencySet counts) =>
        CloseObserver?.OnClosed(snapshot, counts) ?? snapshot;

    /// <summary>Describes counts over [<paramref name="start"/>, <paramref name="end"/>): what every counted window reports.</summary>
    protected WindowSnapshot Describe(FrequencySet counts, DateTimeOffset? start, DateTimeOffset end, bool closed)
    {
        var snapshot = new WindowSnapshot(
            Definition.Name,
            Definition.Kind,
            start,
            end,
            closed,
            counts.Events,
            Late,
            ResultCalculator.Fields(counts, Estimator),
            ResultCalculator.Pairs(counts, Estimator),
            Estimator.ToName());
        if (DescribesWholeWindow)
        {
            Described?.Invoke(snapshot, counts);
        }

        return snapshot;
    }
}
