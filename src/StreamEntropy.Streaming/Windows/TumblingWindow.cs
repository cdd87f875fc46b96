using System.Diagnostics;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.State;

namespace StreamEntropy.Streaming.Windows;

/// <summary>Counts the events of the current aligned window [k·Size, (k+1)·Size); closes it when the watermark passes its end.</summary>
/// <remarks>On close, the final snapshot is queued (unless the window counted no event) and the tables are cleared for
/// reuse (bounded counts return to exact); the next window is the aligned one containing the watermark, so empty windows in a gap are skipped. An event
/// older than the current window's start is late: dropped and counted in <see cref="EntropyWindow.Late"/>.</remarks>
internal sealed class TumblingWindow : EntropyWindow
{
    private const long NotStarted = long.MinValue;

    private readonly long _sizeMs;
    private readonly FrequencySet _set;
    private long _start = NotStarted;

    public TumblingWindow(WindowDefinition definition, EventEncoder encoder, EntropyEstimator estimator)
        : base(definition, estimator)
    {
        _sizeMs = definition.SizeMs;
        _set = new FrequencySet(encoder);
    }

    /// <summary>Gets the counts of the current window.</summary>
    public FrequencySet Counts => _set;

    /// <inheritdoc/>
    public override void Grow() => _set.Grow();

    public override void Advance(long watermarkMs, List<WindowSnapshot> closed)
    {
        if (_start == NotStarted)
        {
            _start = Align(watermarkMs);
            return;
        }

        if (watermarkMs - _start >= _sizeMs)
        {
            if (_set.Events > 0)
            {
                closed.Add(Closing(Snapshot(isClosed: true), _set));
            }

            _set.Clear();
            _start = Align(watermarkMs);
        }
    }

    public override void Add(ReadOnlySpan<int> ids, ReadOnlySpan<ulong> hashes, long timestampMs)
    {
        Debug.Assert(_start != NotStarted && timestampMs - _start < _sizeMs, "Advance comes first");
        if (timestampMs < _start)
        {
            Late++;
            return;
        }

        _set.Add(ids, hashes);
    }

    /// <inheritdoc/>
    public override long NextAdvanceMs => _start == NotStarted ? long.MinValue : _start + _sizeMs;

    /// <inheritdoc/>
    public override bool Accepts(long timestampMs) => timestampMs >= _start;

    /// <inheritdoc/>
    public override void AddMany(in EncodedEvents events)
    {
        foreach (long t in events.Times)
        {
            if (t < _start)
            {
                base.AddMany(events); // some are late: event by event
                return;
            }
        }

        _set.AddMany(events);
    }

    public override WindowSnapshot Snapshot(long watermarkMs) =>
        _start == NotStarted
            ? Describe(_set, null, EventTime.ToTime(watermarkMs), closed: false)
            : Snapshot(isClosed: false);

    public override void Write(StateWriter writer)
    {
        writer.Write(_start);
        writer.Write(Late);
        TableState.Write(writer, _set);
    }

    public override void Read(BinaryReader reader, List<(int Id, long Count)> scratch)
    {
        long start = reader.ReadInt64();
        if (start != NotStarted && start != Align(start))
        {
            throw new InvalidDataException($"Window '{Definition.Name}': start {start} is not aligned to its size.");
        }

        _start = start;
        Late = TableState.ReadNonNegative(reader, "late count");
        TableState.Read(reader, _set, scratch);
    }

    private long Align(long ms) => EventTime.FloorDiv(ms, _sizeMs) * _sizeMs;

    private WindowSnapshot Snapshot(bool isClosed) =>
        Describe(_set, EventTime.ToTime(_start), EventTime.ToTime(_start + _sizeMs), isClosed);
}
