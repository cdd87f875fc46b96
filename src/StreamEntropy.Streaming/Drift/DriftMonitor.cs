using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Drift;

/// <summary>Keeps a reference per window configuration, scores each closed window against it, and evaluates the
/// alert rules.</summary>
/// <remarks>
/// <para>The reference is a baseline file's counts when one is given (one reference for every window), else the
/// first closed window of each configuration with at least <see cref="DriftOptions.MinimumReferenceEvents"/> events.</para>
/// <para>Everything here reads and writes the encoder's interners and the windows' tables, which have a single
/// writer: call it on the thread that counts, when a window closes and before its tables are cleared for reuse.
/// Pure otherwise: no clock (time is an argument), no I/O, no logging.</para>
/// </remarks>
public sealed class DriftMonitor
{
    private readonly EventEncoder _encoder;
    private readonly FrequencySet? _baseline;
    private readonly Dictionary<string, FrequencySet> _references = new(StringComparer.Ordinal);

    /// <summary>Creates a monitor.</summary>
    /// <param name="encoder">The live encoder whose ids the windows count.</param>
    /// <param name="rules">The alert rules; <see cref="AlertRule.Defaults"/> when none are configured.</param>
    /// <param name="options">How to score; null for the defaults.</param>
    /// <param name="baseline">A reference for every window, or null to take each window's first closed window.</param>
    /// <exception cref="BaselineMismatchException">The baseline does not describe the encoder's fields and pairs.</exception>
    /// <exception cref="ArgumentException">A rule or option is invalid.</exception>
    public DriftMonitor(EventEncoder encoder, IReadOnlyList<AlertRule> rules, DriftOptions? options = null, Baseline? baseline = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(rules);
        options ??= new DriftOptions();
        options.Validate();
        _encoder = encoder;
        Options = options;
        Alerts = new AlertEvaluator(rules);
        _baseline = baseline?.Materialize(encoder);
    }

    /// <summary>Gets the scoring options.</summary>
    public DriftOptions Options { get; }

    /// <summary>Gets the alert state machines (for the raised alerts now, <see cref="AlertEvaluator.Active"/>).</summary>
    public AlertEvaluator Alerts { get; }

    /// <summary>Tells whether <paramref name="window"/> has a reference yet.</summary>
    public bool HasReference(string window) => GetReference(window) is not null;

    /// <summary>Sets (or replaces) the reference of <paramref name="window"/> to a copy of <paramref name="counts"/>.</summary>
    /// <remarks>Replacing a reference does not reset raised alerts; call <see cref="AlertEvaluator.Reset"/> to do so.</remarks>
    public void SetReference(string window, FrequencySet counts)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(counts);
        RequireSameEncoder(counts);
        var copy = new FrequencySet(_encoder);
        copy.Add(counts);
        _references[window] = copy;
    }

    /// <summary>Gets the reference of <paramref name="window"/> by value text, to save with
    /// <see cref="Baseline.Save(string)"/> (so a restart can keep it); null when there is none yet.</summary>
    public Baseline? GetReferenceBaseline(string window)
    {
        FrequencySet? reference = GetReference(window);
        return reference is null ? null : Baseline.FromFrequencySet(reference, _baseline is null ? $"window {window}" : null);
    }

    /// <summary>Handles one closed window: captures it as the reference if its configuration has none, else scores it
    /// and evaluates the alert rules.</summary>
    /// <param name="window">The window configuration's name.</param>
    /// <param name="counts">The closed window's counts (read only).</param>
    /// <param name="timestampMs">The window's end, Unix milliseconds; stamped on the report and on alert events.</param>
    public DriftEvaluation OnWindowClosed(string window, FrequencySet counts, long timestampMs)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(counts);
        RequireSameEncoder(counts);
        FrequencySet? reference = GetReference(window);
        if (reference is null)
        {
            if (counts.Events < Options.MinimumReferenceEvents)
            {
                return new DriftEvaluation(null, [], false);
            }

            SetReference(window, counts);
            return new DriftEvaluation(null, [], true);
        }

        DriftReport report = DriftCalculator.Compute(window, timestampMs, counts, reference, Options);
        return new DriftEvaluation(report, Alerts.Evaluate(report, timestampMs), false);
    }

    private FrequencySet? GetReference(string window) =>
        _baseline ?? (_references.TryGetValue(window, out FrequencySet? r) ? r : null);

    private void RequireSameEncoder(FrequencySet counts)
    {
        if (!ReferenceEquals(counts.Encoder, _encoder))
        {
            throw new ArgumentException("The counts must come from the monitor's encoder.", nameof(counts));
        }
    }
}
