using CsCheck;
using StreamEntropy.Core.Sketches;

namespace StreamEntropy.Core.Tests.Sketches;

public class BoundedPairSummaryTests
{
    private static readonly Gen<(int X, int Y)[]> Pairs =
        Gen.Select(Gen.Int[0, 60], Gen.Int[0, 8], Gen.Int[0, 3]).Array[1, 1500]
            .Select(a => Array.ConvertAll(a, t => (t.Item1 * t.Item1 / 60, ((t.Item1 % 5) * t.Item3) + (t.Item2 / 4))));

    [Fact]
    public void Entropies_AnyStreamAndCapacity_BracketsContainExactMeasures()
    {
        Gen.Select(Pairs, Gen.Int[1, 40], Gen.Int[1, 40], Gen.Int[1, 3]).Sample((events, jointCapacity, marginalCapacity, parts) =>
        {
            var summaries = new BoundedPairSummary[parts];
            for (int p = 0; p < parts; p++)
            {
                summaries[p] = new BoundedPairSummary(jointCapacity, marginalCapacity);
            }

            for (int i = 0; i < events.Length; i++)
            {
                summaries[i % parts].Add(SketchTestData.Key(events[i].X), SketchTestData.Key(events[i].Y));
            }

            for (int p = 1; p < parts; p++)
            {
                summaries[0].Merge(summaries[p]);
            }

            double hx = Naive.PlugIn(Naive.Count(events.Select(e => e.X)).Values);
            double hy = Naive.PlugIn(Naive.Count(events.Select(e => e.Y)).Values);
            double hxy = Naive.PlugIn(Naive.Count(events.Select(e => (e.X * 1000) + e.Y)).Values);
            PairEntropyBrackets b = summaries[0].Entropies();
            Assert.Equal(events.Length, b.Count);
            BoundedCountSummaryTests.AssertContains(b.X, hx);
            BoundedCountSummaryTests.AssertContains(b.Y, hy);
            BoundedCountSummaryTests.AssertContains(b.Joint, hxy);
            BoundedCountSummaryTests.AssertContains(b.ConditionalYGivenX, Math.Max(0, hxy - hx));
            BoundedCountSummaryTests.AssertContains(b.ConditionalXGivenY, Math.Max(0, hxy - hy));
            BoundedCountSummaryTests.AssertContains(b.MutualInformation, Math.Max(0, hx + hy - hxy));
        });
    }

    [Fact]
    public void Entropies_LargeCapacity_AreExact()
    {
        var summary = new BoundedPairSummary(64, 64);
        for (int i = 0; i < 400; i++)
        {
            summary.Add(SketchTestData.Key(i % 4), SketchTestData.Key(i % 8));
        }

        PairEntropyBrackets b = summary.Entropies();
        Assert.True(b.MutualInformation.IsExact);
        Assert.Equal(Math.Log(4), b.MutualInformation.Estimate, 12); // y determines x
        Assert.Equal(Math.Log(2), b.ConditionalYGivenX.Estimate, 12);
        Assert.Equal(0, b.ConditionalXGivenY.Estimate, 12);
    }

    [Fact]
    public void Entropies_Empty_AreNaN()
    {
        PairEntropyBrackets b = new BoundedPairSummary(4, 4).Entropies();
        Assert.True(double.IsNaN(b.MutualInformation.Estimate));
        Assert.Equal(0, b.Count);
    }
}
