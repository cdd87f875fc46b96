using Microsoft.Win32.SafeHandles;

namespace StreamEntropy.Kafka.Broker;

/// <summary>
/// The <c>rd_kafka_t</c> that owns a mock cluster. Releasing it (<c>rd_kafka_destroy</c>) stops the
/// mock brokers, closes their sockets and frees every topic and offset they held.
/// </summary>
internal sealed class MockClusterOwnerHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public MockClusterOwnerHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        LibrdkafkaMock.rd_kafka_destroy(handle);
        return true;
    }
}
