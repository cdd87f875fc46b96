using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;

namespace StreamEntropy.Kafka.Broker;

/// <summary>
/// An in-process Kafka cluster for laptops and tests: librdkafka's built-in mock brokers, listening
/// on 127.0.0.1 and speaking the real Kafka protocol to any client, in this process or another.
/// </summary>
/// <remarks>
/// <para>
/// A bare librdkafka client created with <c>test.mock.num.brokers=N</c> owns the cluster; it is kept
/// alive until <see cref="Dispose"/>. No credentials, no TLS, loopback only. Measured with
/// librdkafka 2.16.0 (Confluent.Kafka 2.16.0):
/// </para>
/// <list type="bullet">
/// <item><description>Produce, fetch, list offsets, consumer groups (classic protocol), offset
/// commits and idempotent producers work. Start-up takes a few milliseconds.</description></item>
/// <item><description>Topics are auto-created with <see cref="AutoCreatedTopicPartitions"/> partitions
/// and replication factor min(3, brokers) on the first metadata or produce request that names them;
/// consumers do not auto-create, so a group subscribing to an unknown topic gets
/// <c>UnknownTopicOrPart</c> until something else creates it. librdkafka offers no setting for the
/// auto-create partition count; use <see cref="CreateTopic"/> for any other count.</description></item>
/// <item><description>The admin API's CreateTopics is not served: the admin client fails with
/// "Failed while waiting for controller: Local: Timed out" after its request timeout (CreatePartitions
/// did not complete either). <see cref="CreateTopic"/> calls the mock's own C API
/// (<c>rd_kafka_mock_topic_create</c>) instead.</description></item>
/// <item><description>Retention is per partition: about 5 MiB (wire size of the stored message sets)
/// or 100,000 message sets, whichever is reached first; older sets are dropped silently and the low
/// watermark moves up. Measured: 8,192 values of 1 KiB keep about 4,300; 120,000 single-message
/// batches of 1 byte keep about 76,000 (the size cap wins). Everything is in memory and lost on
/// <see cref="Dispose"/>.</description></item>
/// <item><description>The first join of a consumer group waits for the group's initial rebalance
/// delay: librdkafka's default is 3 s, like Apache Kafka's <c>group.initial.rebalance.delay.ms</c>
/// (measured: first assignment after ~3.2 s; with a zero delay ~0.15 s). See the
/// <c>groupInitialRebalanceDelay</c> parameter of <see cref="Start"/>. A member that rejoins after a
/// crash still waits for its session timeout (use <c>SessionTimeoutMs</c> ≈ 6000 in tests).</description></item>
/// </list>
/// </remarks>
public sealed class EmbeddedKafkaCluster : IDisposable
{
    /// <summary>The largest broker count <see cref="Start"/> accepts.</summary>
    public const int MaxBrokers = 16;

    /// <summary>Partition count of topics the mock cluster creates on first use (fixed inside librdkafka).</summary>
    public const int AutoCreatedTopicPartitions = 4;

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly MockClusterOwnerHandle _owner;
    private readonly IntPtr _mockCluster;
    private bool _disposed;

    private EmbeddedKafkaCluster(MockClusterOwnerHandle owner, IntPtr mockCluster, int brokerCount, string bootstrapServers)
    {
        _owner = owner;
        _mockCluster = mockCluster;
        BrokerCount = brokerCount;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>Gets the brokers' addresses as clients see them in metadata: <c>127.0.0.1:port</c>, comma-separated, ordered by broker id.</summary>
    public string BootstrapServers { get; }

    /// <summary>Gets the number of brokers.</summary>
    public int BrokerCount { get; }

    /// <summary>Starts a mock cluster and returns once its brokers answer a metadata request.</summary>
    /// <param name="brokers">Number of brokers, 1 to <see cref="MaxBrokers"/>.</param>
    /// <param name="groupInitialRebalanceDelay">How long a new consumer group waits for more members
    /// before its first assignment. <see langword="null"/> keeps librdkafka's default (3 s);
    /// tests pass <see cref="TimeSpan.Zero"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="brokers"/> or
    /// <paramref name="groupInitialRebalanceDelay"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">librdkafka refused to start the cluster or it did not answer.</exception>
    public static EmbeddedKafkaCluster Start(int brokers = 1, TimeSpan? groupInitialRebalanceDelay = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(brokers, MaxBrokers);
        if (groupInitialRebalanceDelay is { } delay)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero, nameof(groupInitialRebalanceDelay));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(delay, TimeSpan.FromMilliseconds(int.MaxValue), nameof(groupInitialRebalanceDelay));
        }

