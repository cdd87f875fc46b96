using StreamEntropy.Core.Sketches;

namespace StreamEntropy.Streaming.Counting;

/// <summary>The measures of one field over one window; entropies in nats (converted to the output base at the edge).</summary>
/// <param name="Name">The field's name.</param>
/// <param name="Count">The number of values counted (events with the field present and valid).</param>
/// <param name="Distinct">The number of distinct values (or bins) K; an estimate when not <see cref="IsExact"/>.</param>
/// <param name="Missing">Events without the field (absent or null).</param>
/// <param name="Invalid">Events whose value of a numeric field was not a number.</param>
/// <param name="Entropy">H(X) by the chosen estimator; NaN when nothing was counted. When not <see cref="IsExact"/>,
/// the point estimate of the plug-in value from a bounded summary.</param>
/// <param name="StandardError">The plug-in standard error of H(X); NaN when not <see cref="IsExact"/>.</param>
/// <param name="Coverage">Good–Turing sample coverage 1 − f₁/N; NaN when not <see cref="IsExact"/>.</param>
/// <param name="DifferentialEntropy">For binned fields, H(bins) + ln(width); otherwise null.</param>
public sealed record FieldResult(
    string Name,
    long Count,
    int Distinct,
    long Missing,
    long Invalid,
    double Entropy,
    double StandardError,
    double Coverage,
    double? DifferentialEntropy)
{
    /// <summary>Gets the certified bracket [lower, upper] around the exact plug-in H(X), in nats, when the field went
    /// over its MaxDistinct budget in this window; null when the counts are exact.</summary>
    public EntropyBracket? Bracket { get; init; }

    /// <summary>Gets whether every value is exact (no bounded summary was needed).</summary>
    public bool IsExact => Bracket is null;

    /// <summary>Gets H / ln K, in [0, 1]; NaN when K &lt; 2 or when not exact.</summary>
    public double NormalizedEntropy => IsExact && Distinct >= 2 ? Entropy / Math.Log(Distinct) : double.NaN;
}
