namespace StreamEntropy.Streaming.Drift;

/// <summary>Why a pair's joint entropy moved, by the chain rule ΔH(X,Y) = ΔH(X) + ΔH(Y|X): because its inputs (the
/// distribution of X) shifted, because the relation between X and Y (the spread of Y given X) changed, or both; nats,
/// current minus reference, by the drift scoring's estimator over the pair's own paired events.</summary>
/// <param name="JointChange">ΔH(X,Y): the change of the pair's joint entropy.</param>
/// <param name="InputChange">ΔH(X): the change of the entropy of X over the paired events.</param>
/// <param name="RelationChange">ΔH(Y|X): the change of H(Y|X) (the same number as
/// <see cref="PairDrift.ConditionalEntropyChange"/>); <paramref name="InputChange"/> + this is
/// <paramref name="JointChange"/> up to rounding (a few units in the last place).</param>
/// <param name="NoiseFloor">The smallest |change| of a part that counts as a change (see <see cref="NoiseFloorOf"/>).</param>
public sealed record ChainAttribution(double JointChange, double InputChange, double RelationChange, double NoiseFloor)
{
    /// <summary>The verdict when the inputs moved (almost) alone.</summary>
    public const string Inputs = "inputs";

    /// <summary>The verdict when the relation moved (almost) alone.</summary>
    public const string Relation = "relation";

    /// <summary>The verdict when both parts moved by comparable amounts.</summary>
    public const string Both = "both";

    /// <summary>The verdict when neither part moved beyond the noise floor.</summary>
    public const string None = "none";

    /// <summary>The share of the movement one part must carry to be named alone: 0.75, three times the other part.</summary>
    public const double DominantShare = 0.75;

    /// <summary>The floor in nats under which no change counts, whatever the standard errors: 0.01, a tenth of the
    /// default pair rule's threshold. The plug-in standard error vanishes on uniform distributions and shrinks as 1/√N,
    /// so without it rounding-sized changes would count.</summary>
    public const double MinimumChange = 0.01;

    /// <summary>How many standard errors a part must move to count: 3.</summary>
    public const double StandardErrors = 3;

    /// <summary>Gets |ΔH(X)| / (|ΔH(X)| + |ΔH(Y|X)|), in [0, 1]: the inputs' share of the movement; NaN when both parts
    /// are 0 or either is undefined (an empty side).</summary>
    public double InputsShare
    {
        get
        {
            double inputs = Math.Abs(InputChange), relation = Math.Abs(RelationChange);
            return inputs + relation > 0 ? inputs / (inputs + relation) : double.NaN;
        }
    }

    /// <summary>Gets <see cref="Inputs"/>, <see cref="Relation"/>, <see cref="Both"/> or <see cref="None"/>; null when
    /// a change is undefined (an empty side).</summary>
    /// <remarks>A part counts when its |change| is over <see cref="NoiseFloor"/>. Neither counts: none. One counts alone,
    /// or carries at least <see cref="DominantShare"/> of |ΔH(X)| + |ΔH(Y|X)|: that one. Otherwise both. The parts are
    /// judged rather than ΔH(X,Y) itself, because they can cancel: inputs that spread out while each input's Y
    /// narrows leave H(X,Y) unchanged, yet the pair changed.</remarks>
    public string? Verdict
    {
        get
        {
            if (!double.IsFinite(InputChange) || !double.IsFinite(RelationChange) || double.IsNaN(NoiseFloor))
            {
                return null;
            }

            bool inputs = Math.Abs(InputChange) > NoiseFloor, relation = Math.Abs(RelationChange) > NoiseFloor;
            double share = InputsShare;
            return (inputs, relation) switch
            {
                (false, false) => None,
                (true, false) => Inputs,
                (false, true) => Relation,
                _ when share >= DominantShare => Inputs,
                _ when share <= 1 - DominantShare => Relation,
                _ => Both,
            };
        }
    }

    /// <summary>The noise floor of the two parts: max(<see cref="MinimumChange"/>, <see cref="StandardErrors"/> ·
    /// (SE(ΔH(X,Y)) + SE(ΔH(X)))), each SE being √(SE_current² + SE_reference²) of the plug-in standard errors.</summary>
    /// <remarks>SE(ΔH(X)) is the inputs' own; ΔH(Y|X) = ΔH(X,Y) − ΔH(X) has an SE of at most the sum of the two, so the
    /// one floor is at least <see cref="StandardErrors"/> standard errors of either part. NaN when an SE is (an empty
    /// side).</remarks>
    /// <param name="jointCurrent">The plug-in SE of H(X,Y) in the current window.</param>
    /// <param name="jointReference">The plug-in SE of H(X,Y) in the reference.</param>
    /// <param name="inputCurrent">The plug-in SE of H(X) in the current window.</param>
    /// <param name="inputReference">The plug-in SE of H(X) in the reference.</param>
    public static double NoiseFloorOf(double jointCurrent, double jointReference, double inputCurrent, double inputReference)
    {
        double se = Math.Sqrt((jointCurrent * jointCurrent) + (jointReference * jointReference))
            + Math.Sqrt((inputCurrent * inputCurrent) + (inputReference * inputReference));
        return double.IsNaN(se) ? double.NaN : Math.Max(MinimumChange, StandardErrors * se);
    }
}
