using Microsoft.Extensions.Options;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Worker.Options;

/// <summary>Every rule of <see cref="StreamEntropyOptions"/>, each failure a line naming the setting: the per-setting
/// attributes (through <see cref="StreamEntropyOptionsAttributeValidator"/>), then the rules that involve several
/// settings. Window, schema and alert-rule problems are the domain types' own (<see cref="WindowDefinition.Validate(WindowKind, TimeSpan?, TimeSpan?, TimeSpan?, out string)"/>,
/// <see cref="EventSchema.Validate(IReadOnlyList{FieldDefinition}, IReadOnlyList{PairDefinition}, IReadOnlyList{DiscoveryRule}, IReadOnlyList{PairRule}, out string)"/>,
/// <see cref="AlertEvaluator.Validate"/>), prefixed with the key.</summary>
internal sealed class StreamEntropyOptionsValidator : IValidateOptions<StreamEntropyOptions>
{
    private readonly StreamEntropyOptionsAttributeValidator _attributes = new();
    private readonly BaselineLoader _baselines;

    /// <summary>Creates a validator with a baseline loader of its own.</summary>
    public StreamEntropyOptionsValidator()
        : this(new BaselineLoader())
    {
    }

    /// <summary>Creates a validator that reads baseline files through <paramref name="baselines"/>, so that the host
    /// reads its baseline once for validating and running.</summary>
    public StreamEntropyOptionsValidator(BaselineLoader baselines)
    {
        ArgumentNullException.ThrowIfNull(baselines);
        _baselines = baselines;
    }

    public ValidateOptionsResult Validate(string? name, StreamEntropyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        const string S = StreamEntropyOptions.SectionName;
        builder.AddResult(_attributes.Validate(S, options));

        if (options.Kafka.Topics.Count == 0 || options.Kafka.Topics.Any(string.IsNullOrWhiteSpace))
        {
            builder.AddError($"{S}:Kafka:Topics must list at least one topic, with no empty names.");
        }

        if (options.Kafka.Topics.Contains(options.Kafka.OutputTopic) || options.Kafka.Topics.Contains(options.Kafka.DeadLetterTopic))
        {
            builder.AddError($"{S}:Kafka:Topics must not include the output or dead-letter topic (the worker would read its own records).");
        }

        bool patternsValid = ValidatePatterns(options, builder);
        for (int i = 0; i < options.Fields.Count; i++)
        {
            if (options.Fields[i].Discovers)
            {
                continue;
            }

            string path = string.IsNullOrWhiteSpace(options.Fields[i].Path) ? options.Fields[i].Name : options.Fields[i].Path!;
            if (path.Length > 0 && JsonEventDecoder.ValidatePath(path) is not null) // an empty name is reported once, below
            {
                builder.AddError($"{S}:Fields:{i}:Path '{path}' has an empty segment; use a dotted path such as user.country.");
            }
        }

        if (!string.IsNullOrEmpty(options.Kafka.AlertTopic) && options.Kafka.Topics.Contains(options.Kafka.AlertTopic))
        {
            builder.AddError($"{S}:Kafka:AlertTopic must not be one of the input topics.");
        }

        if (options.Fields.Count == 0)
        {
            builder.AddError($"{S}:Fields must list at least one field.");
        }
        else if (ValidatePairTuples(options) is { } tuple)
        {
            builder.AddError($"{S}:{tuple}");
        }
        else if (patternsValid && ValidateSchema(options) is { } problem)
        {
            builder.AddError($"{S}:{problem}");
        }

        if (!EntropyEstimatorNames.TryParse(options.Estimator, out _))
        {
            builder.AddError($"{S}:Estimator '{options.Estimator}' is unknown; use one of {string.Join(", ", EntropyEstimatorNames.All)}.");
        }

        if (!LogBase.TryParse(options.Base, out _))
        {
            builder.AddError($"{S}:Base '{options.Base}' is not a logarithm base; use 2, e, 10 or a number > 1.");
        }

        ValidateWindows(options.Windows, builder);

        ValidateBudgets(options, builder);

        ValidateDrift(options, builder);

        ValidateScaling(options, builder);

        return builder.Build();
    }