        LibrdkafkaMock.EnsureLoaded();
        MockClusterOwnerHandle owner = CreateOwner(brokers);
        try
        {
            IntPtr mockCluster = LibrdkafkaMock.rd_kafka_handle_mock_cluster(owner);
            if (mockCluster == IntPtr.Zero)
            {
                throw new InvalidOperationException("librdkafka created no mock cluster for test.mock.num.brokers.");
            }

            if (groupInitialRebalanceDelay is { } d)
            {
                LibrdkafkaMock.rd_kafka_mock_group_initial_rebalance_delay_ms(mockCluster, (int)d.TotalMilliseconds);
            }

            string announced = Marshal.PtrToStringUTF8(LibrdkafkaMock.rd_kafka_mock_cluster_bootstraps(mockCluster))
                ?? throw new InvalidOperationException("The mock cluster reported no bootstrap servers.");
            string bootstrapServers = ReadBrokersFromMetadata(announced, brokers);
            return new EmbeddedKafkaCluster(owner, mockCluster, brokers, bootstrapServers);
        }
        catch
        {
            owner.Dispose();
            throw;
        }
    }

    /// <summary>Creates a topic with an explicit partition count (the mock's own API; the admin CreateTopics request is not served).</summary>
    /// <param name="name">Topic name.</param>
    /// <param name="partitions">Partition count, at least 1.</param>
    /// <remarks>Replication factor is min(3, <see cref="BrokerCount"/>), as for auto-created topics.
    /// The topic is visible to clients as soon as this returns.</remarks>
    /// <exception cref="KafkaException">The topic exists already (<see cref="ErrorCode.TopicAlreadyExists"/>) or the mock refused it.</exception>
    /// <exception cref="ObjectDisposedException">The cluster has been disposed.</exception>
    public void CreateTopic(string name, int partitions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);

        int error;
        lock (_gate)
        {
            // Under the lock so Dispose cannot free the cluster while the call is in flight.
            ObjectDisposedException.ThrowIf(_disposed, this);
            error = LibrdkafkaMock.rd_kafka_mock_topic_create(_mockCluster, name, partitions, Math.Min(3, BrokerCount));
        }

        if (error != 0)
        {
            throw new KafkaException((ErrorCode)error);
        }
    }

    /// <summary>Takes broker <paramref name="brokerId"/> (1-based) down or brings it back up, to test a broker that goes away.</summary>
    /// <remarks>Down: its connections are closed and new ones refused; its partitions keep their leader (no failover).</remarks>
    /// <exception cref="KafkaException">The mock refused (for example an unknown broker id).</exception>
    public void SetBrokerAvailable(int brokerId, bool available)
    {
        int error;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            error = available
                ? LibrdkafkaMock.rd_kafka_mock_broker_set_up(_mockCluster, brokerId)
                : LibrdkafkaMock.rd_kafka_mock_broker_set_down(_mockCluster, brokerId);
        }

        if (error != 0)
        {
            throw new KafkaException((ErrorCode)error);
        }
    }

    /// <summary>Stops the brokers and frees everything they stored. Connected clients see their connections refused.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _owner.Dispose();
        }
    }

    private static MockClusterOwnerHandle CreateOwner(int brokers)
    {
        var errorText = new byte[512];
        IntPtr conf = LibrdkafkaMock.rd_kafka_conf_new();
        try
        {
            Set(conf, "test.mock.num.brokers", brokers.ToString(CultureInfo.InvariantCulture), errorText);

            // Level 4 (warning): hides the owner's notice that bootstrap.servers was replaced.
            Set(conf, "log_level", "4", errorText);
            Set(conf, "client.id", "stream-entropy-embedded-broker", errorText);
        }
        catch
        {
            LibrdkafkaMock.rd_kafka_conf_destroy(conf);
            throw;
        }

        MockClusterOwnerHandle owner = LibrdkafkaMock.rd_kafka_new(LibrdkafkaMock.ProducerType, conf, errorText, (nuint)errorText.Length);
        if (owner.IsInvalid)
        {
            owner.Dispose();
            LibrdkafkaMock.rd_kafka_conf_destroy(conf); // rd_kafka_new takes the conf only on success
            throw new InvalidOperationException("librdkafka could not start the mock cluster: " + ToText(errorText));
        }

        return owner;
    }

    private static void Set(IntPtr conf, string name, string value, byte[] errorText)
    {
        if (LibrdkafkaMock.rd_kafka_conf_set(conf, name, value, errorText, (nuint)errorText.Length) != LibrdkafkaMock.ConfOk)
        {
            throw new InvalidOperationException($"librdkafka rejected {name}={value}: {ToText(errorText)}");
        }
    }

    private static string ToText(byte[] nulTerminated)
    {
        int end = Array.IndexOf(nulTerminated, (byte)0);
        return Encoding.UTF8.GetString(nulTerminated, 0, end < 0 ? nulTerminated.Length : end);
    }

    /// <summary>
    /// Asks the cluster, over the wire, which brokers it has: proves the listeners answer before
    /// <see cref="Start"/> returns, and yields the addresses exactly as every client will see them.
    /// </summary>
    private static string ReadBrokersFromMetadata(string announced, int expectedBrokers)
    {
        var config = new AdminClientConfig { BootstrapServers = announced, ClientId = "stream-entropy-embedded-broker-probe" };
        using IAdminClient admin = new AdminClientBuilder(config).Build();
        Metadata metadata = admin.GetMetadata(ReadyTimeout);
        if (metadata.Brokers.Count != expectedBrokers)
        {
            throw new InvalidOperationException(
                $"The mock cluster reports {metadata.Brokers.Count} broker(s), expected {expectedBrokers}.");
        }

        return string.Join(',', metadata.Brokers
            .OrderBy(b => b.BrokerId)
            .Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Host}:{b.Port}")));
    }
}
