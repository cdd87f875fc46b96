using System.Diagnostics.CodeAnalysis;
using Confluent.Kafka;
using StreamEntropy.Kafka.State;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>How the partitions of the input are counted, saved and published: by this process alone
/// (<see cref="StandaloneMode"/>) or shared with the other members of the consumer group (<see cref="GroupMode"/>).</summary>
/// <remarks>
/// <para><see cref="EntropyPipeline"/> picks the mode once, when it is built, and its consume loop (polling, dead
/// letters, output records, health, timers, rebalance callbacks) talks only to this interface. A mode owns the
/// engines and their saved state; the pipeline owns the Kafka clients, the dead-letter writer and what a process
/// publishes.</para>
/// <para>Every member runs on the counting thread, the engines' only thread (rebalance callbacks, which run inside a poll
/// on the consume thread, reach the mode through <see cref="Handoff.Invoke{T}"/>), except where said otherwise.</para>
/// </remarks>
internal interface IPartitionMode
{
    /// <summary>Gets the topics to subscribe to.</summary>
    IReadOnlyList<string> Topics { get; }

    /// <summary>Gets how many events (counted and dead-lettered) the state restored by <see cref="Prepare"/> held, 0 without one.</summary>
    long RestoredEvents { get; }

    /// <summary>Restores what can be restored before the clients exist (called once, before <see cref="Start"/>).</summary>
    /// <exception cref="IOException">A saved state cannot be read.</exception>
    /// <exception cref="InvalidDataException">A saved state cannot be used.</exception>
    void Prepare();

    /// <summary>Starts with the pipeline's producer (used until the loop stops), before the consumer subscribes.</summary>
    /// <returns>The events about to be read again, whose dead letters an earlier life may have written; null for none yet.</returns>
    StateRestore? Start(IProducer<string?, byte[]> producer);

    /// <summary>Takes over newly assigned partitions.</summary>
    /// <param name="partitions">The partitions assigned.</param>
    /// <param name="replay">The events about to be read again, whose dead letters an earlier life may have written; null for none.</param>
    /// <returns>Where each partition starts.</returns>
    IReadOnlyList<TopicPartitionOffset> Assign(IReadOnlyList<TopicPartition> partitions, out StateRestore? replay);

    /// <summary>Hands over what the next owner of partitions about to be revoked needs, before their final save.</summary>
    void Revoking();

    /// <summary>Forgets revoked or lost partitions (their saved state stays for the next owner).</summary>
    void Revoke(IEnumerable<TopicPartition> partitions);

    /// <summary>Counts one consumed record, or takes it in when it is not an event (Group mode's partials). Runs on the
    /// counting thread, like every member that touches an engine.</summary>
    /// <param name="partition">The record's partition.</param>
    /// <param name="offset">The record's offset.</param>
    /// <param name="value">The record's value (empty for a tombstone), valid during the call only.</param>
    /// <param name="tombstone">Whether the record has no value.</param>
    /// <param name="timestampMs">The event's time (its Kafka timestamp or the clock's).</param>
    /// <param name="engine">The engine that counted it.</param>
    /// <param name="error">Why the event was rejected, or <see cref="DecodeError.None"/>.</param>
    /// <returns>True when the record was an event of a partition this mode counts (counted or rejected).</returns>
    bool TryCount(TopicPartition partition, long offset, ReadOnlySpan<byte> value, bool tombstone, long timestampMs, [NotNullWhen(true)] out EntropyEngine? engine, out DecodeError error);

    /// <summary>Counts records <paramref name="from"/> .. <paramref name="to"/> − 1 of <paramref name="batch"/>, a run of
    /// one partition (see <see cref="HandoffBatch.RunEnd"/>), exactly as one <see cref="TryCount"/> per record would, but
    /// with one <see cref="EntropyEngine.ProcessMany"/> for the run; or takes them in when they are not events.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="from">The first record.</param>
    /// <param name="to">The end of the run.</param>
    /// <param name="results">Gets each record's result from index 0 (when events).</param>
    /// <param name="details">Gets each rejected event's error detail from index 0.</param>
    /// <returns>True when the records were events of a partition this mode counts (counted or rejected), every one of
    /// them; the partition's next offset is then past the run.</returns>
    bool TryCountRun(HandoffBatch batch, int from, int to, Span<DecodeError> results, Span<string?> details);

    /// <summary>Moves every engine's watermark to <paramref name="nowMs"/> (processing time).</summary>
    void AdvanceTo(long nowMs);

    /// <summary>Captures the drift reference of <paramref name="window"/> again (see <see cref="EntropyPipeline.RecaptureAsync"/>).</summary>
    RecaptureOutcome Recapture(string window, long nowMs);

    /// <summary>Takes what closed since the last call: the windows to publish and the alerts raised.</summary>
    Publication TakeClosed();

    /// <summary>Takes a publication of the current state: the records to produce and the view of every window.</summary>
    Publication TakeCurrent();

    /// <summary>Gets the events counted and rejected since the process started.</summary>
    (long Processed, long Rejected) Totals();

    /// <summary>Gets, per field of the schema, how many events were counted without it since the process started.</summary>
    Dictionary<string, long> MissingTotals();

    /// <summary>Takes what discovery did since the last call, in every engine (see <see cref="EntropyEngine.TakeDiscoveryNotices"/>).</summary>
    IReadOnlyList<DiscoveryNotice> TakeDiscoveryNotices();

    /// <summary>Gets how many leaf values discovery refused since the process started (see <see cref="EntropyEngine.DiscoveryDropped"/>).</summary>
    long DiscoveryDropped();

    /// <summary>Gets the latest drift report of each scored window.</summary>
    IReadOnlyList<DriftReport> DriftReports();

    /// <summary>Gets the alerts raised now.</summary>
    IReadOnlyList<AlertEvent> ActiveAlerts();

    /// <summary>Gets the captured drift references.</summary>
    IReadOnlyList<DriftReference> DriftReferences();

    /// <summary>Gets the next offset to read of every partition that has read or restored one (crash tests).</summary>
    IEnumerable<(string Topic, int Partition, long Next)> NextOffsets();

    /// <summary>Saves the state; every dead letter of the events it covers is acknowledged.</summary>
    /// <param name="deadLetters">Where the dead letters of later events can start.</param>
    /// <param name="final">At the stop or a revocation: wait (bounded) for what must be durable, as offsets are stored
    /// now or never. Otherwise nothing waits for more than a moment.</param>
    SaveOutcome Save(DeadLetterProgress deadLetters, bool final);

    /// <summary>Gets a value indicating whether a save that <see cref="Save"/> began is not complete yet (periodic saves
    /// wait for it: the next interval saves a newer state).</summary>
    bool SaveInFlight { get; }

    /// <summary>Completes a save that <see cref="Save"/> left in flight, once the broker has answered or the file is
    /// written.</summary>
    SaveOutcome CompleteSave();
}
