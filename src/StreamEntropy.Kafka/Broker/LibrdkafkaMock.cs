using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace StreamEntropy.Kafka.Broker;

/// <summary>
/// The few librdkafka C functions that Confluent.Kafka does not wrap: creating a bare client
/// handle and driving the mock cluster it owns (<c>rdkafka_mock.h</c>).
/// </summary>
/// <remarks>
/// The calls must go to the same librdkafka copy that Confluent.Kafka loaded. Confluent.Kafka
/// tries <c>librdkafka</c>, then the <c>centos8-</c> (glibc without libsasl2) and <c>alpine-</c>
/// (musl) builds shipped in librdkafka.redist, all through the normal native-asset probing; the
/// resolver below probes the same names in the same order after Confluent.Kafka has chosen, so it
/// lands on the library that is already loaded (dlopen of a loaded path returns the same handle).
/// Plain <see cref="DllImportAttribute"/> with blittable or explicitly marshalled arguments keeps
/// this project free of unsafe code.
/// </remarks>
internal static class LibrdkafkaMock
{
    private const string LibraryName = "librdkafka";

    /// <summary><c>RD_KAFKA_PRODUCER</c>: the owner handle never produces, it only hosts the cluster.</summary>
    internal const int ProducerType = 0;

    /// <summary><c>RD_KAFKA_CONF_OK</c>.</summary>
    internal const int ConfOk = 0;

    private static readonly string[] Candidates = ["librdkafka", "centos8-librdkafka", "alpine-librdkafka"];

    private static readonly Lock Gate = new();

    private static bool _resolverInstalled;

    /// <summary>Loads librdkafka through Confluent.Kafka and routes this assembly's imports to it.</summary>
    internal static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_resolverInstalled)
            {
                return;
            }

            // Let Confluent.Kafka pick the variant first (it throws with a useful message if none loads).
            Library.Load();
            NativeLibrary.SetDllImportResolver(typeof(LibrdkafkaMock).Assembly, Resolve);
            _resolverInstalled = true;
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != LibraryName)
        {
            return IntPtr.Zero; // not ours: default probing
        }

        foreach (string candidate in Candidates)
        {
            if (NativeLibrary.TryLoad(candidate, assembly, searchPath, out IntPtr handle))
            {
                return handle;
            }
        }

        return IntPtr.Zero;
    }

    [DllImport(LibraryName)]
    internal static extern IntPtr rd_kafka_conf_new();

    [DllImport(LibraryName)]
    internal static extern void rd_kafka_conf_destroy(IntPtr conf);

    [DllImport(LibraryName)]
    internal static extern int rd_kafka_conf_set(
        IntPtr conf,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string name,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string value,
        [Out] byte[] errstr,
        nuint errstrSize);

    /// <summary>Takes ownership of <paramref name="conf"/> on success only.</summary>
    [DllImport(LibraryName)]
    internal static extern MockClusterOwnerHandle rd_kafka_new(int type, IntPtr conf, [Out] byte[] errstr, nuint errstrSize);

    [DllImport(LibraryName)]
    internal static extern void rd_kafka_destroy(IntPtr rk);

    /// <summary>The mock cluster created by <c>test.mock.num.brokers</c>; owned by (and freed with) <paramref name="rk"/>.</summary>
    [DllImport(LibraryName)]
    internal static extern IntPtr rd_kafka_handle_mock_cluster(MockClusterOwnerHandle rk);

    /// <summary>Comma-separated <c>host:port</c> list; valid while the cluster lives.</summary>
    [DllImport(LibraryName)]
    internal static extern IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr mcluster);

    /// <returns>An <c>rd_kafka_resp_err_t</c>, numerically equal to <see cref="ErrorCode"/>.</returns>
    [DllImport(LibraryName)]
    internal static extern int rd_kafka_mock_topic_create(
        IntPtr mcluster,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string topic,
        int partitionCount,
        int replicationFactor);

    [DllImport(LibraryName)]
    internal static extern void rd_kafka_mock_group_initial_rebalance_delay_ms(IntPtr mcluster, int delayMs);

    /// <summary>Disconnects a mock broker and refuses new connections until <see cref="rd_kafka_mock_broker_set_up"/>.</summary>
    [DllImport(LibraryName)]
    internal static extern int rd_kafka_mock_broker_set_down(IntPtr mcluster, int brokerId);

    /// <summary>Lets a mock broker accept connections again.</summary>
    [DllImport(LibraryName)]
    internal static extern int rd_kafka_mock_broker_set_up(IntPtr mcluster, int brokerId);
}
