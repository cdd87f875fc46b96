using System.Text;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Profiling;
using StreamEntropy.Streaming.Windows;
using static StreamEntropy.Streaming.Tests.Engine.EngineTestKit;

namespace StreamEntropy.Streaming.Tests.Engine;

public class EntropyEngineTests
{
    [Fact]
    public void Process_MalformedEvent_ReturnsErrorAndCountsNothing()
    {
        EntropyEngine engine = Create();
        Assert.Equal(DecodeError.None, engine.Process(Event("DE", "ios", "12", "ok"), 1000));
        Assert.Equal(DecodeError.InvalidJson, engine.Process("{\"user\":"u8, 5000));
        Assert.Equal(DecodeError.NotAnObject, engine.Process("[1]"u8, 5000));

        Assert.Equal(1, engine.Processed);
        Assert.Equal(2, engine.Rejected);
        Assert.NotEmpty(engine.LastErrorDetail);
        Assert.Equal(1000, engine.WatermarkMs); // rejected events do not move time
        foreach (WindowSnapshot s in engine.Snapshot())
        {
            Assert.Equal(1, s.Events);
            Assert.All(s.Fields, f => Assert.Equal(0, f.Missing));
        }
    }

    [Fact]
    public void Process_MissingAndNonNumericValues_CountedAsMissingAndInvalid()
    {
        EntropyEngine engine = Create([new WindowDefinition("all", WindowKind.Cumulative)]);
        Assert.Equal(DecodeError.None, engine.Process(Event("DE", null, "\"abc\"", "ok"), 1));
        Assert.Equal(DecodeError.None, engine.Process("{\"user\":{\"country\":null},\"device\":\"ios\",\"amount\":15}"u8, 2));

        WindowSnapshot s = Assert.Single(engine.Snapshot());
        FieldResult country = s.Fields[0];
        FieldResult device = s.Fields[1];
        FieldResult amount = s.Fields[2];
        FieldResult status = s.Fields[3];
        Assert.Equal((1L, 1L, 0L), (country.Count, country.Missing, country.Invalid));
        Assert.Equal((1L, 1L), (device.Count, device.Missing));
        Assert.Equal((1L, 0L, 1L), (amount.Count, amount.Missing, amount.Invalid));
        Assert.Equal((1L, 1L), (status.Count, status.Missing));
        Assert.All(s.Pairs, p => Assert.Equal(0, p.Entropies.Count)); // no event has both fields of a pair
        Assert.Equal(0, engine.Rejected);
    }

