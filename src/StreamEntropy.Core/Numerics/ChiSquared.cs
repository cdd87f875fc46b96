namespace StreamEntropy.Core.Numerics;

/// <summary>The chi-square distribution's upper tail, for p-values of χ² and G statistics.</summary>
/// <remarks>P(χ²ₖ ≥ s) = Q(k/2, s/2), the regularized upper incomplete gamma function (<see cref="IncompleteGamma"/>).
/// Large statistics give p-values far below the smallest double; <see cref="LogSurvivalProbability"/> and
/// <see cref="Log10SurvivalProbability"/> stay finite and accurate there, so report those rather than p itself.</remarks>
public static class ChiSquared
{
    private static readonly double Ln10 = Math.Log(10);

    /// <summary>P(X ≥ <paramref name="statistic"/>) for X ~ χ² with <paramref name="degreesOfFreedom"/> degrees of freedom.</summary>
    /// <param name="statistic">The observed statistic; values ≤ 0 give 1.</param>
    /// <param name="degreesOfFreedom">The degrees of freedom, &gt; 0 (need not be an integer).</param>
    /// <returns>The p-value in [0, 1] (0 when it underflows); NaN when an argument is NaN or the degrees of freedom are
    /// not a finite positive number.</returns>
    public static double SurvivalProbability(double statistic, double degreesOfFreedom)
    {
        if (double.IsNaN(statistic) || !IsValidDegreesOfFreedom(degreesOfFreedom))
        {
            return double.NaN;
        }

        return statistic <= 0 ? 1 : IncompleteGamma.UpperRegularized(0.5 * degreesOfFreedom, 0.5 * statistic);
    }

    /// <summary>ln P(X ≥ <paramref name="statistic"/>), finite even when the p-value underflows.</summary>
    /// <param name="statistic">The observed statistic; values ≤ 0 give 0.</param>
    /// <param name="degreesOfFreedom">The degrees of freedom, &gt; 0.</param>
    /// <returns>A value ≤ 0; −∞ for an infinite statistic; NaN for invalid arguments.</returns>
    public static double LogSurvivalProbability(double statistic, double degreesOfFreedom)
    {
        if (double.IsNaN(statistic) || !IsValidDegreesOfFreedom(degreesOfFreedom))
        {
            return double.NaN;
        }

        return statistic <= 0 ? 0 : IncompleteGamma.LogUpperRegularized(0.5 * degreesOfFreedom, 0.5 * statistic);
    }

    /// <summary>log₁₀ P(X ≥ <paramref name="statistic"/>): −6 means p = 1e-6. Finite even when the p-value underflows.</summary>
    public static double Log10SurvivalProbability(double statistic, double degreesOfFreedom) =>
        LogSurvivalProbability(statistic, degreesOfFreedom) / Ln10;

    private static bool IsValidDegreesOfFreedom(double degreesOfFreedom) =>
        degreesOfFreedom > 0 && double.IsFinite(degreesOfFreedom);
}
