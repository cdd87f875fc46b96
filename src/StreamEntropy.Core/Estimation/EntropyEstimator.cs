namespace StreamEntropy.Core.Estimation;

/// <summary>How entropy is estimated from counts.</summary>
public enum EntropyEstimator
{
    /// <summary>Plug-in (maximum likelihood): H = ln N − S1/N. Name <c>ml</c>.</summary>
    MaximumLikelihood,

    /// <summary>Miller–Madow: plug-in + (K − 1)/(2N). Name <c>miller-madow</c>.</summary>
    MillerMadow,

    /// <summary>Chao–Shen coverage-adjusted Horvitz–Thompson estimator. Name <c>chao-shen</c>.</summary>
    ChaoShen,

    /// <summary>Grassberger (2003): ln N − (1/N) Σ n G(n). Name <c>grassberger</c>.</summary>
    Grassberger,

    /// <summary>James–Stein shrinkage toward uniform over the K observed values (Hausser &amp; Strimmer 2009). Name <c>shrink</c>.</summary>
    Shrink,
}