    // A pair's X given as several fields: at least two, each a configured field, none twice, and not also a single
    // value (two sources can set both X and X:0). Checked here so that the message names the pair's key, not the tuple
    // field the mapper adds.
    private static string? ValidatePairTuples(StreamEntropyOptions options)
    {
        for (int i = 0; i < options.Pairs.Count; i++)
        {
            PairOptions p = options.Pairs[i];
            if (!p.IsTuple)
            {
                continue;
            }

            if (!string.IsNullOrEmpty(p.X))
            {
                return $"Pairs:{i}:X is both a field ('{p.X}') and a list of fields; give one of them.";
            }

            if (p.XFields.Count < 2)
            {
                return $"Pairs:{i}:X lists one field; give its name, or at least two fields to condition on together.";
            }

            for (int j = 0; j < p.XFields.Count; j++)
            {
                string name = p.XFields[j];
                if (!options.Fields.Exists(f => string.Equals(f.Name, name, StringComparison.Ordinal)))
                {
                    return $"Pairs:{i}:X:{j} names the unknown field '{name}'.";
                }

                if (p.XFields.IndexOf(name) != j)
                {
                    return $"Pairs:{i}:X:{j}: the field '{name}' is listed twice.";
                }
            }

            if (p.XFields.Contains(p.Y, StringComparer.Ordinal))
            {
                return $"Pairs:{i}:Y '{p.Y}' is one of X's fields; H(Y | X) would always be 0.";
            }
        }

        return null;
    }

    // Budgets are left out: the attribute on each MaxDistinct reports those, naming the key.
    private static string? ValidateSchema(StreamEntropyOptions options) =>
        EventSchema.Validate(
            OptionsMapper.ToFields(options, withBudgets: false),
            OptionsMapper.ToPairs(options),
            OptionsMapper.ToDiscovery(options, withBudgets: false),
            OptionsMapper.ToPairRules(options),
            out _);

    // Discovered-field entries (Name '*' or 'prefix.*') and wildcard pairs: the patterns' syntax, and the settings that
    // belong to one kind of entry only. Returns false when a pattern is invalid (the schema is then not checked further).
    private static bool ValidatePatterns(StreamEntropyOptions options, ValidateOptionsResultBuilder builder)
    {
        const string S = StreamEntropyOptions.SectionName;
        bool valid = true;
        for (int i = 0; i < options.Fields.Count; i++)
        {
            FieldOptions f = options.Fields[i];
            if (!f.Discovers)
            {
                if (f.Exclude.Count > 0 || f.MaxFields is not null)
                {
                    builder.AddError($"{S}:Fields:{i}: Exclude and MaxFields apply only to discovered fields (Name '*' or 'prefix.*'), not to '{f.Name}'.");
                }

                continue;
            }

            foreach ((string? problem, string key) in f.Exclude.Select((e, k) => (FieldPattern.Validate(e), $"Exclude:{k}")).Prepend((FieldPattern.Validate(f.Name), "Name")))
            {
                if (problem is not null)
                {
                    builder.AddError($"{S}:Fields:{i}:{key}: the pattern {problem}");
                    valid = false;
                }
            }

            if (!string.IsNullOrWhiteSpace(f.Path) || f.BinWidth is not null)
            {
                builder.AddError($"{S}:Fields:{i}: a discovered-fields entry ('{f.Name}') takes no Path or BinWidth: each field found is named by its path and counted as text.");
            }
        }

        for (int i = 0; i < options.Pairs.Count; i++)
        {
            foreach ((string side, string text) in (ReadOnlySpan<(string, string)>)[("X", options.Pairs[i].X), ("Y", options.Pairs[i].Y)])
            {
                if (text.Contains('*', StringComparison.Ordinal) && FieldPattern.Validate(text) is { } problem)
                {
                    builder.AddError($"{S}:Pairs:{i}:{side}: the pattern {problem}");
                    valid = false;
                }
            }
        }

        return valid;
    }

