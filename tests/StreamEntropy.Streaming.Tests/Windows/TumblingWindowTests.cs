using CsCheck;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Windows;
using static StreamEntropy.Streaming.Tests.Windows.WindowTestKit;

namespace StreamEntropy.Streaming.Tests.Windows;

public class TumblingWindowTests
{
    private const EntropyEstimator Estimator = EntropyEstimator.Grassberger;

    private static (TumblingWindow Window, EventEncoder Encoder) Create(long sizeMs)
    {
        var encoder = new EventEncoder(Schema);
        var window = new TumblingWindow(new WindowDefinition("t", WindowKind.Tumbling, TimeSpan.FromMilliseconds(sizeMs)), encoder, Estimator);
        return (window, encoder);
    }

    private static int[] Ids(int a, int b, int c) => [a, b, c];

    [Fact]
    public void Advance_PastEnd_ClosesWithThatWindowsEventsAndResets()
    {
        (TumblingWindow window, EventEncoder encoder) = Create(1000);
        var driver = new WindowDriver(window);
        TestEvent[] first = [new(Ids(0, 0, 0), 1000), new(Ids(1, 0, 1), 1500), new(Ids(1, -1, 2), 1999)];
        foreach (TestEvent e in first)
        {
            driver.Feed(e);
        }

        FrequencySet countsBefore = window.Counts;
        driver.Feed(new TestEvent(Ids(2, 1, 3), 2000));

        WindowSnapshot closed = Assert.Single(driver.Closed);
        Assert.True(closed.Closed);
        Assert.Equal(1000, Ms(closed.Start!.Value));
        Assert.Equal(2000, Ms(closed.End));
        AssertMatches(Profile(encoder, first), closed, Estimator);
        Assert.Same(countsBefore, window.Counts); // cleared and reused, not replaced

        WindowSnapshot current = driver.Snapshot();
        Assert.False(current.Closed);
        Assert.Equal(2000, Ms(current.Start!.Value));
        Assert.Equal(3000, Ms(current.End));
        Assert.Equal(1, current.Events);
    }

    [Fact]
    public void Advance_OverGap_SkipsEmptyWindows()
    {
        (TumblingWindow window, _) = Create(1000);
        var driver = new WindowDriver(window);
        driver.Feed(new TestEvent(Ids(0, 0, 0), 100));
        driver.Feed(new TestEvent(Ids(0, 0, 0), 10_500));

        WindowSnapshot closed = Assert.Single(driver.Closed);
        Assert.Equal(0, Ms(closed.Start!.Value));
        Assert.Equal(10_000, Ms(driver.Snapshot().Start!.Value));
    }

    [Fact]
    public void Add_BeforeCurrentStart_IsLateAndNotCounted()
    {
        (TumblingWindow window, _) = Create(1000);
        var driver = new WindowDriver(window);
        driver.Feed(new TestEvent(Ids(0, 0, 0), 2500));
        driver.Feed(new TestEvent(Ids(1, 1, 1), 1999));
        driver.Feed(new TestEvent(Ids(1, 1, 1), 2000));

        WindowSnapshot s = driver.Snapshot();
        Assert.Equal(1, s.Late);
        Assert.Equal(2, s.Events);
        Assert.Equal(2, s.Fields[0].Count);
    }

    [Fact]
    public void Advance_NegativeTimes_AlignsToEpoch()
    {
        (TumblingWindow window, _) = Create(1000);
        var driver = new WindowDriver(window);
        driver.Feed(new TestEvent(Ids(0, 0, 0), -1));
        Assert.Equal(-1000, Ms(driver.Snapshot().Start!.Value));
        Assert.Equal(0, Ms(driver.Snapshot().End));
    }

    [Fact]
    public void Windows_RandomEvents_EqualRecountOfExactlyTheirEvents()
    {
        Events(WindowTestKit.Ids, maxStep: 40, maxBack: 300, maxJump: 5000).Sample(events =>
        {
            (TumblingWindow window, EventEncoder encoder) = Create(250);
            var driver = new WindowDriver(window);
            foreach (TestEvent e in events)
            {
                driver.Feed(e);
            }

            long counted = 0;
            for (int k = 0; k < driver.Closed.Count; k++)
            {
                WindowSnapshot closed = driver.Closed[k];
                long start = Ms(closed.Start!.Value);
                long end = Ms(closed.End);
                Assert.Equal(250, end - start);
                Assert.Equal(0, ((start % 250) + 250) % 250);
                AssertMatches(Profile(encoder, events.Take(driver.ClosedAfter[k]).Where(e => e.T >= start && e.T < end)), closed, Estimator);
                Assert.True(closed.Events > 0);
                counted += closed.Events;
            }

            WindowSnapshot current = driver.Snapshot();
            long s = Ms(current.Start!.Value);
            AssertMatches(Profile(encoder, events.Where(e => e.T >= s && e.T < s + 250)), current, Estimator);
            counted += current.Events;
            Assert.Equal(events.Length, counted + current.Late);
        }, iter: 150);
    }
}
