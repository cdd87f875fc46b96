using System.Diagnostics;
using Confluent.Kafka;
using StreamEntropy.Streaming.Demo;

namespace StreamEntropy.Worker.Demo;

/// <summary>Produces demo events at a steady rate and switches the drift on after a delay.</summary>
internal sealed class DemoProducer(string bootstrapServers, string topic, int eventsPerSecond, TimeSpan driftAfter, IDemoEvents? events = null)
{
    private long _produced;
    private int _drifted;

    public long Produced => Interlocked.Read(ref _produced);

    public bool Drifted => Volatile.Read(ref _drifted) == 1;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        IDemoEvents generator = events ?? new DemoEventGenerator(42);
        using IProducer<Null, byte[]> producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            LingerMs = 5,
        }).Build();
        var clock = Stopwatch.StartNew();
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!generator.Drifted && clock.Elapsed >= driftAfter)
            {
                generator.Drifted = true;
                Volatile.Write(ref _drifted, 1);
            }

            long due = (long)(clock.Elapsed.TotalSeconds * eventsPerSecond);
            while (Produced < due && !cancellationToken.IsCancellationRequested)
            {
                byte[] value = generator.NextEvent().ToArray();
                try
                {
                    producer.Produce(topic, new Message<Null, byte[]> { Value = value });
                    Interlocked.Increment(ref _produced);
                }
                catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(50));
                }
            }

            try
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        producer.Flush(TimeSpan.FromSeconds(5));
    }
}
