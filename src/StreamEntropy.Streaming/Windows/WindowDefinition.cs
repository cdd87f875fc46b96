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
    /// <exception cref="ArgumentException">The name is empty, a required duration is missing, not positive, not a whole
    /// number of milliseconds, or Step does not divide Size. The message names the window and the offending setting.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("A window's name is empty.", nameof(Name));
        }

        if (Validate(Kind, Size, Step, HalfLife, out string setting) is { } problem)
        {
            throw new ArgumentException($"Window '{Name}': {problem}", setting);
        }
    }

    /// <summary>Checks the durations a window of <paramref name="kind"/> needs: the one rule for the engine (through
    /// <see cref="Validate()"/>) and for configuration, which prefixes the window's key.</summary>
    /// <param name="kind">The window's kind.</param>
    /// <param name="size">The length of a tumbling or sliding window.</param>
    /// <param name="step">The step of a sliding window.</param>
    /// <param name="halfLife">The half-life of a decay window.</param>
    /// <param name="setting">The setting the problem is about (Size, Step, HalfLife or Kind); empty when there is none.</param>
    /// <returns>The problem, beginning with the setting's name; null when the durations are valid.</returns>
    public static string? Validate(WindowKind kind, TimeSpan? size, TimeSpan? step, TimeSpan? halfLife, out string setting)
    {
        switch (kind)
        {
            case WindowKind.Cumulative:
                break;
            case WindowKind.Tumbling:
                return WholeMilliseconds(kind, size, nameof(Size), out _, out setting);
            case WindowKind.Sliding:
                if (WholeMilliseconds(kind, size, nameof(Size), out long sizeMs, out setting) is { } sizeProblem)
                {
                    return sizeProblem;
                }

                if (WholeMilliseconds(kind, step, nameof(Step), out long stepMs, out setting) is { } stepProblem)
                {
                    return stepProblem;
                }

                setting = nameof(Step);
                if (stepMs > sizeMs || sizeMs % stepMs != 0)
                {
                    return $"Step {step} must divide Size {size}.";
                }

                if (sizeMs / stepMs > MaxPanes)
                {
                    return $"Step: Size / Step is {sizeMs / stepMs} panes; at most {MaxPanes} are allowed.";
                }

                break;
            case WindowKind.Decay:
                if (halfLife is not { } h || h <= TimeSpan.Zero)
                {
                    setting = nameof(HalfLife);
                    return "HalfLife is required for a Decay window and must be positive.";
                }

                break;
            default:
                setting = nameof(Kind);
                return $"Kind {kind} is unknown.";
        }

        setting = "";
        return null;
    }

    /// <summary>Gets Size in milliseconds (0 when unset).</summary>
    internal long SizeMs => Size is { } s ? s.Ticks / TimeSpan.TicksPerMillisecond : 0;

    /// <summary>Gets Step in milliseconds (0 when unset).</summary>
    internal long StepMs => Step is { } s ? s.Ticks / TimeSpan.TicksPerMillisecond : 0;

    private static string? WholeMilliseconds(WindowKind kind, TimeSpan? value, string name, out long milliseconds, out string setting)
    {
        setting = name;
        milliseconds = 0;
        if (value is not { } v || v <= TimeSpan.Zero)
        {
            return $"{name} is required for a {kind} window and must be positive.";
        }

        if (v.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            return $"{name} {v} is not a whole number of milliseconds.";
        }

        milliseconds = v.Ticks / TimeSpan.TicksPerMillisecond;
        setting = "";
        return null;
    }
}
