namespace StreamEntropy.Core.Sketches;

/// <summary>Certified brackets for the information measures of a pair of fields, in nats.</summary>
/// <param name="Count">The number of paired events.</param>
/// <param name="X">H(X) over those events.</param>
/// <param name="Y">H(Y) over those events.</param>
/// <param name="Joint">H(X,Y).</param>
/// <param name="ConditionalYGivenX">H(Y|X) = H(X,Y) − H(X).</param>
/// <param name="ConditionalXGivenY">H(X|Y) = H(X,Y) − H(Y).</param>
/// <param name="MutualInformation">I(X;Y) = H(X) + H(Y) − H(X,Y).</param>
/// <remarks>Each derived bracket is the interval arithmetic of the three entropy brackets, intersected with the identities
/// every distribution satisfies: max(H(X), H(Y)) ≤ H(X,Y) ≤ H(X) + H(Y), 0 ≤ H(Y|X) ≤ H(Y), 0 ≤ I ≤ min(H(X), H(Y)).
/// Since the exact values satisfy all of them, the intersections still contain the exact values. Derived bounds are moved
/// outward by 1e-10 + 1e-12·|bound| nats to cover the rounding of the sums and differences.</remarks>
public readonly record struct PairEntropyBrackets(
    long Count,
    EntropyBracket X,
    EntropyBracket Y,
    EntropyBracket Joint,
    EntropyBracket ConditionalYGivenX,
    EntropyBracket ConditionalXGivenY,
    EntropyBracket MutualInformation)
{
    /// <summary>Derives every bracket from certified brackets of H(X), H(Y) and H(X,Y) over the same events.</summary>
    public static PairEntropyBrackets From(long count, EntropyBracket x, EntropyBracket y, EntropyBracket joint)
    {
        if (count == 0)
        {
            EntropyBracket empty = EntropyBracket.Empty;
            return new PairEntropyBrackets(0, empty, empty, empty, empty, empty, empty);
        }

        // Tighten with H(X), H(Y) ≤ H(X,Y) ≤ H(X) + H(Y).
        EntropyBracket xy = Tighten(joint, Math.Max(x.Lower, y.Lower), x.Upper + y.Upper);
        x = Tighten(x, double.NegativeInfinity, xy.Upper);
        y = Tighten(y, double.NegativeInfinity, xy.Upper);

        EntropyBracket yGivenX = Combine(
            xy.Lower - x.Upper, xy.Estimate - x.Estimate, xy.Upper - x.Lower, 0, y.Upper, xy.IsExact && x.IsExact);
        EntropyBracket xGivenY = Combine(
            xy.Lower - y.Upper, xy.Estimate - y.Estimate, xy.Upper - y.Lower, 0, x.Upper, xy.IsExact && y.IsExact);
        EntropyBracket mi = Combine(
            x.Lower + y.Lower - xy.Upper,
            x.Estimate + y.Estimate - xy.Estimate,
            x.Upper + y.Upper - xy.Lower,
            0,
            Math.Min(x.Upper, y.Upper),
            xy.IsExact && x.IsExact && y.IsExact);
        return new PairEntropyBrackets(count, x, y, xy, yGivenX, xGivenY, mi);
    }

    private static EntropyBracket Tighten(EntropyBracket b, double atLeast, double atMost)
    {
        if (b.IsExact)
        {
            return b;
        }

        double lower = Math.Max(b.Lower, atLeast - Slack(atLeast));
        double upper = Math.Max(lower, Math.Min(b.Upper, atMost + Slack(atMost)));
        return new EntropyBracket(lower, Math.Clamp(b.Estimate, lower, upper), upper, false);
    }

    private static EntropyBracket Combine(double lower, double estimate, double upper, double floor, double ceiling, bool exact)
    {
        if (exact)
        {
            // Exact inputs: keep the plain difference (a rounding-level negative MI is clamped, as elsewhere).
            double value = Math.Max(floor, estimate);
            return EntropyBracket.FromExact(value);
        }

        lower = Math.Max(lower - Slack(lower), floor);
        upper = Math.Max(lower, Math.Min(upper + Slack(upper), ceiling + Slack(ceiling)));
        return new EntropyBracket(lower, Math.Clamp(estimate, lower, upper), upper, false);
    }

    // Sums and differences of rounded bounds: move outward as the single-entropy bounds do.
    private static double Slack(double value) => 1e-10 + (1e-12 * Math.Abs(value));
}
