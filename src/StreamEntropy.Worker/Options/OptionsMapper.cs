using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Worker.Options;

/// <summary>Turns validated options into the plain values the engine takes (the engine never sees IOptions).</summary>
internal static class OptionsMapper
{
    /// <summary>Maps the fields and pairs; <paramref name="withBudgets"/> false leaves out the MaxDistinct budgets
    /// (the validator checks those separately, naming the setting).</summary>
    public static EventSchema ToSchema(StreamEntropyOptions options, bool withBudgets = true) =>
        new(ToFields(options, withBudgets), ToPairs(options), ToDiscovery(options, withBudgets), ToPairRules(options));

    /// <summary>Maps the fields (a field's path defaults to its name), then the tuple of each pair whose X is several
    /// fields, once however many pairs use it; a tuple is bounded when any of its fields is. Entries that discover
    /// fields are rules, not fields.</summary>
    public static List<FieldDefinition> ToFields(StreamEntropyOptions options, bool withBudgets = true)
    {
        List<FieldDefinition> fields = options.Fields.Where(f => !f.Discovers).Select(f => new FieldDefinition(f.Name, string.IsNullOrWhiteSpace(f.Path) ? f.Name : f.Path, f.BinWidth, withBudgets ? MaxDistinct(options, f) : 0)).ToList();
        foreach (PairOptions p in options.Pairs)
        {
            if (p.IsTuple && !fields.Exists(f => f.IsTuple && f.Name == p.XName))
            {
                fields.Add(FieldDefinition.Tuple(p.XFields));
            }
        }

        return fields;
    }

    /// <summary>Maps the entries that discover fields (<c>*</c>, <c>prefix.*</c>); patterns must be valid (the validator
    /// checks them first).</summary>
    public static List<DiscoveryRule> ToDiscovery(StreamEntropyOptions options, bool withBudgets = true) =>
        options.Fields.Where(f => f.Discovers).Select(f => new DiscoveryRule(
            FieldPattern.Parse(f.Name),
            f.Exclude.ConvertAll(FieldPattern.Parse),
            f.MaxFields ?? DiscoveryRule.DefaultMaxFields,
            withBudgets ? MaxDistinct(options, f) : 0)).ToList();

    /// <summary>Maps the pairs of two configured fields (a pair whose X is several fields pairs their tuple).</summary>
    public static List<PairDefinition> ToPairs(StreamEntropyOptions options)
    {
        HashSet<string> configured = ConfiguredNames(options);
        return options.Pairs.Where(p => !IsRule(options, p, configured)).Select(p => new PairDefinition(p.XName, p.Y)).ToList();
    }

    /// <summary>Maps the other pairs to rules, formed as their fields appear: a side that is a wildcard (<c>X: *</c>
    /// pairs every field with Y) or names a field discovery finds.</summary>
    public static List<PairRule> ToPairRules(StreamEntropyOptions options)
    {
        HashSet<string> configured = ConfiguredNames(options);
        return options.Pairs
            .Where(p => IsRule(options, p, configured) && FieldPattern.Validate(p.XName) is null && FieldPattern.Validate(p.Y) is null)
            .Select(p => new PairRule(FieldPattern.Parse(p.XName), FieldPattern.Parse(p.Y)))
            .ToList();
    }

    // A pair is a rule when a side is a wildcard, or when fields are discovered and a side is not a configured field.
    // Without discovery a pair of unknown names stays a pair, so that it is reported as naming an unknown field.
    private static bool IsRule(StreamEntropyOptions options, PairOptions pair, HashSet<string> configured) =>
        pair.XName.Contains('*', StringComparison.Ordinal) || pair.Y.Contains('*', StringComparison.Ordinal)
        || (options.Fields.Exists(f => f.Discovers) && !(configured.Contains(pair.XName) && configured.Contains(pair.Y)));

