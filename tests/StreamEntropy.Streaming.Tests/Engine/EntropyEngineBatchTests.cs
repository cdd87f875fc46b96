using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CsCheck;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Tests.Engine;

/// <summary><see cref="EntropyEngine.ProcessMany"/> against <see cref="EntropyEngine.Process"/>, its reference: random
/// event streams cut into random batches must give the same results, error details, closed windows, alerts, counters,
/// snapshots and saved state bytes, bit for bit.</summary>
public sealed class EntropyEngineBatchTests
{
    private static readonly JsonSerializerOptions SnapshotJson = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    private static readonly WindowDefinition[] NoDecay =
    [
        new("all", WindowKind.Cumulative),
        new("second", WindowKind.Tumbling, TimeSpan.FromSeconds(1)),
        new("sliding", WindowKind.Sliding, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(100)),
    ];

    // Only windows that drop late events: an event every window drops must intern no pair.
    private static readonly WindowDefinition[] LateDropping =
    [
        new("sliding", WindowKind.Sliding, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(100)),
        new("second", WindowKind.Tumbling, TimeSpan.FromSeconds(1)),
    ];

    private static readonly string[] Malformed = ["{\"user\":", "", "[1,2]", "{\"a\":1}}", "{\"device\":\"\\ud800\"}"];

    private static EventSchema Plain() => new(
        [
            new FieldDefinition("country", "user.country"),
            new FieldDefinition("device", "device"),
            new FieldDefinition("amount", "amount", 10),
            new FieldDefinition("status", "status"),
            new FieldDefinition("note", "note"),
        ],
        [new PairDefinition("country", "device"), new PairDefinition("device", "status"), new PairDefinition("note", "country")]);

    private static EventSchema TuplesAndBudgets() => new(
        [
            new FieldDefinition("country", "user.country"),
            new FieldDefinition("device", "device", MaxDistinct: 16),
            new FieldDefinition("amount", "amount", 10),
            new FieldDefinition("note", "note", MaxDistinct: 32),
            new FieldDefinition("status", "status"),
            FieldDefinition.Tuple(["country", "device"]),
            FieldDefinition.Tuple(["country", "amount"]),
        ],
        [new PairDefinition("country+device", "status"), new PairDefinition("country+amount", "status"), new PairDefinition("country", "status"), new PairDefinition("note", "country")]);

    private static EventSchema Discovering() => new(
        [new FieldDefinition("country", "user.country")],
        [],
        [new DiscoveryRule(FieldPattern.Parse("*"), [], 12, 0)],
        []);

    private static DriftSettings Drift() => new(AlertRule.Defaults);

    [Fact]
    public void ProcessMany_AllWindowKindsWithDrift_SameAsProcess() =>
        Check(() => new EntropyEngine(Plain(), EngineTestKit.AllKinds, EntropyEstimator.ChaoShen, drift: Drift()));

    [Fact]
    public void ProcessMany_TuplesAndBudgets_SameAsProcess() =>
        Check(() => new EntropyEngine(TuplesAndBudgets(), NoDecay, EntropyEstimator.MaximumLikelihood, drift: Drift()));

    [Fact]
    public void ProcessMany_OnlyWindowsThatDropLateEvents_SameAsProcess() =>
        Check(() => new EntropyEngine(Plain(), LateDropping, EntropyEstimator.MillerMadow));

    [Fact]
    public void ProcessMany_Discovery_SameAsProcess() =>
        Check(() => new EntropyEngine(Discovering(), NoDecay, EntropyEstimator.MaximumLikelihood));

    [Fact]
    public void ProcessMany_ManyDistinctValuesInLongBatches_SameAsProcess()
    {
        // More events than one run, values mostly new: the interners grow inside runs.
        var random = new Random(5);
        var events = new (byte[] Json, long T)[3000];
        long t = 1_700_000_000_000;
        for (int i = 0; i < events.Length; i++)
        {
            t += random.Next(3);
            events[i] = (Json($"C{random.Next(100_000)}", $"D{random.Next(7)}", (random.Next(400) * 1.5).ToString(CultureInfo.InvariantCulture), $"S{random.Next(1000)}", new string('n', random.Next(30)) + random.Next(50_000)), t);
        }

        foreach (Func<EntropyEngine> create in new Func<EntropyEngine>[]
        {
            () => new EntropyEngine(Plain(), EngineTestKit.AllKinds, EntropyEstimator.ChaoShen, drift: Drift()),
            () => new EntropyEngine(TuplesAndBudgets(), NoDecay, EntropyEstimator.MaximumLikelihood),
        })
        {
            RunBoth(create, events, [1000, 1, 1999], groupInternAt: 0);
            RunBoth(create, events, [700, 2300], groupInternAt: 1000);
        }
    }

