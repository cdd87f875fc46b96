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

    /// <summary>The symmetric uncertainty 2·I(X;Y) / (H(X) + H(Y)), unitless: 0 for independent fields, 1 when each
    /// determines the other (see <see cref="SymmetricUncertaintyOf"/>).</summary>
    public double SymmetricUncertainty => SymmetricUncertaintyOf(MutualInformation, X, Y);

    /// <summary>The information-gain ratio I(X;Y) / H(X), unitless: the share of X's entropy that tells about Y, X being
    /// the feature and Y the target (see <see cref="GainRatioOf"/>).</summary>
    public double GainRatio => GainRatioOf(MutualInformation, X);

    /// <summary>2·<paramref name="information"/> / (<paramref name="x"/> + <paramref name="y"/>); 0 when both entropies
    /// are 0 (two constants share nothing), NaN when any input is (an empty pair).</summary>
    public static double SymmetricUncertaintyOf(double information, double x, double y) =>
        x + y == 0 ? 0 : 2 * information / (x + y);

    /// <summary><paramref name="information"/> / <paramref name="featureEntropy"/>, the gain ratio of the feature whose
    /// entropy that is; 0 when it is 0 (a constant feature tells nothing), NaN when any input is.</summary>
    public static double GainRatioOf(double information, double featureEntropy) =>
        featureEntropy == 0 ? 0 : information / featureEntropy;

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
