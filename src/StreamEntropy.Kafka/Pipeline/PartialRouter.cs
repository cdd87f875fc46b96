using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using StreamEntropy.Core.Sketches;
using StreamEntropy.Streaming.Partials;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>Where Group mode's partials go: each (window, subject) to the partials partition chosen by a stable hash
/// of <c>group/window/subject</c>, keyed <c>group/window/subject/topic/partition</c>, so every input partition's partial
/// of one subject lands in one partials partition and the group member assigned that partition merges them.</summary>
/// <remarks>Partials that do not fit in the producer's queue (broker away for long) wait here, oldest first, for the
/// next round rather than drop a closed window's last partial; at most <see cref="MaxUnsent"/> wait. Single writer:
/// the consume thread.</remarks>
internal sealed class PartialRouter
{
    /// <summary>The most partials kept waiting; later partials of the same keys supersede the oldest ones dropped.</summary>
    public const int MaxUnsent = 100_000;

    private readonly string _groupId;
    private readonly string _topic;
    private readonly int _partitions;
    private readonly ILogger _logger;
    private readonly List<SubjectPartial> _unsent = [];

    /// <param name="groupId">The consumer group, the first part of every route.</param>
    /// <param name="topic">The partials topic.</param>
    /// <param name="partitions">The partition count of <paramref name="topic"/>.</param>
    /// <param name="logger">Where delivery failures are reported.</param>
    public PartialRouter(string groupId, string topic, int partitions, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitions);
        _groupId = groupId;
        _topic = topic;
        _partitions = partitions;
        _logger = logger;
    }

    /// <summary>Gets how many partials wait for room in the producer's queue.</summary>
    public int Unsent => _unsent.Count;

    /// <summary>Gets the partials partition that every partial of (<paramref name="window"/>, <paramref name="subject"/>) goes to.</summary>
    public int PartitionOf(string window, string subject) => PartitionOf(Route(window, subject));

    /// <summary>Sends <paramref name="partials"/> after the ones still waiting, oldest first; what the producer's queue
    /// refuses waits for the next call.</summary>
    public void Send(IProducer<string?, byte[]> producer, IEnumerable<SubjectPartial> partials)
    {
        _unsent.AddRange(partials);
        int sent = 0;
        for (; sent < _unsent.Count; sent++)
        {
            SubjectPartial partial = _unsent[sent];
            string route = Route(partial.Window, partial.Subject);
            var destination = new TopicPartition(_topic, new Partition(PartitionOf(route)));
            var message = new Message<string?, byte[]>
            {
                Key = $"{route}/{partial.Source}/{partial.Shard}",
                Value = PartialCodec.Write(partial),
            };
            try
            {
                producer.Produce(destination, message, OnDelivered);
            }
            catch (ProduceException<string?, byte[]> e)
            {
                _logger.DeliveryFailed(_topic, $"{e.Error.Reason}; {_unsent.Count - sent} partials wait for the next round");
                break;
            }
        }

        _unsent.RemoveRange(0, sent);
        if (_unsent.Count > MaxUnsent)
        {
            _unsent.RemoveRange(0, _unsent.Count - MaxUnsent);
        }
    }

    private string Route(string window, string subject) => $"{_groupId}/{window}/{subject}";

    private int PartitionOf(string route) => (int)(StableHash64.Hash(Encoding.UTF8.GetBytes(route)) % (ulong)_partitions);

    private void OnDelivered(DeliveryReport<string?, byte[]> report)
    {
        if (report.Error.IsError)
        {
            _logger.DeliveryFailed(_topic, report.Error.Reason);
        }
    }
}