    [Fact]
    public void ProcessMany_ErrorDetails_AreEachRejectedEventsOwn()
    {
        var engine = new EntropyEngine(Plain(), NoDecay, EntropyEstimator.MaximumLikelihood);
        var reference = new EntropyEngine(Plain(), NoDecay, EntropyEstimator.MaximumLikelihood);
        byte[][] events = [Encoding.UTF8.GetBytes("{\"user\":"), Json("DE", "ios", "1", "ok", "x"), Encoding.UTF8.GetBytes("[1]"), [], [0xFF, 0x7B]];
        string?[] expected = [.. events.Select(e => reference.Process(e, 1000) == DecodeError.None ? null : reference.LastErrorDetail)];
        (byte[] arena, int[] starts, int[] lengths) = Pack(events);
        var results = new DecodeError[events.Length];
        var details = new string?[events.Length];
        engine.ProcessMany(arena, starts, lengths, [.. events.Select(_ => 1000L)], results, details);
        Assert.Equal(expected, details);
        Assert.Equal(4, results.Count(r => r != DecodeError.None));
        Assert.Equal(reference.LastErrorDetail, engine.LastErrorDetail);
    }

    [Fact]
    public void Process_DiscoveryAndALoneSurrogateOutsideConfiguredPaths_CountsTheEventWithoutDiscoveringIt()
    {
        // The decoder accepts the event (no configured path reads the string); listing its leaves cannot unescape it.
        var engine = new EntropyEngine(Discovering(), NoDecay, EntropyEstimator.MaximumLikelihood);
        Assert.Equal(DecodeError.None, engine.Process(Encoding.UTF8.GetBytes("{\"user\":{\"country\":\"DE\"},\"device\":\"\\ud800\"}"), 1000));
        Assert.Equal(DecodeError.None, engine.Process(Encoding.UTF8.GetBytes("{\"user\":{\"country\":\"DE\"},\"device\":\"ios\"}"), 1001));
        Assert.Equal(2, engine.Processed);
        Assert.Contains(engine.Schema.Fields, f => f.Name == "device");
    }

    // The batched engine interns a run's values in groups from 0 (every field and pair), 16 or 4 096 (the default:
    // here, none) distinct values on.
    private static void Check(Func<EntropyEngine> create) =>
        Gen.Select(Events(), Gen.Int[1, 300].Array[1, 12], Gen.Int[0, 2]).Sample(
            sample => RunBoth(create, sample.Item1, sample.Item2, groupInternAt: sample.Item3 switch { 0 => 0, 1 => 16, _ => 4096 }),
            iter: 60);

    /// <summary>Random events: fields missing or null, amounts that are not numbers, malformed and empty events, long
    /// values, UTF-8 and escapes, values from a few or from thousands; times mostly increasing, some late, some far
    /// ahead (closing every window).</summary>
    private static Gen<(byte[] Json, long T)[]> Events()
    {
        Gen<string?> text = Gen.Frequency(
            (6, Gen.Int[0, 6].Select(i => (string?)$"v{i}")),
            (3, Gen.Int[0, 5000].Select(i => (string?)$"many{i}")),
            (1, Gen.Const((string?)null)),
            (1, Gen.Int[0, 400].Select(n => (string?)(new string('x', n) + "é日本\u00e9😀\"\\"))),
            (1, Gen.String[0, 12].Select(s => (string?)s)));
        Gen<string?> amount = Gen.Frequency(
            (6, Gen.Int[-50, 500].Select(i => (string?)(i * 2.5).ToString(CultureInfo.InvariantCulture))),
            (1, Gen.Const((string?)"\"n/a\"")),
            (1, Gen.Const((string?)null)));
        Gen<byte[]> json = Gen.Frequency(
            (20, Gen.Select(text, text, amount, text, text).Select(v => Json(v.Item1, v.Item2, v.Item3, v.Item4, v.Item5, raw: true))),
            (1, Gen.Int[0, 4].Select(i => Malformed[i]).Select(Encoding.UTF8.GetBytes)),
            (1, Gen.Const(new byte[] { 0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D })));
        Gen<int> step = Gen.Frequency((16, Gen.Int[0, 40]), (3, Gen.Int[-700, 0]), (1, Gen.Int[0, 3000]));
        return Gen.Select(json, step).Array[1, 400].Select(items =>
        {
            var events = new (byte[], long)[items.Length];
            long t = 1_700_000_000_000;
            for (int i = 0; i < items.Length; i++)
            {
                t += items[i].Item2;
                events[i] = (items[i].Item1, t);
            }

            return events;
        });
    }