    private void ValidateDrift(StreamEntropyOptions options, ValidateOptionsResultBuilder builder)
    {
        const string At = $"{StreamEntropyOptions.SectionName}:Drift";
        if (!options.Drift.Enabled)
        {
            return;
        }

        if (options.Drift.TopDrivers is < 0 or > 100)
        {
            builder.AddError($"{At}:TopDrivers must be between 0 and 100, not {options.Drift.TopDrivers}.");
            return;
        }

        if (DriftScoring.ValidateMinimumReferenceEvents(options.Drift.MinimumReferenceEvents) is { } references)
        {
            builder.AddError($"{At}:MinimumReferenceEvents {references}");
            return;
        }

        Baseline? baseline;
        try
        {
            baseline = string.IsNullOrWhiteSpace(options.Drift.Baseline) ? null : _baselines.Load(options.Drift.Baseline);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            builder.AddError($"{At}:Baseline: {e.Message}");
            return;
        }

        if (DriftScoring.ValidateAutoReferenceWindows(options.Drift.AutoReferenceWindows) is { } chunks)
        {
            builder.AddError($"{At}:AutoReferenceWindows {chunks}");
            return;
        }

        if (!ValidateAutoThresholds(options.Drift, baseline is not null, builder))
        {
            return;
        }

        if (AlertEvaluator.Validate(OptionsMapper.ToRules(options.Drift), out _) is { } problem)
        {
            builder.AddError($"{At}:Rules: {problem}");
            return;
        }

        // Compared with a sound schema only: a schema problem is reported once, above.
        if (baseline is not null && options.Fields.Count > 0 && ValidateSchema(options) is null)
        {
            try
            {
                baseline.EnsureCompatible(new EventSchema(OptionsMapper.ToFields(options, withBudgets: false), OptionsMapper.ToPairs(options)));
            }
            catch (BaselineMismatchException e)
            {
                builder.AddError($"{At}:Baseline: {e.Message}");
            }
        }
    }

    // The shape of Threshold (a number or "auto") and the settings that go with "auto"; the ranges are AlertRule's.
    private static bool ValidateAutoThresholds(DriftOptions drift, bool baseline, ValidateOptionsResultBuilder builder)
    {
        const string At = $"{StreamEntropyOptions.SectionName}:Drift";
        bool valid = true;
        for (int i = 0; i < drift.Rules.Count; i++)
        {
            AlertRuleOptions rule = drift.Rules[i];
            if (!rule.IsAuto && double.IsNaN(rule.ThresholdNumber))
            {
                builder.AddError($"{At}:Rules:{i}:Threshold: '{rule.ThresholdSetting}' is neither a number nor \"auto\".");
                valid = false;
            }
            else if (!rule.IsAuto && rule.AutoK is not null)
            {
                builder.AddError($"{At}:Rules:{i}:AutoK applies only to Threshold \"auto\"; remove it or set the threshold to \"auto\".");
                valid = false;
            }
            else if (rule.IsAuto && baseline)
            {
                builder.AddError($"{At}:Rules:{i}:Threshold \"auto\" cannot be used with {At}:Baseline: it is calibrated from chunks of a reference captured from the stream, and a baseline file is one distribution with no chunks; give a number, or remove the baseline.");
                valid = false;
            }
        }

        return valid;
    }

