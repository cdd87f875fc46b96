using System.Globalization;
using System.Text;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Tests.State;

/// <summary>Engines fed with seeded pseudo-random events, one per kind of saved state: every window kind with drift
/// references, MaxDistinct budgets (exact and overflowed into summaries) with a tuple, discovered fields with rule-formed
/// pairs, and a field with many distinct values next to heavy ones (counts past the large-value threshold, in fields and
/// pair marginals). The fixtures <c>Fixtures/engine-state-v2-*.bin</c> are the states the previous encoder saved from
/// these engines, after <see cref="FirstEvents"/> and again after the rest.</summary>
/// <remarks>Uses only the engine's public API and <see cref="Random"/> with a seed (whose sequence .NET keeps stable), so
/// the same events come out of any version.</remarks>
internal static class StateFixtureEngines
{
    public const int FirstEvents = 3_000;
    public const int AllEvents = 5_000;

    public static IReadOnlyList<string> Names { get; } = ["all-kinds", "budgeted", "discovered", "heavy"];

    public static EntropyEngine Create(string name) => name switch
    {
        "all-kinds" => new EntropyEngine(
            new EventSchema(
                [new FieldDefinition("country", "user.country"), new FieldDefinition("device", "device"), new FieldDefinition("amount", "amount", 10), new FieldDefinition("status", "status")],
                [new PairDefinition("country", "device"), new PairDefinition("device", "status")]),
            [
                new WindowDefinition("all", WindowKind.Cumulative),
                new WindowDefinition("second", WindowKind.Tumbling, TimeSpan.FromSeconds(1)),
                new WindowDefinition("sliding", WindowKind.Sliding, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(100)),
                new WindowDefinition("decay", WindowKind.Decay, HalfLife: TimeSpan.FromMilliseconds(300)),
            ],
            EntropyEstimator.ChaoShen,
            drift: new DriftSettings(AlertRule.Defaults, new DriftScoring { MinimumReferenceEvents = 50 })),
        "budgeted" => new EntropyEngine(
            new EventSchema(
                [
                    new FieldDefinition("country", "user.country", MaxDistinct: 64),
                    new FieldDefinition("id", "id", MaxDistinct: FieldDefinition.MinMaxDistinct),
                    new FieldDefinition("device", "device"),
                    FieldDefinition.Tuple(["country", "device"], maxDistinct: 32),
                ],
                [new PairDefinition("country", "device"), new PairDefinition("id", "device")]),
            [new WindowDefinition("all", WindowKind.Cumulative), new WindowDefinition("second", WindowKind.Tumbling, TimeSpan.FromSeconds(1))],
            EntropyEstimator.MaximumLikelihood),
        "discovered" => new EntropyEngine(
            new EventSchema([new FieldDefinition("country", "user.country")], [], [new DiscoveryRule(FieldPattern.Parse("*"), [FieldPattern.Parse("id")], 20, 0)], [new PairRule(FieldPattern.Parse("*"), FieldPattern.Parse("status"))]),
            [new WindowDefinition("all", WindowKind.Cumulative), new WindowDefinition("sliding", WindowKind.Sliding, TimeSpan.FromMilliseconds(800), TimeSpan.FromMilliseconds(200))],
            EntropyEstimator.MaximumLikelihood),
        "heavy" => new EntropyEngine(
            new EventSchema([new FieldDefinition("user", "id"), new FieldDefinition("country", "user.country")], [new PairDefinition("user", "country")]),
            [new WindowDefinition("all", WindowKind.Cumulative)],
            EntropyEstimator.MaximumLikelihood),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "No such fixture engine."),
    };

    /// <summary>The engine's events from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive).</summary>
    public static void Feed(string name, EntropyEngine engine, int from, int to)
    {
        var random = new Random(name.Length * 7919);
        long t = 1_764_000_000_000;
        for (int i = 0; i < to; i++)
        {
            // Every event draws the same numbers whether it is fed or skipped, so a feed can resume where one stopped.
            int country = Skewed(random, 6);
            int device = random.Next(4);
            int status = random.Next(3);
            int amount = random.Next(60);
            int id = random.Next(2) == 0 ? random.Next(2) : random.Next(2_000);
            int extra = random.Next(5);
            t += random.Next(4);
            if (i < from)
            {
                continue;
            }

            var json = new StringBuilder();
            json.Append(CultureInfo.InvariantCulture, $"{{\"user\":{{\"country\":\"C{country}\"}},\"device\":\"D{device}\",\"status\":\"S{status}\",\"amount\":{amount * 2.5},\"id\":\"u{id}\"");
            if (extra > 2)
            {
                json.Append(CultureInfo.InvariantCulture, $",\"f{extra}\":\"v{i % 9}\"");
            }

            if (i % 97 == 0)
            {
                json.Append(",\"status\":"); // malformed: rejected, counted as such
            }

            json.Append('}');
            _ = engine.Process(Encoding.UTF8.GetBytes(json.ToString()), t);
        }

        _ = engine.TakeClosed();
        _ = engine.TakeAlerts();
    }

    // Mostly the first values: some counts pass the large-value threshold within a few thousand events.
    private static int Skewed(Random random, int values) => Math.Min(values - 1, (int)(-Math.Log(1 - random.NextDouble()) * 1.2));
}
