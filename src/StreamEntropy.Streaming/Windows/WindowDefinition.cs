namespace StreamEntropy.Streaming.Windows;

/// <summary>One window to measure: its name in output, its kind and the durations that kind needs.</summary>
/// <param name="Name">The name used in output records and metrics; unique among the windows.</param>
/// <param name="Kind">How the window chooses its events.</param>
/// <param name="Size">The length of a tumbling or sliding window: a whole, positive number of milliseconds.</param>
/// <param name="Step">How far a sliding window advances at a time: a whole, positive number of milliseconds that divides <paramref name="Size"/>.</param>
/// <param name="HalfLife">The age at which an event of a decay window weighs half as much as a new one; positive.</param>
/// <remarks>Durations a kind does not use are ignored.</remarks>
public sealed record WindowDefinition(string Name, WindowKind Kind, TimeSpan? Size = null, TimeSpan? Step = null, TimeSpan? HalfLife = null)
{
    /// <summary>The largest number of panes (Size / Step) a sliding window may have; each pane holds a full set of tables.</summary>
    public const int MaxPanes = 10_000;

    /// <summary>Checks the definition on its own (uniqueness of names is checked by the engine).</summary>
    /// <exception cref="ArgumentException">A required duration is missing, not positive, not a whole number of
    /// milliseconds, or Step does not divide Size. The message names the window and the offending setting.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("A window's name is empty.", nameof(Name));
        }

        switch (Kind)
        {
            case WindowKind.Cumulative:
                break;
            case WindowKind.Tumbling:
                RequireWholeMilliseconds(Size, nameof(Size));
                break;
            case WindowKind.Sliding:
                long size = RequireWholeMilliseconds(Size, nameof(Size));
                long step = RequireWholeMilliseconds(Step, nameof(Step));
                if (step > size || size % step != 0)
                {
                    throw new ArgumentException($"Window '{Name}': Step {Step} must divide Size {Size}.", nameof(Step));
                }

                if (size / step > MaxPanes)
                {
                    throw new ArgumentException($"Window '{Name}': Size / Step is {size / step} panes; at most {MaxPanes} are allowed.", nameof(Step));
                }

                break;
            case WindowKind.Decay:
                if (HalfLife is not { } halfLife || halfLife <= TimeSpan.Zero)
                {
                    throw new ArgumentException($"Window '{Name}': HalfLife is required for a Decay window and must be positive.", nameof(HalfLife));
                }

                break;
            default:
                throw new ArgumentException($"Window '{Name}': unknown kind {Kind}.", nameof(Kind));
        }
    }

    /// <summary>Gets Size in milliseconds (0 when unset).</summary>
    internal long SizeMs => Size is { } s ? s.Ticks / TimeSpan.TicksPerMillisecond : 0;

    /// <summary>Gets Step in milliseconds (0 when unset).</summary>
    internal long StepMs => Step is { } s ? s.Ticks / TimeSpan.TicksPerMillisecond : 0;

    private long RequireWholeMilliseconds(TimeSpan? value, string setting)
    {
        if (value is not { } v || v <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Window '{Name}': {setting} is required for a {Kind} window and must be positive.", setting);
        }

        if (v.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentException($"Window '{Name}': {setting} {v} is not a whole number of milliseconds.", setting);
        }

        return v.Ticks / TimeSpan.TicksPerMillisecond;
    }
}
