using Microsoft.Extensions.Options;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Worker.Options;

namespace StreamEntropy.Worker.Hosting;

/// <summary>Runs the <see cref="EntropyPipeline"/> on its own long-running thread for the life of the host.</summary>
/// <remarks>Consume blocks, so it must not run on a thread-pool thread nor inside ExecuteAsync's first await. If the
/// loop fails (a fatal Kafka error, an unusable checkpoint) the host is stopped with exit code 1.</remarks>
internal sealed class EntropyWorkerService(
    EntropyPipeline pipeline,
    IOptions<StreamEntropyOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<EntropyWorkerService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        StreamEntropyOptions o = options.Value;
        logger.Starting(
            o.Kafka.Topics,
            o.Kafka.BootstrapServers,
            o.Kafka.GroupId,
            o.Fields.Count,
            o.Pairs.Count,
            o.Windows.Count == 0 ? ["all"] : o.Windows.ConvertAll(w => w.Name));
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                pipeline.Run(stoppingToken);
                done.SetResult();
            }
#pragma warning disable CA1031 // the thread's last line of defence: any failure stops the host with a logged reason
            catch (Exception e)
#pragma warning restore CA1031
            {
                logger.LoopFailed(e);
                Environment.ExitCode = 1;
                lifetime.StopApplication();
                done.SetResult();
            }
        })
        {
            Name = "stream-entropy-consume",
            IsBackground = true,
        };
        thread.Start();
        return done.Task;
    }
}
