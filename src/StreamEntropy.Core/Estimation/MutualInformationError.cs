using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Numerics;

namespace StreamEntropy.Core.Estimation;

/// <summary>The plug-in (delta-method) standard error of the mutual information of a pair, in nats.</summary>
/// <remarks>
/// <para>The plug-in I(X;Y) = Σ p(x,y) ln r(x,y), with r = p(x,y) / (p(x) p(y)), is a smooth function of the cell
/// probabilities. Its delta-method variance is the variance of ln r under the joint distribution, over N:
/// Var(Î) ≈ (Σ p(x,y) ln² r(x,y) − I²) / N. As for <see cref="EntropyEstimators.StandardError"/>, it is summed as
/// Σ p (ln r − I)², never as a difference of two large sums, whose cancellation would leave noise where the variance is 0.
/// The approximation holds when every cell is well populated; under-sampled tables understate the error, as for
/// the entropies.</para>
/// <para>The sums run over the pair's cells sorted by (n(x,y), n(x), n(y)), so the result depends only on the
/// counts, not on the order in which values were first seen: merged partitions give the same bits as one table.</para>
/// </remarks>
public static class MutualInformationError
{
    /// <summary>The most cells (distinct (x, y) pairs) a standard error is computed for. The sum is taken over sorted
    /// cells, O(K log K) with a list of K cells, on the thread that counts, at every snapshot: beyond this it would pause
    /// counting (about a second per window at 10⁶ cells), so the error is not computed (NaN, null in records). With
    /// that many cells per event the plug-in I is dominated by its bias anyway.</summary>
    public const int MaxCells = 1 << 16;

    /// <summary>The standard error of the plug-in I(X;Y) of <paramref name="table"/>; NaN when it is empty.</summary>
    public static double StandardError(PairCountTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        long total = table.Total;
        if (total == 0 || table.Joint.Distinct > MaxCells)
        {
            return double.NaN;
        }

        CountTable x = table.X;
        CountTable y = table.Y;
        CountSpan joint = table.Joint.Counts;
        var cells = new List<Cell>(table.Joint.Distinct);
        for (int pairId = 0; pairId < joint.Length; pairId++)
        {
            if (joint[pairId] != 0)
            {
                (int xi, int yi) = table.Pairs.GetPair(pairId);
                cells.Add(new Cell(joint[pairId], x[xi], y[yi]));
            }
        }

        return Compute(cells, total, total);
    }

    /// <summary>The standard error of the weighted plug-in I(X;Y) of <paramref name="table"/> (a decay window), with
    /// N the joint table's effective count (Kish), as for the weighted entropies' errors; NaN when it is empty.</summary>
    public static double StandardError(WeightedPairCountTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        double total = table.Joint.Total;
        double effective = table.Joint.EffectiveCount;
        if (!(total > 0) || !(effective > 0) || table.Joint.Distinct > MaxCells)
        {
            return double.NaN;
        }

        ReadOnlySpan<double> joint = table.Joint.Weights;
        var cells = new List<Cell>(table.Joint.Distinct);
        for (int pairId = 0; pairId < joint.Length; pairId++)
        {
            if (joint[pairId] > 0)
            {
                (int xi, int yi) = table.Pairs.GetPair(pairId);
                cells.Add(new Cell(joint[pairId], table.X[xi], table.Y[yi]));
            }
        }

        return Compute(cells, total, effective);
    }

    /// <summary>sqrt(Σ p (ln r − I)² / N) over <paramref name="cells"/> of total weight <paramref name="total"/>.</summary>
    private static double Compute(List<Cell> cells, double total, double n)
    {
        cells.Sort();
        var logRatios = new double[cells.Count];
        var mi = default(NeumaierSum);
        for (int i = 0; i < cells.Count; i++)
        {
            Cell c = cells[i];

            // ln(p(x,y) / (p(x) p(y))) = ln(n(x,y) · N / (n(x) n(y))), in logs so that no product overflows.
            logRatios[i] = Math.Log(c.Joint) + Math.Log(total) - Math.Log(c.X) - Math.Log(c.Y);
            mi.Add(c.Joint / total * logRatios[i]);
        }

        double information = mi.Value;
        var variance = default(NeumaierSum);
        for (int i = 0; i < cells.Count; i++)
        {
            double d = logRatios[i] - information;
            variance.Add(cells[i].Joint / total * d * d);
        }

        return Math.Sqrt(Math.Max(0, variance.Value) / n);
    }

    private readonly record struct Cell(double Joint, double X, double Y) : IComparable<Cell>
    {
        public int CompareTo(Cell other)
        {
            int c = Joint.CompareTo(other.Joint);
            if (c == 0)
            {
                c = X.CompareTo(other.X);
            }

            return c != 0 ? c : Y.CompareTo(other.Y);
        }
    }
}
