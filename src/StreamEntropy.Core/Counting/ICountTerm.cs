namespace StreamEntropy.Core.Counting;

/// <summary>A function of a count n ≥ 1, summed over a table's values by <see cref="CountTable.SumOverCounts{TTerm}"/>.</summary>
/// <remarks>Implemented by structs so the summation is specialised and inlined, never called through a delegate.</remarks>
public interface ICountTerm
{
    /// <summary>Evaluates the term for one value whose count is <paramref name="count"/>.</summary>
    double Evaluate(long count);
}
