using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Worker.Options;

/// <summary>What the engines are built from, mapped once from the validated <see cref="StreamEntropyOptions"/> (and
/// the baseline file read once): every engine the pipeline creates shares these immutable values.</summary>
/// <param name="Schema">The fields and pairs.</param>
/// <param name="Windows">The windows (one cumulative window <c>all</c> when none is configured).</param>
/// <param name="Estimator">The estimator of the published entropies.</param>
/// <param name="Base">The logarithm base of published values.</param>
/// <param name="MaxEventBytes">The largest accepted event.</param>
/// <param name="Drift">Drift scoring and alerting; null when disabled.</param>
internal sealed record EngineSettings(
    EventSchema Schema,
    IReadOnlyList<WindowDefinition> Windows,
    EntropyEstimator Estimator,
    LogBase Base,
    int MaxEventBytes,
    DriftSettings? Drift)
{
    /// <summary>Maps validated options; reads the baseline file, when one is named, through <paramref name="baselines"/>.</summary>
    public static EngineSettings From(StreamEntropyOptions options, BaselineLoader baselines)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new EngineSettings(
            OptionsMapper.ToSchema(options),
            OptionsMapper.ToWindows(options),
            OptionsMapper.ToEstimator(options),
            OptionsMapper.ToBase(options),
            options.MaxEventBytes,
            OptionsMapper.ToDrift(options, baselines));
    }

    /// <summary>Creates an engine with empty windows.</summary>
    /// <param name="withDrift">False in Group mode: each engine counts one partition, and drift is scored on the merged
    /// windows instead.</param>
    public EntropyEngine CreateEngine(bool withDrift) => new(Schema, Windows, Estimator, MaxEventBytes, withDrift ? Drift : null);
}
