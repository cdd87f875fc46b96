using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Core.Tests;

public class MutualInformationErrorTests
{
    [Fact]
    public void StandardError_TwoByTwoTable_MatchesTheClosedForm()
    {
        // Cells (0,0):2, (0,1):1, (1,0):1 of N = 4: ln r is ln(8/9) on half the mass and ln(4/3) on the other half, so
        // Σ p ln² r − I² = (ln(8/9) − ln(4/3))² / 4 = ln²(3/2) / 4 and the error is ln(3/2) / 4.
        PairCountTable table = Table([(0, 0), (0, 0), (0, 1), (1, 0)]);

        AssertClose(Math.Log(1.5) / 4, MutualInformationError.StandardError(table), 1e-15);
    }

    [Theory]
    [InlineData(1, 3, 5, 500)]
    [InlineData(2, 8, 4, 2_000)]
    [InlineData(3, 40, 30, 3_000)]
    public void StandardError_RandomDependentTables_EqualsTheTextbookMoments(ulong seed, int xs, int ys, int n)
    {
        var rng = new XorShift(seed);
        var events = new List<(int X, int Y)>(n);
        for (int i = 0; i < n; i++)
        {
            int x = rng.Next(xs);
            int y = rng.NextDouble() < 0.6 ? x % ys : rng.Next(ys); // y follows x 60% of the time
            events.Add((x, y));
        }

        double expected = Naive.MutualInformationStandardError(events);
        Assert.True(expected > 0.001);
        AssertClose(expected, MutualInformationError.StandardError(Table(events)), 1e-9);
    }

    [Fact]
    public void StandardError_IndependentProductTable_IsZero()
    {
        // Every cell of a product table has p(x,y) = p(x) p(y): ln r is 0 up to rounding everywhere, and so is the error.
        var events = new List<(int X, int Y)>();
        for (int x = 0; x < 3; x++)
        {
            for (int y = 0; y < 4; y++)
            {
                for (int k = 0; k < (x + 1) * (y + 2); k++)
                {
                    events.Add((x, y));
                }
            }
        }

        Assert.True(MutualInformationError.StandardError(Table(events)) < 1e-12);
    }

    [Fact]
    public void StandardError_DoesNotDependOnTheOrderValuesWereSeen()
    {
        var rng = new XorShift(7);
        var events = new List<(int X, int Y)>();
        for (int i = 0; i < 5_000; i++)
        {
            int x = rng.Next(50);
            events.Add((x, rng.NextDouble() < 0.3 ? x % 7 : rng.Next(7)));
        }

        List<(int X, int Y)> reversed = [.. events];
        reversed.Reverse();

        Assert.Equal(MutualInformationError.StandardError(Table(events)), MutualInformationError.StandardError(Table(reversed)));
    }

    [Fact]
    public void StandardError_EqualWeights_EqualsTheCountedTable()
    {
        var rng = new XorShift(11);
        var events = new List<(int X, int Y)>();
        var weighted = new WeightedPairCountTable(new PairInterner());
        for (int i = 0; i < 2_000; i++)
        {
            int x = rng.Next(6);
            int y = rng.NextDouble() < 0.5 ? x : rng.Next(6);
            events.Add((x, y));
            weighted.Add(x, y, 0.25);
        }

        AssertClose(MutualInformationError.StandardError(Table(events)), MutualInformationError.StandardError(weighted), 1e-12);
    }

    [Fact]
    public void StandardError_EmptyTable_IsNaN()
    {
        Assert.True(double.IsNaN(MutualInformationError.StandardError(new PairCountTable(new PairInterner()))));
        Assert.True(double.IsNaN(MutualInformationError.StandardError(new WeightedPairCountTable(new PairInterner()))));
    }

    [Fact]
    public void StandardError_MoreCellsThanTheBound_IsNotComputed()
    {
        // At the bound the error is computed; one cell more and it is NaN (null in records), so a snapshot of a pair
        // with 10^6 cells does not sort them on the counting thread.
        PairCountTable atBound = Table(Enumerable.Range(0, MutualInformationError.MaxCells).Select(i => (i, i % 7)));
        Assert.True(double.IsFinite(MutualInformationError.StandardError(atBound)));
        atBound.Add(MutualInformationError.MaxCells, 3);
        Assert.True(double.IsNaN(MutualInformationError.StandardError(atBound)));
    }

    private static PairCountTable Table(IEnumerable<(int X, int Y)> events)
    {
        var table = new PairCountTable(new PairInterner());
        foreach ((int x, int y) in events)
        {
            table.Add(x, y);
        }

        return table;
    }
}
