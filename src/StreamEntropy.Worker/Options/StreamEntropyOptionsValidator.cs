using Microsoft.Extensions.Options;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Worker.Options;

/// <summary>The cross-field rules of <see cref="StreamEntropyOptions"/>; each failure names the setting.</summary>
internal sealed class StreamEntropyOptionsValidator : IValidateOptions<StreamEntropyOptions>
{
    public ValidateOptionsResult Validate(string? name, StreamEntropyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        const string S = StreamEntropyOptions.SectionName;

        if (string.IsNullOrWhiteSpace(options.Kafka.BootstrapServers))
        {
            builder.AddError($"{S}:Kafka:BootstrapServers is empty.");
        }

        if (string.IsNullOrWhiteSpace(options.Kafka.GroupId))
        {
            builder.AddError($"{S}:Kafka:GroupId is empty.");
        }

        if (options.Kafka.Topics.Count == 0 || options.Kafka.Topics.Any(string.IsNullOrWhiteSpace))
        {
            builder.AddError($"{S}:Kafka:Topics must list at least one topic, with no empty names.");
        }

        if (string.IsNullOrWhiteSpace(options.Kafka.OutputTopic))
        {
            builder.AddError($"{S}:Kafka:OutputTopic is empty.");
        }

        if (string.IsNullOrWhiteSpace(options.Kafka.DeadLetterTopic))
        {
            builder.AddError($"{S}:Kafka:DeadLetterTopic is empty.");
        }

        if (options.Kafka.Topics.Contains(options.Kafka.OutputTopic) || options.Kafka.Topics.Contains(options.Kafka.DeadLetterTopic))
        {
            builder.AddError($"{S}:Kafka:Topics must not include the output or dead-letter topic (the worker would read its own records).");
        }

        for (int i = 0; i < options.Fields.Count; i++)
        {
            string path = string.IsNullOrWhiteSpace(options.Fields[i].Path) ? options.Fields[i].Name : options.Fields[i].Path!;
            if (path.Length > 0 && path.Split('.').Any(segment => segment.Length == 0)) // an empty name is reported once, below
            {
                builder.AddError($"{S}:Fields:{i}:Path '{path}' has an empty segment; use a dotted path such as user.country.");
            }
        }

        if (options.PublishInterval < TimeSpan.FromMilliseconds(100) || options.PublishInterval > TimeSpan.FromDays(1))
        {
            builder.AddError($"{S}:PublishInterval must be between 100 ms and 1 day, not {options.PublishInterval}.");
        }

        if (options.MaxEventBytes is < 64 or > 64 * 1024 * 1024)
        {
            builder.AddError($"{S}:MaxEventBytes must be between 64 and 67108864, not {options.MaxEventBytes}.");
        }

        if (options.Checkpoint.Interval < TimeSpan.FromMilliseconds(100) || options.Checkpoint.Interval > TimeSpan.FromDays(1))
        {
            builder.AddError($"{S}:Checkpoint:Interval must be between 100 ms and 1 day, not {options.Checkpoint.Interval}.");
        }

        if (!string.IsNullOrEmpty(options.Kafka.AlertTopic) && options.Kafka.Topics.Contains(options.Kafka.AlertTopic))
        {
            builder.AddError($"{S}:Kafka:AlertTopic must not be one of the input topics.");
        }

        if (options.Fields.Count == 0)
        {
            builder.AddError($"{S}:Fields must list at least one field.");
        }
        else
        {
            try
            {
                _ = OptionsMapper.ToSchema(options, withBudgets: false);
            }
            catch (ArgumentException e)
            {
                builder.AddError($"{S}:{e.Message.Split(" (Parameter", 2)[0]}");
            }
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

        if (string.IsNullOrWhiteSpace(options.Checkpoint.Directory))
        {
            builder.AddError($"{S}:Checkpoint:Directory is empty.");
        }

        return builder.Build();
    }

    private static void ValidateDrift(StreamEntropyOptions options, ValidateOptionsResultBuilder builder)
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

        if (options.Drift.MinimumReferenceEvents is < 1 or > DriftScoring.MaxMinimumReferenceEvents)
        {
            builder.AddError($"{At}:MinimumReferenceEvents must be between 1 and {DriftScoring.MaxMinimumReferenceEvents}, not {options.Drift.MinimumReferenceEvents}.");
            return;
        }

        try
        {
            DriftSettings? drift = OptionsMapper.ToDrift(options);
            if (drift is not null)
            {
                _ = new AlertEvaluator(drift.Rules); // validates every rule and the uniqueness of names
                if (options.Fields.Count > 0)
                {
                    drift.Baseline?.EnsureCompatible(OptionsMapper.ToSchema(options, withBudgets: false));
                }
            }
        }
        catch (ArgumentException e)
        {
            builder.AddError($"{At}:Rules: {e.Message.Split(" (Parameter", 2)[0]}");
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or BaselineMismatchException)
        {
            builder.AddError($"{At}:Baseline: {e.Message}");
        }
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
    }

    private static void ValidateBudgets(StreamEntropyOptions options, ValidateOptionsResultBuilder builder)
    {
        const string S = StreamEntropyOptions.SectionName;
        CheckRange(options.MaxDistinct, $"{S}:MaxDistinct");
        bool any = false;
        for (int i = 0; i < options.Fields.Count; i++)
        {
            if (options.Fields[i].MaxDistinct is int own)
            {
                CheckRange(own, $"{S}:Fields:{i}:MaxDistinct");
            }

            any |= OptionsMapper.MaxDistinct(options, options.Fields[i]) != 0;
        }

        if (!any)
        {
            return;
        }

        if (EntropyEstimatorNames.TryParse(options.Estimator, out EntropyEstimator estimator) && estimator != EntropyEstimator.MaximumLikelihood)
        {
            builder.AddError($"{S}:Estimator '{options.Estimator}' cannot be used with MaxDistinct: the bounded summaries bracket only the plug-in estimator; use ml or MaxDistinct 0.");
        }

        for (int i = 0; i < options.Windows.Count; i++)
        {
            if (OptionsMapper.TryParseKind(options.Windows[i].Kind, out WindowKind kind) && kind == WindowKind.Decay)
            {
                builder.AddError($"{S}:Windows:{i}:Kind Decay cannot be used with MaxDistinct: weighted counts have no bounded summary; remove the window or set MaxDistinct 0.");
            }
        }

        void CheckRange(int value, string setting)
        {
            if (value != 0 && (value < FieldDefinition.MinMaxDistinct || value > FieldDefinition.MaxMaxDistinct))
            {
                builder.AddError($"{setting} must be 0 (unlimited) or from {FieldDefinition.MinMaxDistinct} to {FieldDefinition.MaxMaxDistinct}, not {value}.");
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

            switch (kind)
            {
                case WindowKind.Tumbling or WindowKind.Sliding when w.Size is not { } size || size <= TimeSpan.Zero:
                    builder.AddError($"{at}:Size is required for a {kind} window and must be positive.");
                    break;
                case WindowKind.Sliding when w.Step is not { } step || step <= TimeSpan.Zero:
                    builder.AddError($"{at}:Step is required for a Sliding window and must be positive.");
                    break;
                case WindowKind.Sliding when w.Size!.Value.Ticks % w.Step!.Value.Ticks != 0 || w.Step > w.Size:
                    builder.AddError($"{at}:Step {w.Step} must divide Size {w.Size}.");
                    break;
                case WindowKind.Sliding when w.Size!.Value.Ticks / w.Step!.Value.Ticks > 10_000:
                    builder.AddError($"{at}:Step: Size / Step is {w.Size!.Value.Ticks / w.Step!.Value.Ticks} panes; at most 10000 are allowed.");
                    break;
                case WindowKind.Decay when w.HalfLife is not { } halfLife || halfLife <= TimeSpan.Zero:
                    builder.AddError($"{at}:HalfLife is required for a Decay window and must be positive.");
                    break;
            }
        }
    }
}
