using CsCheck;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Windows;
using static StreamEntropy.Streaming.Tests.Windows.WindowTestKit;

namespace StreamEntropy.Streaming.Tests.Windows;

public class SlidingWindowTests
{
    private const EntropyEstimator Estimator = EntropyEstimator.MillerMadow;

    private static (SlidingWindow Window, EventEncoder Encoder) Create(long sizeMs, long stepMs)
    {
        var encoder = new EventEncoder(Schema);
        var definition = new WindowDefinition("s", WindowKind.Sliding, TimeSpan.FromMilliseconds(sizeMs), TimeSpan.FromMilliseconds(stepMs));
        return (new SlidingWindow(definition, encoder, Estimator), encoder);
    }

    [Fact]
    public void Snapshot_CoversTheLastSizeOfPanes()
    {
        (SlidingWindow window, EventEncoder encoder) = Create(300, 100);
        var driver = new WindowDriver(window);
        TestEvent[] events = [new([0, 0, 0], 50), new([1, 1, 1], 150), new([2, 2, 2], 250), new([3, 3, 3], 350)];
        foreach (TestEvent e in events)
        {
            driver.Feed(e);
        }

        WindowSnapshot s = driver.Snapshot();
        Assert.Equal(100, Ms(s.Start!.Value));
        Assert.Equal(400, Ms(s.End));
        AssertMatches(Profile(encoder, events[1..]), s, Estimator);
        Assert.Equal(3, driver.Closed.Count); // the windows ending at 100, 200 and 300
        Assert.Equal([100L, 200L, 300L], driver.Closed.Select(c => Ms(c.End)));
    }

    [Fact]
    public void Add_OlderThanLiveRange_IsLate()
    {
        (SlidingWindow window, _) = Create(300, 100);
        var driver = new WindowDriver(window);
        driver.Feed(new TestEvent([0, 0, 0], 550));
        driver.Feed(new TestEvent([0, 0, 0], 300)); // live: panes 300..599
        driver.Feed(new TestEvent([0, 0, 0], 299)); // late
        WindowSnapshot s = driver.Snapshot();
        Assert.Equal(2, s.Events);
        Assert.Equal(1, s.Late);
    }

    [Fact]
    public void Advance_LongGap_ClosesAtMostOneWindowPerPaneThenEmpties()
    {
        (SlidingWindow window, _) = Create(300, 100);
        var driver = new WindowDriver(window);
        driver.Feed(new TestEvent([0, 0, 0], 50));
        driver.AdvanceTo(1_000_000);
        Assert.Equal(3, driver.Closed.Count); // [−200,100), [−100,200), [0,300)
        Assert.Equal(0, driver.Snapshot().Events);
        Assert.Equal(3, window.PaneCount);
    }

    [Fact]
    public void Window_RandomEvents_EqualsRecountOfItsRange()
    {
        Events(Ids, maxStep: 30, maxBack: 400, maxJump: 2000).Sample(events =>
        {
            (SlidingWindow window, EventEncoder encoder) = Create(500, 100);
            var driver = new WindowDriver(window);
            long watermark = long.MinValue;
            long late = 0;
            foreach (TestEvent e in events)
            {
                watermark = Math.Max(watermark, e.T);
                if (Math.Floor(e.T / 100.0) <= Math.Floor(watermark / 100.0) - 5)
                {
                    late++;
                }

                driver.Feed(e);
            }

            WindowSnapshot current = driver.Snapshot();
            long start = Ms(current.Start!.Value);
            long end = Ms(current.End);
            Assert.Equal(500, end - start);
            Assert.True(watermark >= end - 100 && watermark < end);
            AssertMatches(Profile(encoder, events.Where(e => e.T >= start && e.T < end)), current, Estimator);
            Assert.Equal(late, current.Late);
            Assert.Equal(5, window.PaneCount);

            for (int k = 0; k < driver.Closed.Count; k++)
            {
                WindowSnapshot closed = driver.Closed[k];
                long s = Ms(closed.Start!.Value);
                long e = Ms(closed.End);
                AssertMatches(Profile(encoder, events.Take(driver.ClosedAfter[k]).Where(x => x.T >= s && x.T < e)), closed, Estimator);
            }
        }, iter: 150);
    }
}
