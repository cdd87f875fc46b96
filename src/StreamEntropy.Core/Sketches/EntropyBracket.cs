using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Core.Sketches;

/// <summary>An entropy with a certified bracket: the exact plug-in value lies in [<see cref="Lower"/>, <see cref="Upper"/>].</summary>
/// <param name="Lower">A guaranteed lower bound on the exact plug-in value.</param>
/// <param name="Estimate">The point estimate; always inside the bracket.</param>
/// <param name="Upper">A guaranteed upper bound on the exact plug-in value.</param>
/// <param name="IsExact">Whether the value is exact (then all three are equal).</param>
/// <remarks>All three are NaN for an empty summary. Units are those of the producer (nats from Core).</remarks>
public readonly record struct EntropyBracket(double Lower, double Estimate, double Upper, bool IsExact)
{
    /// <summary>Gets the bracket of an empty summary: NaN throughout, marked exact.</summary>
    public static EntropyBracket Empty { get; } = new(double.NaN, double.NaN, double.NaN, true);

    /// <summary>Gets Upper − Lower (0 when exact).</summary>
    public double Width => Upper - Lower;

    /// <summary>Creates an exact value (zero-width bracket).</summary>
    public static EntropyBracket FromExact(double value) => new(value, value, value, true);

    /// <summary>Whether <paramref name="value"/> lies in the bracket (closed interval).</summary>
    public bool Contains(double value) => value >= Lower && value <= Upper;

    /// <summary>Converts the three values from nats to <paramref name="logBase"/>.</summary>
    public EntropyBracket ToBase(LogBase logBase) =>
        new(logBase.FromNats(Lower), logBase.FromNats(Estimate), logBase.FromNats(Upper), IsExact);
}
