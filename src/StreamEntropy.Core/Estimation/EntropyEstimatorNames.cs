namespace StreamEntropy.Core.Estimation;

/// <summary>The stable names of the estimators, as used on the command line, in configuration and in output.</summary>
public static class EntropyEstimatorNames
{
    /// <summary>All names, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = ["ml", "miller-madow", "chao-shen", "grassberger", "shrink"];

    /// <summary>Gets the stable name of an estimator.</summary>
    public static string ToName(this EntropyEstimator estimator) => estimator switch
    {
        EntropyEstimator.MaximumLikelihood => "ml",
        EntropyEstimator.MillerMadow => "miller-madow",
        EntropyEstimator.ChaoShen => "chao-shen",
        EntropyEstimator.Grassberger => "grassberger",
        EntropyEstimator.Shrink => "shrink",
        _ => throw new ArgumentOutOfRangeException(nameof(estimator), estimator, "Unknown estimator."),
    };

    /// <summary>Parses a name (case-insensitive).</summary>
    public static bool TryParse(string? name, out EntropyEstimator estimator)
    {
        for (int i = 0; i < All.Count; i++)
        {
            if (string.Equals(All[i], name, StringComparison.OrdinalIgnoreCase))
            {
                estimator = (EntropyEstimator)i;
                return true;
            }
        }

        estimator = default;
        return false;
    }
}
