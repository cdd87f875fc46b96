using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Drift;

/// <summary>Scores a window's counts against reference counts in the same id space.</summary>
/// <remarks>Pure: counts in, scores out. Reads the tables only, so it must run while no one writes them (on the
/// thread that counts, at window close).</remarks>
public static class DriftCalculator
{
    /// <summary>Scores every field and pair of <paramref name="current"/> against <paramref name="reference"/>.</summary>
    /// <param name="window">The window's name, for the report.</param>
    /// <param name="timestampMs">The time the report describes (the window's end), Unix milliseconds.</param>
    /// <param name="current">The closed window's counts.</param>
    /// <param name="reference">The reference counts; must share <paramref name="current"/>'s encoder.</param>
    /// <param name="scoring">How to score; null for the defaults.</param>
    /// <exception cref="ArgumentException">The two sets come from different encoders (their ids would not line up).</exception>
    public static DriftReport Compute(string window, long timestampMs, FrequencySet current, FrequencySet reference, DriftScoring? scoring = null)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(reference);
        if (!ReferenceEquals(current.Encoder, reference.Encoder))
        {
            throw new ArgumentException("The reference must share the current window's encoder so that value ids line up; materialise a baseline with the live encoder.", nameof(reference));
        }

        scoring ??= new DriftScoring();
        EventSchema schema = current.Encoder.Schema;
        var fields = new List<FieldDrift>(schema.Fields.Count);
        for (int f = 0; f < schema.Fields.Count; f++)
        {
            if (schema.IsBounded(f))
            {
                // Keyed by hash, and a summary once over the budget; nothing to compare with when the reference holds
                // none of its values (a baseline file keeps none, or the field was discovered after the reference).
                if (reference.BoundedField(f) is { Total: > 0 } boundedReference)
                {
                    fields.Add(Budgeted(schema.Fields[f].Name, current.BoundedField(f)!, boundedReference, scoring.Estimator, scoring.Epsilon));
                }
            }
            else if (!Unseen(reference, f))
            {
                fields.Add(Distribution(schema.Fields[f].Name, current.Field(f), reference.Field(f), scoring.Estimator, scoring.Epsilon));
            }
        }

        var pairs = new List<PairDrift>(schema.Pairs.Count);
        for (int p = 0; p < schema.Pairs.Count; p++)
        {
            if (schema.IsBoundedPair(p) || UnseenPair(reference, p))
            {
                continue; // budgeted (not scored); or formed after the reference was taken: nothing to compare with
            }

            PairDefinition definition = schema.Pairs[p];
            ValueInterner xValues = current.Encoder.Values[schema.PairIndexes(p).X];
            pairs.Add(Pair(definition.X, definition.Y, current.Pair(p), reference.Pair(p), xValues, scoring.Estimator, scoring.Epsilon, scoring.TopDrivers));
        }

