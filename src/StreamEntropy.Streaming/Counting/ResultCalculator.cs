using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Core.Sketches;

namespace StreamEntropy.Streaming.Counting;

/// <summary>Computes the published measures from a window's counts.</summary>
/// <remarks>Bounded counts that are still exact go through exactly the code of unbounded ones; beyond the budget
/// the plug-in point estimate and certified bracket of the bounded summary are reported (bounded mode supports only
/// the plug-in estimator, which the engine enforces).</remarks>
public static class ResultCalculator
{
    /// <summary>Computes the measures of field <paramref name="field"/>.</summary>
    public static FieldResult Field(FrequencySet set, int field, EntropyEstimator estimator)
    {
        ArgumentNullException.ThrowIfNull(set);
        FieldDefinition definition = set.Encoder.Schema.Fields[field];
        return set.BoundedField(field) is { } bounded
            ? Field(definition, bounded, set.Missing(field), set.Invalid(field), estimator)
            : Field(definition, set.Field(field), set.Missing(field), set.Invalid(field), estimator);
    }

    /// <summary>Computes the measures of a bounded field (also used to merge partitions): exact while within the
    /// budget, else the summary's point estimate and certified bracket.</summary>
    internal static FieldResult Field(FieldDefinition definition, BoundedCounts bounded, long missing, long invalid, EntropyEstimator estimator)
    {
        if (bounded.ExactCounts is { } exact)
        {
            return Field(definition, exact, missing, invalid, estimator);
        }

        EntropyBracket bracket = bounded.Entropy();
        return new FieldResult(
            definition.Name,
            bounded.Total,
            (int)Math.Round(bounded.Distinct),
            missing,
            invalid,
            bracket.Estimate,
            double.NaN,
            double.NaN,
            definition.BinWidth is double width ? NumericBinning.DifferentialEntropy(bracket.Estimate, width) : null)
        {
            Bracket = bracket,
        };
    }

    /// <summary>Computes the measures of a field from its exact table and counters (also used to merge partitions).</summary>
    public static FieldResult Field(FieldDefinition definition, CountTable table, long missing, long invalid, EntropyEstimator estimator)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(table);
        double entropy = EntropyEstimators.Entropy(table, estimator);
        double coverage = table.Total == 0 ? double.NaN : 1 - ((double)table.Singletons / table.Total);
        double? differential = definition.BinWidth is double width ? NumericBinning.DifferentialEntropy(entropy, width) : null;
        return new FieldResult(
            definition.Name,
            table.Total,
            table.Distinct,
            missing,
            invalid,
            entropy,
            EntropyEstimators.StandardError(table),
            coverage,
            differential);
    }

    /// <summary>Computes the measures of pair <paramref name="pair"/>.</summary>
    public static PairResult Pair(FrequencySet set, int pair, EntropyEstimator estimator)
    {
        ArgumentNullException.ThrowIfNull(set);
        PairDefinition definition = set.Encoder.Schema.Pairs[pair];
        return set.BoundedPair(pair) is { } bounded ? Pair(definition, bounded) : Pair(definition, set.Pair(pair), estimator);
    }

    /// <summary>Computes the measures of a bounded pair (also used to merge partitions).</summary>
    internal static PairResult Pair(PairDefinition definition, BoundedPairCounts bounded)
    {
        PairEntropyBrackets b = bounded.Entropies();
        var entropies = new PairEntropies(b.Count, b.X.Estimate, b.Y.Estimate, b.Joint.Estimate, bounded.Joint.StandardError());
        return new PairResult(definition.X, definition.Y, entropies, (int)Math.Round(bounded.Joint.Distinct))
        {
            Brackets = bounded.IsExact ? null : b,
        };
    }

    /// <summary>Computes the measures of a pair from its exact joint table (also used to merge partitions).</summary>
    public static PairResult Pair(PairDefinition definition, PairCountTable table, EntropyEstimator estimator)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(table);
        return new PairResult(definition.X, definition.Y, PairEntropies.Compute(table, estimator), table.Joint.Distinct)
        {
            MutualInformationStandardError = MutualInformationError.StandardError(table),
        };
    }

    /// <summary>Computes the measures of every field, in schema order.</summary>
    public static FieldResult[] Fields(FrequencySet set, EntropyEstimator estimator)
    {
        ArgumentNullException.ThrowIfNull(set);
        var results = new FieldResult[set.Encoder.Schema.Fields.Count];
        for (int i = 0; i < results.Length; i++)
        {
            results[i] = Field(set, i, estimator);
        }

        return results;
    }

    /// <summary>Computes the measures of every pair, in schema order.</summary>
    public static PairResult[] Pairs(FrequencySet set, EntropyEstimator estimator)
    {
        ArgumentNullException.ThrowIfNull(set);
        var results = new PairResult[set.Encoder.Schema.Pairs.Count];
        for (int i = 0; i < results.Length; i++)
        {
            results[i] = Pair(set, i, estimator);
        }

        return results;
    }
}