    /// <summary>The budget of a field: its own MaxDistinct when set, else the section's; a discovered field's, when
    /// neither is set, <see cref="DiscoveryRule.DefaultMaxDistinct"/> (producers decide how many values it has).</summary>
    public static int MaxDistinct(StreamEntropyOptions options, FieldOptions field) =>
        field.MaxDistinct ?? (field.Discovers && options.MaxDistinct == 0 ? DiscoveryRule.DefaultMaxDistinct : options.MaxDistinct);

    private static HashSet<string> ConfiguredNames(StreamEntropyOptions options) =>
        [.. options.Fields.Where(f => !f.Discovers).Select(f => f.Name), .. options.Pairs.Where(p => p.IsTuple).Select(p => p.XName)];

    public static IReadOnlyList<WindowDefinition> ToWindows(StreamEntropyOptions options)
    {
        if (options.Windows.Count == 0)
        {
            return [new WindowDefinition("all", WindowKind.Cumulative)];
        }

        return options.Windows
            .Select(w => new WindowDefinition(w.Name, TryParseKind(w.Kind, out WindowKind kind) ? kind : throw new ArgumentException($"Unknown window kind '{w.Kind}'."), w.Size, w.Step, w.HalfLife))
            .ToList();
    }

    /// <summary>Maps the drift options; reads the baseline file, when one is named, through <paramref name="baselines"/>
    /// (a new loader when null; may throw InvalidDataException).</summary>
    public static DriftSettings? ToDrift(StreamEntropyOptions options, BaselineLoader? baselines = null)
    {
        if (!options.Drift.Enabled)
        {
            return null;
        }

        Baseline? baseline = string.IsNullOrWhiteSpace(options.Drift.Baseline) ? null : (baselines ?? new BaselineLoader()).Load(options.Drift.Baseline);
        var scoring = new DriftScoring
        {
            TopDrivers = options.Drift.TopDrivers,
            MinimumReferenceEvents = options.Drift.MinimumReferenceEvents,
            AutoReferenceWindows = options.Drift.AutoReferenceWindows,
        };
        return new DriftSettings(ToRules(options.Drift), scoring, baseline) { RecaptureOnStart = options.Drift.RecaptureOnStart };
    }

    /// <summary>Maps the alert rules; none configured means <see cref="AlertRule.Defaults"/>.</summary>
    public static IReadOnlyList<AlertRule> ToRules(DriftOptions drift) =>
        drift.Rules.Count == 0
            ? AlertRule.Defaults
            : drift.Rules.ConvertAll(r => new AlertRule(r.Name, r.Metric, r.IsAuto ? AutoThreshold.DefaultFallback(r.Metric) : r.ThresholdNumber)
            {
                Auto = r.IsAuto ? new AutoThreshold(r.AutoK ?? AutoThreshold.DefaultK) : null,
                RaiseAfter = r.RaiseAfter,
                ClearThreshold = r.ClearThreshold,
                ClearAfter = r.ClearAfter,
                Subject = r.Subject,
                Window = r.Window,
                MinimumSignificance = r.MinimumSignificance,
                FalseDiscoveryRate = r.FalseDiscoveryRate ?? AlertRule.DefaultFalseDiscoveryRate,
            });

    /// <summary>Parses a window kind by name only (Enum.TryParse would also take "2" or "Tumbling,Sliding").</summary>
    public static bool TryParseKind(string? text, out WindowKind kind)
    {
        foreach (WindowKind k in Enum.GetValues<WindowKind>())
        {
            if (string.Equals(k.ToString(), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }

        kind = default;
        return false;
    }

    public static EntropyEstimator ToEstimator(StreamEntropyOptions options) =>
        EntropyEstimatorNames.TryParse(options.Estimator, out EntropyEstimator e) ? e : EntropyEstimator.MaximumLikelihood;

    public static LogBase ToBase(StreamEntropyOptions options) =>
        LogBase.TryParse(options.Base, out LogBase b) ? b : LogBase.Bits;
}
