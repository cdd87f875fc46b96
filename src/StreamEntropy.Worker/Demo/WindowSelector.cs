namespace StreamEntropy.Worker.Demo;

/// <summary>Which window the demo's live view shows: it rotates every <c>rotateEvery</c>; a key stops the rotation
/// and picks a window (stepping or by number).</summary>
internal sealed class WindowSelector(TimeSpan rotateEvery)
{
    private int _chosen;
    private bool _manual;

    /// <summary>Steps by <paramref name="delta"/> windows and stops the rotation.</summary>
    public bool Step(int delta)
    {
        _chosen += delta;
        _manual = true;
        return true;
    }

    /// <summary>Picks window <paramref name="index"/> (0-based) and stops the rotation.</summary>
    public bool Pick(int index)
    {
        _chosen = index;
        _manual = true;
        return true;
    }

    /// <summary>The window to show now, 0 to <paramref name="windows"/> − 1 (0 when there are none).</summary>
    /// <param name="windows">How many windows the latest snapshot has.</param>
    /// <param name="nowMs">A millisecond clock (<see cref="Environment.TickCount64"/>).</param>
    public int Current(int windows, long nowMs)
    {
        if (windows <= 0)
        {
            return 0;
        }

        long index = _manual ? _chosen : nowMs / (long)rotateEvery.TotalMilliseconds;
        return (int)(((index % windows) + windows) % windows);
    }
}
