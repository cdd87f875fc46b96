using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.State;

namespace StreamEntropy.Streaming.Windows;

/// <summary>Counts every event since the start; never closes.</summary>
internal sealed class CumulativeWindow : EntropyWindow
{
    private readonly FrequencySet _set;

    public CumulativeWindow(WindowDefinition definition, EventEncoder encoder, EntropyEstimator estimator)
        : base(definition, estimator)
    {
        _set = new FrequencySet(encoder);
    }

    /// <summary>Gets the counts.</summary>
    public FrequencySet Counts => _set;

    /// <inheritdoc/>
    public override void Grow() => _set.Grow();

    public override void Advance(long watermarkMs, List<WindowSnapshot> closed)
    {
    }

    public override void Add(ReadOnlySpan<int> ids, ReadOnlySpan<ulong> hashes, long timestampMs) => _set.Add(ids, hashes);

    /// <inheritdoc/>
    public override long NextAdvanceMs => long.MaxValue;

    /// <inheritdoc/>
    public override void AddMany(in EncodedEvents events) => _set.AddMany(events);

    public override WindowSnapshot Snapshot(long watermarkMs) =>
        Describe(_set, null, EventTime.ToTime(watermarkMs), closed: false);

    public override void Write(StateWriter writer) => TableState.Write(writer, _set);

    public override void Read(BinaryReader reader, List<(int Id, long Count)> scratch) => TableState.Read(reader, _set, scratch);
}
