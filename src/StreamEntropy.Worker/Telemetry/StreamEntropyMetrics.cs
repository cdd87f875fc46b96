using System.Diagnostics.Metrics;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Worker.Telemetry;

/// <summary>Every instrument of the worker, created once from <see cref="IMeterFactory"/>.</summary>
/// <remarks>Gauges and counters are observable: their callbacks read the latest immutable snapshot published by the
/// pipeline, never live tables. Tags are bounded: window, field and pair names, never values. Entropies are in the
/// configured unit, which the instrument unit and so the Prometheus name carry in the singular: <c>_bit</c>, <c>_nat</c>,
/// <c>_ban</c>. (promtool's lint reads <c>_bits</c> as a data size and asks for bytes; the singular passes it.)</remarks>
internal sealed class StreamEntropyMetrics : IDisposable
{
    public const string MeterName = "StreamEntropy";

    private readonly EntropyPipeline _pipeline;
    private readonly LogBase _base;
    private readonly IReadOnlyList<string> _fieldNames; // the configured fields, in order
    private readonly HashSet<string> _configuredNames;
    private readonly SemaphoreSlim _scrapeGate = new(1, 1);
    private volatile PublishedSnapshot? _pinned;

    public StreamEntropyMetrics(IMeterFactory meterFactory, EntropyPipeline pipeline, LogBase logBase, EventSchema schema)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _pipeline = pipeline;
        _base = logBase;
        _fieldNames = [.. schema.Fields.Select(f => f.Name)];
        _configuredNames = [.. _fieldNames];
#pragma warning disable CA2000 // the meter is owned and disposed by the IMeterFactory
        Meter meter = meterFactory.Create(MeterName);
#pragma warning restore CA2000
        string unit = logBase.Unit switch
        {
            "bits" => "bit",
            "nats" => "nat",
            "bans" => "ban",
            _ => "1", // another base: the unit stays in the help text, not in the name
        };

