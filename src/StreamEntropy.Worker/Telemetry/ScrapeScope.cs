namespace StreamEntropy.Worker.Telemetry;

/// <summary>Holds <see cref="StreamEntropyMetrics"/>' snapshot pinned for one scrape; disposing it unpins.</summary>
internal sealed class ScrapeScope(StreamEntropyMetrics metrics) : IDisposable
{
    private int _disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            metrics.EndScrape();
        }
    }
}