    private static byte[] Json(string? country, string? device, string? amount, string? status, string? note, bool raw = false)
    {
        var json = new StringBuilder("{");
        if (note is not null)
        {
            json.Append("\"note\":").Append(JsonSerializer.Serialize(note)).Append(',');
        }

        json.Append("\"user\":{\"country\":").Append(country is null ? "null" : JsonSerializer.Serialize(country)).Append("},");
        if (device is not null)
        {
            json.Append("\"device\":").Append(JsonSerializer.Serialize(device)).Append(',');
        }

        if (amount is not null)
        {
            json.Append("\"amount\":").Append(raw || amount.StartsWith('"') ? amount : JsonSerializer.Serialize(amount)).Append(',');
        }

        if (status is not null)
        {
            json.Append("\"status\":").Append(JsonSerializer.Serialize(status)).Append(',');
        }

        json.Append("\"pad\":0}");
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    private static (byte[] Arena, int[] Starts, int[] Lengths) Pack(byte[][] events)
    {
        var starts = new int[events.Length];
        var lengths = new int[events.Length];
        var arena = new List<byte>();
        for (int i = 0; i < events.Length; i++)
        {
            starts[i] = arena.Count;
            lengths[i] = events[i].Length;
            arena.AddRange(events[i]);
        }

        return ([.. arena], starts, lengths);
    }

    // Feeds the events to one engine by Process and to another by ProcessMany in batches of the given sizes (cycled),
    // comparing everything observable after every batch, and the saved state midway (saving canonicalises both alike,
    // and both count on from there) and at the end.
    private static void RunBoth(Func<EntropyEngine> create, (byte[] Json, long T)[] events, int[] batchSizes, int groupInternAt)
    {
        EntropyEngine reference = create();
        EntropyEngine batched = create();
        batched.GroupInternAt = groupInternAt;
        int at = 0;
        int batchNumber = 0;
        while (at < events.Length)
        {
            int n = Math.Min(batchSizes[batchNumber % batchSizes.Length], events.Length - at);
            var expectedResults = new DecodeError[n];
            var expectedDetails = new string?[n];
            for (int i = 0; i < n; i++)
            {
                expectedResults[i] = reference.Process(events[at + i].Json, events[at + i].T);
                expectedDetails[i] = expectedResults[i] == DecodeError.None ? null : reference.LastErrorDetail;
            }

            (byte[] arena, int[] starts, int[] lengths) = Pack([.. events.Skip(at).Take(n).Select(e => e.Json)]);
            var results = new DecodeError[n];
            var details = new string?[n];
            batched.ProcessMany(arena, starts, lengths, [.. events.Skip(at).Take(n).Select(e => e.T)], results, details);

            Assert.Equal(expectedResults, results);
            Assert.Equal(expectedDetails, details);
            Assert.Equal(reference.LastErrorDetail, batched.LastErrorDetail);
            Assert.Equal(reference.Processed, batched.Processed);
            Assert.Equal(reference.Rejected, batched.Rejected);
            Assert.Equal(reference.WatermarkMs, batched.WatermarkMs);
            Assert.Equal(Serialize(reference.TakeClosed()), Serialize(batched.TakeClosed()));
            Assert.Equal(Serialize(reference.TakeAlerts()), Serialize(batched.TakeAlerts()));
            if (batchNumber == 1)
            {
                Assert.Equal(State(reference), State(batched));
            }

            at += n;
            batchNumber++;
        }

        Assert.Equal(Serialize(reference.Snapshot()), Serialize(batched.Snapshot()));
        Assert.Equal(MissingTotals(reference), MissingTotals(batched));
        Assert.Equal(reference.Schema.Fields.Count, batched.Schema.Fields.Count);
        Assert.Equal(State(reference), State(batched));
    }

    private static string Serialize<T>(T value) => JsonSerializer.Serialize(value, SnapshotJson);

    private static Dictionary<string, long> MissingTotals(EntropyEngine engine)
    {
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        engine.AddMissingTotals(totals);
        return totals;
    }

    private static byte[] State(EntropyEngine engine)
    {
        using var stream = new MemoryStream();
        engine.Save(stream);
        return stream.ToArray();
    }
}