        meter.CreateObservableGauge("streamentropy.field.entropy", () => Fields(f => _base.FromNats(f.Entropy)), unit, "Entropy H(X) of a field over a window.");
        meter.CreateObservableGauge("streamentropy.field.entropy.standard_error", () => Fields(f => _base.FromNats(f.StandardError)), unit, "Plug-in standard error of H(X).");
        meter.CreateObservableGauge("streamentropy.field.entropy.normalized", () => Fields(f => f.NormalizedEntropy), "1", "H(X) / log K, in [0, 1].");
        meter.CreateObservableGauge("streamentropy.field.distinct", () => Fields(f => f.Distinct), "{value}", "Distinct values K in the window.");
        meter.CreateObservableGauge("streamentropy.field.coverage", () => Fields(f => f.Coverage), "1", "Good–Turing sample coverage 1 − f1/N.");
        meter.CreateObservableGauge("streamentropy.field.exact", () => Fields(f => f.IsExact ? 1 : 0), "1", "1 while the field's counts in the window are exact, 0 once it went over its MaxDistinct budget (values then come from a bounded summary).");
        meter.CreateObservableGauge("streamentropy.pair.exact", () => Pairs(p => p.IsExact ? 1 : 0), "1", "1 while the pair's counts in the window are exact, 0 once they went over the MaxDistinct budget.");
        meter.CreateObservableGauge("streamentropy.window.events", Windows, "{event}", "Events counted in the window.");
        meter.CreateObservableGauge("streamentropy.pair.joint_entropy", () => Pairs(p => _base.FromNats(p.Entropies.Joint)), unit, "Joint entropy H(X,Y).");
        meter.CreateObservableGauge("streamentropy.pair.conditional_entropy", ConditionalEntropies, unit, "Conditional entropy H(Y|X) (given=x) and H(X|Y) (given=y).");
        meter.CreateObservableGauge("streamentropy.pair.mutual_information", () => Pairs(p => _base.FromNats(p.Entropies.MutualInformation)), unit, "Mutual information I(X;Y).");
        meter.CreateObservableGauge("streamentropy.drift.score", DriftScores, "1", "Drift of a field (or a pair's joint distribution) against its reference, by metric: psi, js and kl in nats, gtest_log10p as −log10 p, entropy_change_se in standard errors.");
        meter.CreateObservableGauge("streamentropy.drift.mutual_information_change", MutualInformationChanges, "nat", "I(X;Y) of the last closed window minus that of the reference.");
        meter.CreateObservableGauge("streamentropy.alert.active", AlertStates, "1", "1 while an alert rule is raised for a window and field or pair, else 0 for rules that have fired before.");
        meter.CreateObservableGauge("streamentropy.consumer.lag", Lag, "{message}", "Consumer lag per input partition, from librdkafka statistics.");
        meter.CreateObservableCounter("streamentropy.events.consumed", () => (Current()?.Processed ?? 0) + (Current()?.Rejected ?? 0), "{event}", "Events consumed from the input topics.");
        meter.CreateObservableCounter("streamentropy.events.dead_lettered", () => Current()?.Rejected ?? 0, "{event}", "Malformed events sent to the dead-letter topic.");
        meter.CreateObservableCounter("streamentropy.dead_letters.truncated", () => _pipeline.DeadLettersTruncated, "{event}", "Dead letters written with their value cut to 16 KiB (and a 'truncated' header) because the event was too large for the producer or the broker.");
        meter.CreateObservableCounter("streamentropy.field.missing", Missing, "{event}", "Accepted events without the field (absent or null).");
        meter.CreateObservableCounter("streamentropy.discovery.dropped", () => Current()?.DiscoveryDropped ?? 0, "{value}", "Leaf values not measured because discovery refused their path: a discovered-fields entry's MaxFields reached, a path over 256 bytes, or a configured field's name.");
        meter.CreateObservableCounter("streamentropy.checkpoints.written", () => _pipeline.Health.CheckpointsWritten, "{checkpoint}", "Checkpoints written.");
    }

    /// <summary>Pins the pipeline's latest snapshot until the returned scope is disposed, so every instrument of one
    /// scrape reads the same publication (H(X) and H(X,Y) from one snapshot, never from two). Scrapes are serialised.</summary>
    public async Task<IDisposable> PinForScrapeAsync(CancellationToken cancellationToken)
    {
        await _scrapeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        _pinned = _pipeline.Latest;
        return new ScrapeScope(this);
    }

    // Outside a scrape (another MeterListener) each callback reads the latest snapshot on its own.
    private PublishedSnapshot? Current() => _pinned ?? _pipeline.Latest;

    public void Dispose() => _scrapeGate.Dispose();

    internal void EndScrape()
    {
        _pinned = null;
        _scrapeGate.Release();
    }

    private IEnumerable<Measurement<double>> Fields(Func<FieldResult, double> value)
    {
        foreach (WindowSnapshot w in Current()?.Windows ?? [])
        {
            foreach (FieldResult f in w.Fields)
            {
                double v = value(f);
                if (double.IsFinite(v))
                {
                    yield return new Measurement<double>(v, new("window", w.Window), new("field", f.Name));
                }
            }
        }
    }

    private IEnumerable<Measurement<double>> Pairs(Func<PairResult, double> value)
    {
        foreach (WindowSnapshot w in Current()?.Windows ?? [])
        {
            foreach (PairResult p in w.Pairs)
            {
                double v = value(p);
                if (double.IsFinite(v))
                {
                    yield return new Measurement<double>(v, new("window", w.Window), new("x", p.X), new("y", p.Y));
                }
            }
        }
    }

    private IEnumerable<Measurement<double>> ConditionalEntropies()
    {
        foreach (WindowSnapshot w in Current()?.Windows ?? [])
        {
            foreach (PairResult p in w.Pairs)
            {
                if (double.IsFinite(p.Entropies.Joint))
                {
                    yield return new Measurement<double>(_base.FromNats(p.Entropies.ConditionalYGivenX), new("window", w.Window), new("x", p.X), new("y", p.Y), new("given", "x"));
                    yield return new Measurement<double>(_base.FromNats(p.Entropies.ConditionalXGivenY), new("window", w.Window), new("x", p.X), new("y", p.Y), new("given", "y"));
                }
            }
        }
    }

    private IEnumerable<Measurement<double>> DriftScores()
    {
        foreach (DriftReport report in Current()?.Drift ?? [])
        {
            foreach (FieldDrift f in report.Fields)
            {
                foreach (Measurement<double> m in Scores(report.Window, "field", f.Name, f))
                {
                    yield return m;
                }
            }

            foreach (PairDrift p in report.Pairs)
            {
                foreach (Measurement<double> m in Scores(report.Window, "pair", p.Key, p.Joint))
                {
                    yield return m;
                }
            }
        }
    }

    private static IEnumerable<Measurement<double>> Scores(string window, string kind, string subject, FieldDrift d)
    {
        (string Metric, double Value)[] scores =
        [
            ("psi", d.Divergences.PopulationStability),
            ("js", d.Divergences.JensenShannon),
            ("kl", d.Divergences.KullbackLeibler),
            ("gtest_log10p", d.GTestSignificance),
            ("entropy_change_se", d.EntropyChangeStandardErrors),
        ];
        foreach ((string metric, double value) in scores)
        {
            if (double.IsFinite(value))
            {
                yield return new Measurement<double>(value, new("window", window), new(kind, subject), new("metric", metric));
            }
        }
    }

    private IEnumerable<Measurement<double>> MutualInformationChanges()
    {
        foreach (DriftReport report in Current()?.Drift ?? [])
        {
            foreach (PairDrift p in report.Pairs)
            {
                if (double.IsFinite(p.MutualInformationChange))
                {
                    yield return new Measurement<double>(p.MutualInformationChange, new("window", report.Window), new("x", p.X), new("y", p.Y));
                }
            }
        }
    }

    private IEnumerable<Measurement<int>> AlertStates()
    {
        PublishedSnapshot? latest = Current();
        if (latest is null)
        {
            yield break;
        }

        var active = new HashSet<string>(latest.ActiveAlerts.Select(a => a.Key), StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (AlertEvent a in latest.ActiveAlerts.Concat(latest.RecentAlerts))
        {
            if (seen.Add(a.Key))
            {
                yield return new Measurement<int>(active.Contains(a.Key) ? 1 : 0, new("window", a.Window), new("subject", a.Subject), new("rule", a.Rule));
            }
        }
    }

    private IEnumerable<Measurement<long>> Windows()
    {
        foreach (WindowSnapshot w in Current()?.Windows ?? [])
        {
            yield return new Measurement<long>(w.Events, new KeyValuePair<string, object?>("window", w.Window));
        }
    }

    private IEnumerable<Measurement<long>> Missing()
    {
        // Configured fields first, in configuration order (as before discovery), then discovered ones by name.
        IReadOnlyDictionary<string, long> totals = Current()?.MissingTotals ?? new Dictionary<string, long>();
        foreach (string name in _fieldNames)
        {
            if (totals.TryGetValue(name, out long missing))
            {
                yield return new Measurement<long>(missing, new KeyValuePair<string, object?>("field", name));
            }
        }

        foreach ((string name, long missing) in totals.Where(t => !_configuredNames.Contains(t.Key)).OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            yield return new Measurement<long>(missing, new KeyValuePair<string, object?>("field", name));
        }
    }

    private IEnumerable<Measurement<long>> Lag()
    {
        foreach (((string topic, int partition), long lag) in _pipeline.ConsumerLag)
        {
            yield return new Measurement<long>(lag, new("topic", topic), new("partition", partition));
        }
    }
}
