using CsCheck;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Tests.Windows;

/// <summary>One encoded event: value ids of fields a, b, c (−1 missing, −2 invalid) and its time.</summary>
internal readonly record struct TestEvent(int[] Ids, long T);

/// <summary>Feeds encoded events to one window the way the engine does, remembering what it closed and when.</summary>
internal sealed class WindowDriver(EntropyWindow window)
{
    private int _fed;

    public long Watermark { get; private set; } = long.MinValue;

    public List<WindowSnapshot> Closed { get; } = [];

    /// <summary>For each closed snapshot, how many events had been fed when it closed.</summary>
    public List<int> ClosedAfter { get; } = [];

    public void Feed(TestEvent e)
    {
        AdvanceTo(e.T);
        window.Add(e.Ids, e.T);
        _fed++;
    }

    public void AdvanceTo(long t)
    {
        if (t > Watermark)
        {
            Watermark = t;
            int before = Closed.Count;
            window.Advance(t, Closed);
            for (int i = before; i < Closed.Count; i++)
            {
                ClosedAfter.Add(_fed);
            }
        }
    }

    public WindowSnapshot Snapshot() => window.Snapshot(Watermark);
}

internal static class WindowTestKit
{
    public static EventSchema Schema { get; } = new(
        [new FieldDefinition("a", "a"), new FieldDefinition("b", "b", 1.0), new FieldDefinition("c", "c")],
        [new PairDefinition("a", "b"), new PairDefinition("b", "c")]);

    /// <summary>Ids: a in −1..4 (missing sometimes), b in −2..3 (missing or invalid sometimes), c in 0..6.</summary>
    public static Gen<int[]> Ids { get; } = Gen.Select(Gen.Int[-1, 4], Gen.Int[-2, 3], Gen.Int[0, 6], (a, b, c) => new[] { a, b, c });

    /// <summary>Ids with a and c always present (for decay, whose reference must not underflow).</summary>
    public static Gen<int[]> PresentIds { get; } = Gen.Select(Gen.Int[0, 4], Gen.Int[-2, 3], Gen.Int[0, 6], (a, b, c) => new[] { a, b, c });

    /// <summary>Event sequences whose times mostly increase (steps of 0–<paramref name="maxStep"/> ms), with some disorder
    /// (steps back of up to <paramref name="maxBack"/> ms) and an occasional jump of up to <paramref name="maxJump"/> ms.</summary>
    public static Gen<TestEvent[]> Events(Gen<int[]> ids, int maxStep, int maxBack, int maxJump, int maxCount = 300) =>
        Gen.Select(
            Gen.Int[-5000, 5000],
            Gen.Select(ids, Gen.Frequency((16, Gen.Int[0, maxStep]), (3, Gen.Int[-maxBack, 0]), (1, Gen.Int[0, maxJump]))).Array[1, maxCount],
            (start, steps) =>
            {
                var events = new TestEvent[steps.Length];
                long t = start;
                for (int i = 0; i < steps.Length; i++)
                {
                    t += steps[i].Item2;
                    events[i] = new TestEvent(steps[i].Item1, t);
                }

                return events;
            });

    public static FrequencySet Profile(EventEncoder encoder, IEnumerable<TestEvent> events)
    {
        var set = new FrequencySet(encoder);
        foreach (TestEvent e in events)
        {
            set.Add(e.Ids);
        }

        return set;
    }

    /// <summary>Asserts that a snapshot reports what a from-scratch count of the expected events gives.</summary>
    public static void AssertMatches(FrequencySet expected, WindowSnapshot actual, EntropyEstimator estimator)
    {
        Assert.Equal(expected.Events, actual.Events);
        FieldResult[] fields = ResultCalculator.Fields(expected, estimator);
        Assert.Equal(fields.Length, actual.Fields.Count);
        for (int f = 0; f < fields.Length; f++)
        {
            FieldResult e = fields[f];
            FieldResult a = actual.Fields[f];
            Assert.Equal(e.Name, a.Name);
            Assert.Equal(e.Count, a.Count);
            Assert.Equal(e.Distinct, a.Distinct);
            Assert.Equal(e.Missing, a.Missing);
            Assert.Equal(e.Invalid, a.Invalid);
            AssertClose(e.Entropy, a.Entropy);
            AssertClose(e.StandardError, a.StandardError);
            AssertClose(e.Coverage, a.Coverage);
        }

        PairResult[] pairs = ResultCalculator.Pairs(expected, estimator);
        Assert.Equal(pairs.Length, actual.Pairs.Count);
        for (int p = 0; p < pairs.Length; p++)
        {
            PairResult e = pairs[p];
            PairResult a = actual.Pairs[p];
            Assert.Equal(e.Key, a.Key);
            Assert.Equal(e.DistinctPairs, a.DistinctPairs);
            Assert.Equal(e.Entropies.Count, a.Entropies.Count);
            AssertClose(e.Entropies.X, a.Entropies.X);
            AssertClose(e.Entropies.Y, a.Entropies.Y);
            AssertClose(e.Entropies.Joint, a.Entropies.Joint);
        }
    }

    public static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();
}
