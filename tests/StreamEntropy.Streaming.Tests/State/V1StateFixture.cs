using System.Globalization;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;
using static StreamEntropy.Streaming.Tests.Engine.EngineTestKit;

namespace StreamEntropy.Streaming.Tests.State;

/// <summary>The engine and events behind <c>Fixtures/engine-state-v1.bin</c>, a state saved by the engine of format
/// version 1 (before drift references and alert states were saved), kept to prove that newer builds still restore it.</summary>
internal static class V1StateFixture
{
    public const string FileName = "engine-state-v1.bin";

    public const int EventCount = 3000;

    public static WindowDefinition[] Windows { get; } =
    [
        new("all", WindowKind.Cumulative),
        new("tumble", WindowKind.Tumbling, TimeSpan.FromSeconds(1)),
        new("slide", WindowKind.Sliding, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(250)),
    ];

    public static EntropyEngine Create() =>
        new(Schema, Windows, Core.Estimation.EntropyEstimator.MillerMadow, drift: new DriftSettings(AlertRule.Defaults));

    /// <summary>Event <paramref name="i"/>: one per millisecond from the middle of a second, so the first tumbling
    /// window is partial.</summary>
    public static (byte[] Json, long T) Event(int i) =>
        (Engine.EngineTestKit.Event($"C{i * 7 % 5}", $"D{i * 3 % 4}", (i % 13 * 2.5).ToString(CultureInfo.InvariantCulture), $"S{i % 3}"), 1_700_000_000_500 + i);

    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "State", "Fixtures", FileName);
}