        return new DriftReport(window, timestampMs, current.Events, fields, pairs);
    }

    // A discovered field that did not exist while the reference was taken: no counts, and no missing or invalid ones
    // either (those count from a field's discovery on). A configured field is always scored.
    internal static bool Unseen(FrequencySet reference, int field) =>
        field >= reference.Encoder.Schema.ConfiguredFieldCount
        && reference.Field(field).Total == 0 && reference.Missing(field) == 0 && reference.Invalid(field) == 0;

    // The same for a pair formed by a rule: the reference has no event with both of its fields.
    internal static bool UnseenPair(FrequencySet reference, int pair) =>
        pair >= reference.Encoder.Schema.ConfiguredPairCount && reference.Pair(pair).Total == 0;

    /// <summary>Scores one distribution against its reference.</summary>
    /// <param name="name">The name for the result.</param>
    /// <param name="current">The current counts.</param>
    /// <param name="reference">The reference counts, indexed by the same ids.</param>
    /// <param name="estimator">The entropy estimator.</param>
    /// <param name="epsilon">The share used in place of zero for KL and PSI.</param>
    public static FieldDrift Distribution(string name, CountTable current, CountTable reference, EntropyEstimator estimator = EntropyEstimator.MillerMadow, double epsilon = Divergences.DefaultEpsilon)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(reference);
        return new FieldDrift(
            name,
            current.Total,
            reference.Total,
            EntropyEstimators.Entropy(current, estimator),
            EntropyEstimators.Entropy(reference, estimator),
            EntropyEstimators.StandardError(current),
            EntropyEstimators.StandardError(reference),
            Divergences.Compute(current, reference, epsilon),
            GTest.Homogeneity(current, reference));
    }

    /// <summary>Scores a field with a MaxDistinct budget against its reference: exactly, by <see cref="Distribution"/>,
    /// while both sides are within the budget; else as certified brackets around the Jensen–Shannon divergence and
    /// the total variation (<see cref="FieldDrift.Bounds"/>), with every point score undefined (NaN).</summary>
    /// <remarks>A summary knows the values it tracks only up to an interval and the rest only by their total, so
    /// the scores that need every value's count (KL and PSI, whose ε for empty cells depends on every cell, the G-test,
    /// the entropies' difference) would be false exact values; JS and TV are f-divergences, which merging the untracked
    /// values into one bin can only lower (<see cref="DivergenceBracket"/>).</remarks>
    internal static FieldDrift Budgeted(string name, BoundedCounts current, BoundedCounts reference, EntropyEstimator estimator, double epsilon)
    {
        CountIntervals cur = current.Intervals();
        CountIntervals refe = reference.Intervals();
        if (current.IsExact && reference.IsExact)
        {
            // Exact on both sides: the same scores as an unbudgeted field, over the union of the two sides' hashes.
            var ids = new Dictionary<ulong, int>(cur.Keys.Length + refe.Keys.Length);
            return Distribution(name, Table(cur, ids), Table(refe, ids), estimator, epsilon);
        }

        var undefined = new Divergences(double.NaN, double.NaN, double.NaN);
        return new FieldDrift(name, current.Total, reference.Total, double.NaN, double.NaN, double.NaN, double.NaN, undefined, new GTest(double.NaN, 0, double.NaN, double.NaN))
        {
            Bounds = DivergenceBracket.Compute(cur, refe),
        };

        static CountTable Table(CountIntervals counts, Dictionary<ulong, int> ids)
        {
            var table = new CountTable();
            ReadOnlySpan<ulong> keys = counts.Keys;
            for (int i = 0; i < keys.Length; i++)
            {
                if (counts.Upper[i] > 0)
                {
                    if (!ids.TryGetValue(keys[i], out int id))
                    {
                        id = ids.Count;
                        ids.Add(keys[i], id);
                    }

                    table.Add(id, counts.Upper[i]);
                }
            }

            return table;
        }
    }

    /// <summary>Scores one pair against its reference: mutual information, H(Y|X), the joint distribution, the
    /// chain-rule split of its change (<see cref="PairDrift.Chain"/>) and, optionally, the values of X that moved H(Y|X)
    /// most.</summary>
    /// <param name="x">The first field's name.</param>
    /// <param name="y">The second field's name.</param>
    /// <param name="current">The current pair counts.</param>
    /// <param name="reference">The reference pair counts; must share <paramref name="current"/>'s pair interner.</param>
    /// <param name="xValues">The first field's value interner, to name the drivers.</param>
    /// <param name="estimator">The entropy estimator.</param>
    /// <param name="epsilon">The share used in place of zero for KL and PSI.</param>
    /// <param name="topDrivers">How many drivers to report; 0 for none.</param>
    public static PairDrift Pair(
        string x,
        string y,
        PairCountTable current,
        PairCountTable reference,
        ValueInterner xValues,
        EntropyEstimator estimator = EntropyEstimator.MillerMadow,
        double epsilon = Divergences.DefaultEpsilon,
        int topDrivers = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(xValues);
        if (!ReferenceEquals(current.Pairs, reference.Pairs))
        {
            throw new ArgumentException("The reference must share the current table's pair interner.", nameof(reference));
        }

        PairEntropies cur = PairEntropies.Compute(current, estimator);
        PairEntropies refe = PairEntropies.Compute(reference, estimator);
        FieldDrift joint = Distribution($"{x},{y}", current.Joint, reference.Joint, estimator, epsilon);
        IReadOnlyList<ConditionalDriver> drivers = topDrivers > 0 ? Drivers(current, reference, xValues, topDrivers) : [];
        double noise = ChainAttribution.NoiseFloorOf(
            joint.CurrentStandardError,
            joint.ReferenceStandardError,
            EntropyEstimators.StandardError(current.X),
            EntropyEstimators.StandardError(reference.X));
        return new PairDrift(x, y, cur.MutualInformation, refe.MutualInformation, cur.ConditionalYGivenX, refe.ConditionalYGivenX, joint, drivers)
        {
            // ΔH(Y|X) is the very number PairDrift.ConditionalEntropyChange gives, so the two never disagree.
            Chain = new ChainAttribution(joint.EntropyChange, cur.X - refe.X, cur.ConditionalYGivenX - refe.ConditionalYGivenX, noise),
        };
    }

    /// <summary>Finds the values x whose contribution p(x)·H(Y|X=x) to H(Y|X) changed most (plug-in, nats).</summary>
    /// <remarks>H(Y|X) = Σₓ p(x) H(Y|X=x), so the contributions' changes add up to the plug-in change of H(Y|X). A value
    /// can move it by changing its share p(x), its spread of Y, or both; the result carries both parts.</remarks>
    /// <param name="current">The current pair counts.</param>
    /// <param name="reference">The reference pair counts, sharing the pair interner.</param>
    /// <param name="xValues">The first field's value interner.</param>
    /// <param name="top">How many to return.</param>
    /// <returns>At most <paramref name="top"/> drivers, largest |change| first (ties by value text).</returns>
    public static IReadOnlyList<ConditionalDriver> Drivers(PairCountTable current, PairCountTable reference, ValueInterner xValues, int top)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(xValues);
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        if (top == 0)
        {
            return [];
        }

        int length = Math.Max(current.X.Counts.Length, reference.X.Counts.Length);
        (double[] curShare, double[] curH) = ConditionalEntropies(current, length);
        (double[] refShare, double[] refH) = ConditionalEntropies(reference, length);
        var all = new List<ConditionalDriver>();
        for (int id = 0; id < length; id++)
        {
            if (curShare[id] > 0 || refShare[id] > 0)
            {
                all.Add(new ConditionalDriver(xValues.GetString(id), curShare[id], refShare[id], curH[id], refH[id]));
            }
        }

        all.Sort(static (a, b) =>
        {
            int c = Math.Abs(b.ContributionChange).CompareTo(Math.Abs(a.ContributionChange));
            return c != 0 ? c : string.CompareOrdinal(a.X, b.X);
        });
        if (all.Count > top)
        {
            all.RemoveRange(top, all.Count - top);
        }

        return all;
    }

    // p(x) and H(Y|X=x) = ln nₓ − (1/nₓ) Σ_y n_xy ln n_xy for every x id below length, plug-in.
    private static (double[] Share, double[] Entropy) ConditionalEntropies(PairCountTable table, int length)
    {
        double[] share = new double[length];
        double[] entropy = new double[length];
        if (table.Total == 0)
        {
            return (share, entropy);
        }

        double[] sumNLogN = new double[length];
        CountSpan joint = table.Joint.Counts;
        for (int id = 0; id < joint.Length; id++)
        {
            long n = joint[id];
            if (n > 0)
            {
                int x = table.Pairs.GetPair(id).X;
                sumNLogN[x] += n * Math.Log(n);
            }
        }

        CountSpan marginal = table.X.Counts;
        double total = table.Total;
        for (int x = 0; x < marginal.Length; x++)
        {
            long n = marginal[x];
            if (n > 0)
            {
                share[x] = n / total;
                entropy[x] = Math.Max(0, Math.Log(n) - (sumNLogN[x] / n));
            }
        }

        return (share, entropy);
    }
}
