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
        new(ToFields(options, withBudgets), ToPairs(options));

    /// <summary>Maps the fields (a field's path defaults to its name), then the tuple of each pair whose X is several
    /// fields, once however many pairs use it; a tuple is bounded when any of its fields is.</summary>
    public static List<FieldDefinition> ToFields(StreamEntropyOptions options, bool withBudgets = true)
    {
        List<FieldDefinition> fields = options.Fields.ConvertAll(f => new FieldDefinition(f.Name, string.IsNullOrWhiteSpace(f.Path) ? f.Name : f.Path, f.BinWidth, withBudgets ? MaxDistinct(options, f) : 0));
        foreach (PairOptions p in options.Pairs)
        {
            if (p.IsTuple && !fields.Exists(f => f.IsTuple && f.Name == p.XName))
            {
                fields.Add(FieldDefinition.Tuple(p.XFields));
            }
        }

        return fields;
    }

    /// <summary>Maps the pairs (a pair whose X is several fields pairs their tuple).</summary>
    public static List<PairDefinition> ToPairs(StreamEntropyOptions options) =>
        options.Pairs.ConvertAll(p => new PairDefinition(p.XName, p.Y));

    /// <summary>The budget of a field: its own MaxDistinct when set, else the section's.</summary>
    public static int MaxDistinct(StreamEntropyOptions options, FieldOptions field) => field.MaxDistinct ?? options.MaxDistinct;

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
        var scoring = new DriftScoring { TopDrivers = options.Drift.TopDrivers, MinimumReferenceEvents = options.Drift.MinimumReferenceEvents };
        return new DriftSettings(ToRules(options.Drift), scoring, baseline) { RecaptureOnStart = options.Drift.RecaptureOnStart };
    }

    /// <summary>Maps the alert rules; none configured means <see cref="AlertRule.Defaults"/>.</summary>
    public static IReadOnlyList<AlertRule> ToRules(DriftOptions drift) =>
        drift.Rules.Count == 0
            ? AlertRule.Defaults
            : drift.Rules.ConvertAll(r => new AlertRule(r.Name, r.Metric, r.Threshold)
            {
                RaiseAfter = r.RaiseAfter,
                ClearThreshold = r.ClearThreshold,
                ClearAfter = r.ClearAfter,
                Subject = r.Subject,
                Window = r.Window,
                MinimumSignificance = r.MinimumSignificance,
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
