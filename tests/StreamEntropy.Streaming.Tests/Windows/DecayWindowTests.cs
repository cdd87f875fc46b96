using CsCheck;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Windows;
using static StreamEntropy.Streaming.Tests.Windows.WindowTestKit;

namespace StreamEntropy.Streaming.Tests.Windows;

public class DecayWindowTests
{
    private const double HalfLifeMs = 10;

    private static DecayWindow Create() =>
        new(new WindowDefinition("d", WindowKind.Decay, HalfLife: TimeSpan.FromMilliseconds(HalfLifeMs)), new EventEncoder(Schema));

    // The definition, computed naively: p_v ∝ Σ_i 2^(−(T − t_i)/HalfLife) over the events with value v. Entropy and
    // effective count do not change when every weight is scaled by one factor, so the weights are taken relative to the
    // newest event (2^((t_i − t_max)/HalfLife)): relative to a watermark thousands of half-lives later they underflow,
    // and total² / Σw² became 0 / 0 (a seed in CI found that).
    private static (double Entropy, double EffectiveCount) Naive(IEnumerable<(int Id, long T)> values, long watermark)
    {
        (int Id, long T)[] all = [.. values];
        long newest = all.Length == 0 ? watermark : all.Max(v => v.T);
        var weights = new Dictionary<int, double>();
        double sumSquares = 0;
        foreach ((int id, long t) in all)
        {
            double w = Math.Pow(2, -(newest - t) / HalfLifeMs);
            weights[id] = weights.GetValueOrDefault(id) + w;
            sumSquares += w * w;
        }

        double total = weights.Values.Sum();
        if (total == 0)
        {
            return (double.NaN, 0);
        }

        double h = 0;
        foreach (double w in weights.Values)
        {
            double p = w / total;
            if (p > 0) // a subnormal weight can give p = 0, and 0·ln 0 would be NaN
            {
                h -= p * Math.Log(p);
            }
        }

        return (h, total * total / sumSquares);
    }

    [Fact]
    public void Snapshot_RandomEventsOverThousandsOfHalfLives_EqualsNaiveDefinition()
    {
        int renormalized = 0;
        Events(PresentIds, maxStep: 40, maxBack: 60, maxJump: 3000, maxCount: 400).Sample(events =>
        {
            DecayWindow window = Create();
            var driver = new WindowDriver(window);
            foreach (TestEvent e in events)
            {
                driver.Feed(e);
            }

            renormalized += window.Renormalizations;
            WindowSnapshot s = driver.Snapshot();
            Assert.Equal("ml", s.Estimator);
            Assert.Equal(events.Length, s.Events);
            for (int f = 0; f < 3; f++)
            {
                (double h, double n) = Naive(events.Where(e => e.Ids[f] >= 0).Select(e => (e.Ids[f], e.T)), driver.Watermark);
                AssertClose(h, s.Fields[f].Entropy);
                Assert.InRange((double)s.Fields[f].Count, n - 1, n + 1);
                Assert.Equal(events.Count(e => e.Ids[f] == -1), s.Fields[f].Missing);
                Assert.Equal(events.Count(e => e.Ids[f] == -2), s.Fields[f].Invalid);
            }

            for (int p = 0; p < 2; p++)
            {
                (int xf, int yf) = Schema.PairIndexes(p);
                TestEvent[] both = [.. events.Where(e => e.Ids[xf] >= 0 && e.Ids[yf] >= 0)];
                AssertClose(Naive(both.Select(e => ((e.Ids[xf] * 100) + e.Ids[yf], e.T)), driver.Watermark).Entropy, s.Pairs[p].Entropies.Joint);
                AssertClose(Naive(both.Select(e => (e.Ids[xf], e.T)), driver.Watermark).Entropy, s.Pairs[p].Entropies.X);
                AssertClose(Naive(both.Select(e => (e.Ids[yf], e.T)), driver.Watermark).Entropy, s.Pairs[p].Entropies.Y);
            }
        }, iter: 100);

        Assert.True(renormalized > 50, $"only {renormalized} renormalisations: the test does not exercise them");
    }

    [Fact]
    public void Snapshot_SpanOfThousandHalfLives_Renormalizes()
    {
        DecayWindow window = Create();
        var driver = new WindowDriver(window);
        for (int i = 0; i <= 1000; i++)
        {
            driver.Feed(new TestEvent([i % 3, 0, 0], i * (long)HalfLifeMs));
        }

        Assert.True(window.Renormalizations >= 3);
        (double h, _) = Naive(Enumerable.Range(0, 1001).Select(i => (i % 3, i * (long)HalfLifeMs)), driver.Watermark);
        AssertClose(h, driver.Snapshot().Fields[0].Entropy);
        Assert.True(double.IsNaN(driver.Snapshot().Fields[0].Coverage));
    }

    [Fact]
    public void Snapshot_EqualTimes_EqualsPlugInOfCounts()
    {
        DecayWindow window = Create();
        var driver = new WindowDriver(window);
        int[] values = [0, 0, 1, 2, 2, 2];
        foreach (int v in values)
        {
            driver.Feed(new TestEvent([v, 0, 0], 77));
        }

        double expected = -((2 / 6.0 * Math.Log(2 / 6.0)) + (1 / 6.0 * Math.Log(1 / 6.0)) + (3 / 6.0 * Math.Log(3 / 6.0)));
        WindowSnapshot s = driver.Snapshot();
        AssertClose(expected, s.Fields[0].Entropy, 1e-12);
        Assert.Equal(6, s.Fields[0].Count);
        Assert.Equal(3, s.Fields[0].Distinct);
    }
}
