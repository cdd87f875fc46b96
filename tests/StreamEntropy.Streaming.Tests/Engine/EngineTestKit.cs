using System.Text;
using CsCheck;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Tests.Engine;

internal static class EngineTestKit
{
    public static EventSchema Schema { get; } = new(
        [new FieldDefinition("country", "user.country"), new FieldDefinition("device", "device"), new FieldDefinition("amount", "amount", 10), new FieldDefinition("status", "status")],
        [new PairDefinition("country", "device"), new PairDefinition("device", "status")]);

    public static WindowDefinition[] AllKinds { get; } =
    [
        new("all", WindowKind.Cumulative),
        new("minute", WindowKind.Tumbling, TimeSpan.FromSeconds(1)),
        new("sliding", WindowKind.Sliding, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(100)),
        new("decay", WindowKind.Decay, HalfLife: TimeSpan.FromMilliseconds(50)),
    ];

    public static EntropyEngine Create(IReadOnlyList<WindowDefinition>? windows = null, EntropyEstimator estimator = EntropyEstimator.ChaoShen) =>
        new(Schema, windows ?? AllKinds, estimator);

    public static byte[] Event(string? country, string? device, string? amount, string? status)
    {
        var json = new StringBuilder("{");
        if (country is not null)
        {
            json.Append("\"user\":{\"country\":\"").Append(country).Append("\"},");
        }

        if (device is not null)
        {
            json.Append("\"device\":\"").Append(device).Append("\",");
        }

        if (amount is not null)
        {
            json.Append("\"amount\":").Append(amount).Append(',');
        }

        if (status is not null)
        {
            json.Append("\"status\":\"").Append(status).Append("\",");
        }

        json.Append("\"pad\":0}");
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    /// <summary>Random events: some fields missing, some amounts not numbers, a few malformed; times mostly increasing.</summary>
    public static Gen<(byte[] Json, long T)[]> Events(int maxCount = 200) =>
        Gen.Select(
            Gen.Select(Gen.Int[-1, 5], Gen.Int[-1, 3], Gen.Int[-2, 40], Gen.Int[0, 2], Gen.Int[0, 50]),
            Gen.Frequency((16, Gen.Int[0, 40]), (3, Gen.Int[-300, 0]), (1, Gen.Int[0, 3000])))
        .Array[1, maxCount]
        .Select(items =>
        {
            var events = new (byte[], long)[items.Length];
            long t = 1_700_000_000_000;
            for (int i = 0; i < items.Length; i++)
            {
                ((int c, int d, int a, int s, int malformed), int step) = items[i];
                t += step;
                events[i] = malformed == 0
                    ? (Encoding.UTF8.GetBytes("{\"user\":"), t)
                    : (Event(
                        c < 0 ? null : $"C{c}",
                        d < 0 ? null : $"D{d}",
                        a == -1 ? null : a == -2 ? "\"n/a\"" : (a * 7.5).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        $"S{s}"), t);
            }

            return events;
        });
}
