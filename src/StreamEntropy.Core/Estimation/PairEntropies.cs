using StreamEntropy.Core.Counting;

namespace StreamEntropy.Core.Estimation;

/// <summary>The information measures of a pair of fields, in nats.</summary>
/// <param name="Count">The number of events in which both fields were present.</param>
/// <param name="X">H(X) over those events.</param>
/// <param name="Y">H(Y) over those events.</param>
/// <param name="Joint">H(X,Y).</param>
/// <param name="JointStandardError">The plug-in standard error of H(X,Y).</param>
public readonly record struct PairEntropies(long Count, double X, double Y, double Joint, double JointStandardError)
{
    /// <summary>H(Y|X) = H(X,Y) − H(X): the uncertainty left in Y once X is known.</summary>
    public double ConditionalYGivenX => Joint - X;

    /// <summary>H(X|Y) = H(X,Y) − H(Y).</summary>
    public double ConditionalXGivenY => Joint - Y;

    /// <summary>I(X;Y) = H(X) + H(Y) − H(X,Y).</summary>
    public double MutualInformation => X + Y - Joint;

    /// <summary>Computes every measure of <paramref name="table"/> with one estimator for all three entropies.</summary>
    public static PairEntropies Compute(PairCountTable table, EntropyEstimator estimator)
    {
        ArgumentNullException.ThrowIfNull(table);
        return new PairEntropies(
            table.Total,
            EntropyEstimators.Entropy(table.X, estimator),
            EntropyEstimators.Entropy(table.Y, estimator),
            EntropyEstimators.Entropy(table.Joint, estimator),
            EntropyEstimators.StandardError(table.Joint));
    }
}