    [Fact]
    public void Cumulative_SameEventsAsFile_EqualsFileProfiler()
    {
        var rnd = new Random(7);
        var lines = new List<string>();
        EntropyEngine engine = Create([new WindowDefinition("all", WindowKind.Cumulative)], EntropyEstimator.Shrink);
        for (int i = 0; i < 2000; i++)
        {
            byte[] e = Event($"C{rnd.Next(8)}", rnd.Next(10) == 0 ? null : $"D{rnd.Next(3)}", $"{rnd.Next(500)}.{rnd.Next(10)}", $"S{rnd.Next(2)}");
            lines.Add(Encoding.UTF8.GetString(e));
            Assert.Equal(DecodeError.None, engine.Process(e, 1000 + i));
        }

        string path = Path.Combine(Path.GetTempPath(), $"engine-{Guid.NewGuid():N}.jsonl");
        try
        {
            File.WriteAllLines(path, lines);
            var profile = new FrequencySet(new EventEncoder(Schema));
            FileProfiler.Count(path, InputFormat.JsonLines, profile);

            WindowSnapshot s = Assert.Single(engine.Snapshot());
            Assert.Equal(profile.Events, s.Events);
            Assert.Equal(ResultCalculator.Fields(profile, EntropyEstimator.Shrink), s.Fields);
            Assert.Equal(ResultCalculator.Pairs(profile, EntropyEstimator.Shrink), s.Pairs);
            Assert.Equal("shrink", s.Estimator);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AdvanceTo_PastTumblingEnd_QueuesClosedSnapshotOnce()
    {
        EntropyEngine engine = Create([new WindowDefinition("t", WindowKind.Tumbling, TimeSpan.FromSeconds(1))]);
        engine.Process(Event("DE", "ios", "1", "ok"), 10_100);
        engine.Process(Event("FR", "web", "2", "ok"), 10_900);
        Assert.Empty(engine.TakeClosed());

        engine.AdvanceTo(9_000); // backwards: ignored
        Assert.Equal(10_900, engine.WatermarkMs);
        engine.AdvanceTo(11_000);

        WindowSnapshot closed = Assert.Single(engine.TakeClosed());
        Assert.True(closed.Closed);
        Assert.Equal(2, closed.Events);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(10_000), closed.Start);
        Assert.Empty(engine.TakeClosed());
        Assert.Equal(0, engine.Snapshot()[0].Events);
    }

    [Fact]
    public void Snapshot_DecayWindow_ReportsPlugInWhateverTheEstimator()
    {
        EntropyEngine engine = Create(estimator: EntropyEstimator.Grassberger);
        engine.Process(Event("DE", "ios", "1", "ok"), 10);
        IReadOnlyList<WindowSnapshot> snapshots = engine.Snapshot();
        Assert.Equal(["grassberger", "grassberger", "grassberger", "ml"], snapshots.Select(s => s.Estimator));
        Assert.Equal(["all", "minute", "sliding", "decay"], snapshots.Select(s => s.Window));
    }

    [Fact]
    public void Constructor_InvalidWindows_ThrowsNamingTheProblem()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => Create([new WindowDefinition("a", WindowKind.Cumulative), new WindowDefinition("a", WindowKind.Cumulative)]));
        Assert.Contains("'a'", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Create([new WindowDefinition("s", WindowKind.Sliding, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(3))]));
        Assert.Equal("Step", e.ParamName);
        Assert.Throws<ArgumentException>(() => Create([]));
    }

    [Theory]
    [InlineData(WindowKind.Tumbling, null, null, null, "Size")]
    [InlineData(WindowKind.Tumbling, 1.5, null, null, "Size")]
    [InlineData(WindowKind.Sliding, 1000.0, null, null, "Step")]
    [InlineData(WindowKind.Sliding, 1000.0, 2000.0, null, "Step")]
    [InlineData(WindowKind.Sliding, 1000.0, 0.1, null, "Step")]
    [InlineData(WindowKind.Decay, null, null, null, "HalfLife")]
    [InlineData(WindowKind.Decay, null, null, -5.0, "HalfLife")]
    public void WindowDefinitionValidate_BadDurations_ThrowNamingTheSetting(WindowKind kind, double? sizeMs, double? stepMs, double? halfLifeMs, string setting)
    {
        var d = new WindowDefinition("w", kind, Ms(sizeMs), Ms(stepMs), Ms(halfLifeMs));
        ArgumentException e = Assert.Throws<ArgumentException>(d.Validate);
        Assert.Equal(setting, e.ParamName);
        Assert.Contains("'w'", e.Message, StringComparison.Ordinal);

        static TimeSpan? Ms(double? ms) => ms is double v ? TimeSpan.FromTicks((long)(v * TimeSpan.TicksPerMillisecond)) : null;
    }

    [Fact]
    public void Process_SteadyState_AllocatesNothing()
    {
        EntropyEngine engine = Create(
        [
            new WindowDefinition("all", WindowKind.Cumulative),
            new WindowDefinition("hour", WindowKind.Tumbling, TimeSpan.FromHours(1)),
            new WindowDefinition("ten", WindowKind.Sliding, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1)),
        ]);
        byte[][] events =
        [
            Event("DE", "ios", "12.5", "ok"), Event("FR", "web", "99", "error"), Event("US", null, "\"x\"", "ok"),
            Event("DE", "android", "0.25", "timeout"), Event("GB", "ios", "1234", "ok"),
        ];
        const long T0 = 1_700_000_040_000; // a minute boundary, so all times below fall in one pane
        for (int i = 0; i < 10_000; i++)
        {
            engine.Process(events[i % events.Length], T0 + (i % 7));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20_000; i++)
        {
            engine.Process(events[i % events.Length], T0 + 10 + (i / 1000));
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(30_000, engine.Processed);
    }
}
