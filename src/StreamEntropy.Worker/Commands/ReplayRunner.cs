using System.Globalization;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Worker.Commands;

/// <summary>Runs the worker's engine (windows, drift monitor, alert rules) over replayed events and keeps what a replay
/// reports: the closed windows, the alert events, and the injection point.</summary>
internal sealed class ReplayRunner
{
    private readonly EntropyEngine _engine;
    private readonly Dictionary<string, List<long>> _closedEnds = new(StringComparer.Ordinal); // by window, in order
    private readonly List<ReplayAlert> _alerts = [];

    public ReplayRunner(EntropyEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
    }

    /// <summary>Gets the engine (its schema grows as fields are discovered).</summary>
    public EntropyEngine Engine => _engine;

    /// <summary>Gets how many events were given.</summary>
    public long Rows { get; private set; }

    /// <summary>Gets how many events the engine rejected (the worker would dead-letter them).</summary>
    public long Rejected { get; private set; }

    /// <summary>Gets where the first rejected event was, and why; null when none was.</summary>
    public string? FirstRejection { get; private set; }

    /// <summary>Gets the time of the first injected row; null when nothing was injected (or the row was never reached).</summary>
    public long? InjectionTimeMs { get; private set; }

    /// <summary>Gets the alert events, raises and clears, in order.</summary>
    public IReadOnlyList<ReplayAlert> Alerts => _alerts;

    /// <summary>Gets how many windows closed, over every window.</summary>
    public int ClosedWindows => _closedEnds.Values.Sum(e => e.Count);

    /// <summary>Counts one event at <paramref name="timeMs"/>, then collects the windows it closed and their alerts.</summary>
    /// <param name="utf8Json">The event.</param>
    /// <param name="timeMs">Its event time, Unix milliseconds.</param>
    /// <param name="file">The file's name, for a rejection.</param>
    /// <param name="line">The event's line in the file, for a rejection.</param>
    public void Add(ReadOnlySpan<byte> utf8Json, long timeMs, string file, long line)
    {
        Rows++;
        if (_engine.Process(utf8Json, timeMs) != DecodeError.None)
        {
            Rejected++;
            FirstRejection ??= string.Create(CultureInfo.InvariantCulture, $"{file}:{line}: {_engine.LastErrorDetail}");
        }

        Collect();
    }

    /// <summary>Notes the time of the first injected row (the first call wins).</summary>
    public void MarkInjection(long timeMs) => InjectionTimeMs ??= timeMs;

    /// <summary>Moves event time to <paramref name="endMs"/> (the end of the replayed stream), closing the windows it ends.</summary>
    public void Finish(long endMs)
    {
        _engine.AdvanceTo(endMs);
        Collect();
    }

    /// <summary>What each rule did; <paramref name="injected"/> decides whether an alert's field or pair was injected into.</summary>
    public List<ReplayRuleOutcome> Outcomes(IReadOnlyList<AlertRule> rules, Func<AlertEvent, bool> injected)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(injected);
        var outcomes = new List<ReplayRuleOutcome>(rules.Count);
        foreach (AlertRule rule in rules)
        {
            int raised = 0, before = 0, others = 0;
            int? delay = null;
            foreach (ReplayAlert a in _alerts)
            {
                AlertEvent e = a.Alert;
                if (e.Rule != rule.Name || e.State != AlertState.Raised)
                {
                    continue;
                }

                raised++;
                if (InjectionTimeMs is not long injection || e.TimestampMs <= injection)
                {
                    before++;
                }
                else if (!injected(e))
                {
                    others++;
                }
                else
                {
                    delay ??= _closedEnds[e.Window].Count(end => end > injection && end <= e.TimestampMs);
                }
            }

            outcomes.Add(new ReplayRuleOutcome(rule.Name, raised, before, others, delay));
        }

        return outcomes;
    }

    private void Collect()
    {
        foreach (WindowSnapshot closed in _engine.TakeClosed())
        {
            if (!_closedEnds.TryGetValue(closed.Window, out List<long>? ends))
            {
                _closedEnds[closed.Window] = ends = [];
            }

            ends.Add(closed.End.ToUnixTimeMilliseconds());
        }

        foreach (AlertEvent alert in _engine.TakeAlerts())
        {
            // An alert is raised or cleared as its window closes: that window is the last of its name closed so far
            // at or before the alert's time (windows of one name close in order of their ends).
            List<long> ends = _closedEnds[alert.Window];
            int index = ends.BinarySearch(alert.TimestampMs);
            _alerts.Add(new ReplayAlert(alert, index >= 0 ? index + 1 : ~index));
        }
    }
}