    private static void ValidateScaling(StreamEntropyOptions options, ValidateOptionsResultBuilder builder)
    {
        const string At = $"{StreamEntropyOptions.SectionName}:Scaling";
        ScalingOptions scaling = options.Scaling;
        if (!Enum.IsDefined(scaling.Mode))
        {
            builder.AddError($"{At}:Mode '{scaling.Mode}' is unknown; use Standalone or Group.");
            return;
        }

        if (scaling.Mode != ScalingMode.Group)
        {
            return;
        }

        KafkaOptions kafka = options.Kafka;
        string[] others = [.. kafka.Topics, kafka.OutputTopic, kafka.DeadLetterTopic, kafka.AlertTopic ?? ""];
        foreach ((string name, string topic) in new[] { ("StateTopic", scaling.StateTopic), ("PartialsTopic", scaling.PartialsTopic) })
        {
            if (string.IsNullOrWhiteSpace(topic))
            {
                builder.AddError($"{At}:{name} is empty.");
            }
            else if (others.Contains(topic))
            {
                builder.AddError($"{At}:{name} '{topic}' is also an input, output, dead-letter or alert topic; give it a topic of its own.");
            }
        }

        if (scaling.MaxLagWindows is < 1 or > 1000)
        {
            builder.AddError($"{At}:MaxLagWindows must be from 1 to 1000, not {scaling.MaxLagWindows}.");
        }

        if (scaling.StateTopic == scaling.PartialsTopic)
        {
            builder.AddError($"{At}:StateTopic and {At}:PartialsTopic must be different topics.");
        }

        for (int i = 0; i < options.Windows.Count; i++)
        {
            if (OptionsMapper.TryParseKind(options.Windows[i].Kind, out WindowKind kind) && kind == WindowKind.Decay)
            {
                builder.AddError($"{StreamEntropyOptions.SectionName}:Windows:{i}: Decay windows cannot be merged across instances yet; use Cumulative, Tumbling or Sliding windows with {At}:Mode Group.");
            }
        }

        // Merged windows close subject by subject, so there is no family of tests to adjust together: an explicit
        // setting would promise a control that does not happen (unset, the default has no effect there).
        for (int i = 0; options.Drift.Enabled && i < options.Drift.Rules.Count; i++)
        {
            if (options.Drift.Rules[i].FalseDiscoveryRate is > 0)
            {
                builder.AddError($"{StreamEntropyOptions.SectionName}:Drift:Rules:{i}:FalseDiscoveryRate cannot be used with {At}:Mode Group: each subject's merged window is scored on its own, so there is no family of tests to correct; remove it or set 0.");
            }

            if (options.Drift.Rules[i].IsAuto)
            {
                builder.AddError($"{StreamEntropyOptions.SectionName}:Drift:Rules:{i}:Threshold \"auto\" cannot be used with {At}:Mode Group yet: merged references are captured subject by subject, without the chunks a threshold is calibrated from; give a number.");
            }
        }
    }

    private static void ValidateBudgets(StreamEntropyOptions options, ValidateOptionsResultBuilder builder)
    {
        const string S = StreamEntropyOptions.SectionName;
        if (!options.Fields.Exists(f => OptionsMapper.MaxDistinct(options, f) != 0))
        {
            return; // the range of each budget is its attribute's
        }

        if (EntropyEstimatorNames.TryParse(options.Estimator, out EntropyEstimator estimator) && !EntropyEngine.BudgetsSupport(estimator))
        {
            builder.AddError($"{S}:Estimator '{options.Estimator}' cannot be used with MaxDistinct: the bounded summaries bracket only the plug-in estimator; use ml or MaxDistinct 0.");
        }

        for (int i = 0; i < options.Windows.Count; i++)
        {
            if (OptionsMapper.TryParseKind(options.Windows[i].Kind, out WindowKind kind) && !EntropyEngine.BudgetsSupport(kind))
            {
                builder.AddError($"{S}:Windows:{i}:Kind Decay cannot be used with MaxDistinct: weighted counts have no bounded summary; remove the window or set MaxDistinct 0.");
            }
        }
    }

    private static void ValidateWindows(List<WindowOptions> windows, ValidateOptionsResultBuilder builder)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < windows.Count; i++)
        {
            WindowOptions w = windows[i];
            string at = $"{StreamEntropyOptions.SectionName}:Windows:{i}";
            if (string.IsNullOrWhiteSpace(w.Name))
            {
                builder.AddError($"{at}:Name is empty.");
            }
            else if (!names.Add(w.Name))
            {
                builder.AddError($"{at}:Name '{w.Name}' is used by another window.");
            }

            if (!OptionsMapper.TryParseKind(w.Kind, out WindowKind kind))
            {
                builder.AddError($"{at}:Kind '{w.Kind}' is unknown; use Cumulative, Tumbling, Sliding or Decay.");
                continue;
            }

            if (WindowDefinition.Validate(kind, w.Size, w.Step, w.HalfLife, out _) is { } problem)
            {
                builder.AddError($"{at}:{problem}");
            }
        }
    }
}
