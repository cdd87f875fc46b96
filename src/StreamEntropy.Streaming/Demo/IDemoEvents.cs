namespace StreamEntropy.Streaming.Demo;

/// <summary>A source of demo events with a drift that can be switched on.</summary>
public interface IDemoEvents
{
    /// <summary>Gets or sets a value indicating whether the drift is on.</summary>
    bool Drifted { get; set; }

    /// <summary>Writes the next event as UTF-8 and returns it; the span is valid until the next call.</summary>
    ReadOnlySpan<byte> NextEvent();
}
