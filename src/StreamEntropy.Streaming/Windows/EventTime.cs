namespace StreamEntropy.Streaming.Windows;

/// <summary>Arithmetic on event times in milliseconds since the Unix epoch.</summary>
internal static class EventTime
{
    /// <summary>The earliest time a <see cref="DateTimeOffset"/> can hold, in Unix milliseconds.</summary>
    public static readonly long MinMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();

    /// <summary>The latest time a <see cref="DateTimeOffset"/> can hold, in Unix milliseconds.</summary>
    public static readonly long MaxMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>Clamps a timestamp into the range a <see cref="DateTimeOffset"/> can report.</summary>
    public static long Clamp(long ms) => Math.Clamp(ms, MinMs, MaxMs);

    /// <summary>Converts to a <see cref="DateTimeOffset"/>, clamping out-of-range values (such as a window end past year 9999).</summary>
    public static DateTimeOffset ToTime(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(Clamp(ms));

    /// <summary>⌊a / b⌋ for b &gt; 0, also for negative a (C#'s / truncates toward zero).</summary>
    public static long FloorDiv(long a, long b)
    {
        long q = a / b;
        return (a % b) < 0 ? q - 1 : q;
    }

    /// <summary>a mod b in [0, b) for b &gt; 0.</summary>
    public static int Mod(long a, int b)
    {
        long r = a % b;
        return (int)(r < 0 ? r + b : r);
    }
}
