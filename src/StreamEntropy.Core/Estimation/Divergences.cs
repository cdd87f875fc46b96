using StreamEntropy.Core.Counting;

namespace StreamEntropy.Core.Estimation;

/// <summary>Divergences of a current distribution from a reference, both given as counts over one id space.</summary>
/// <param name="KullbackLeibler">KL(current‖reference) in nats; a term with zero current share is 0, a zero reference share is replaced by ε.</param>
/// <param name="JensenShannon">The Jensen–Shannon divergence in nats (bounded by ln 2; needs no ε).</param>
/// <param name="PopulationStability">PSI = Σ (c − r) ln(c / r) with zero shares on either side replaced by ε; always in nats.</param>
public readonly record struct Divergences(double KullbackLeibler, double JensenShannon, double PopulationStability)
{
    /// <summary>Gets the total variation distance ½ Σ |c − r| (in [0, 1]; needs no ε); NaN when either side is empty or
    /// when the value was built without it.</summary>
    public double TotalVariation { get; init; } = double.NaN;

    /// <summary>The default replacement for a zero share, 1e-4 (no renormalisation).</summary>
    public const double DefaultEpsilon = 1e-4;

    /// <summary>Compares <paramref name="current"/> with <paramref name="reference"/>; all NaN when either is empty.</summary>
    /// <param name="current">Counts of the current window.</param>
    /// <param name="reference">Counts of the reference, indexed by the same ids.</param>
    /// <param name="epsilon">The share used in place of zero for KL and PSI, in (0, 1).</param>
    public static Divergences Compute(CountTable current, CountTable reference, double epsilon = DefaultEpsilon)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(reference);
        if (!(epsilon > 0 && epsilon < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must be in (0, 1).");
        }

        if (current.Total == 0 || reference.Total == 0)
        {
            return new Divergences(double.NaN, double.NaN, double.NaN);
        }

        CountSpan c = current.Counts;
        CountSpan r = reference.Counts;
        double cTotal = current.Total;
        double rTotal = reference.Total;
        double kl = 0;
        double js = 0;
        double psi = 0;
        double tv = 0;
        int length = Math.Max(c.Length, r.Length);
        for (int id = 0; id < length; id++)
        {
            long cn = id < c.Length ? c[id] : 0;
            long rn = id < r.Length ? r[id] : 0;
            if (cn == 0 && rn == 0)
            {
                continue;
            }

            double p = cn / cTotal;
            double q = rn / rTotal;
            double m = 0.5 * (p + q);
            if (p > 0)
            {
                kl += p * Math.Log(p / (q > 0 ? q : epsilon));
                js += 0.5 * p * Math.Log(p / m);
            }

            if (q > 0)
            {
                js += 0.5 * q * Math.Log(q / m);
            }

            tv += Math.Abs(p - q);
            double pe = p > 0 ? p : epsilon;
            double qe = q > 0 ? q : epsilon;
            psi += (pe - qe) * Math.Log(pe / qe);
        }

        return new Divergences(kl, Math.Max(0, js), psi) { TotalVariation = 0.5 * tv };
    }
}
