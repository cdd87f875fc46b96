using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Streaming.Counting;

/// <summary>Computes the published measures from a window's counts.</summary>
public static class ResultCalculator
{
    /// <summary>Computes the measures of field <paramref name="field"/>.</summary>
    public static FieldResult Field(FrequencySet set, int field, EntropyEstimator estimator)
    {
        ArgumentNullException.ThrowIfNull(set);
        return Field(set.Encoder.Schema.Fields[field], set.Field(field), set.Missing(field), set.Invalid(field), estimator);
    }

    /// <summary>Computes the measures of a field from its table and counters (also used to merge partitions).</summary>
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
        return Pair(set.Encoder.Schema.Pairs[pair], set.Pair(pair), estimator);
    }

    /// <summary>Computes the measures of a pair from its joint table (also used to merge partitions).</summary>
    public static PairResult Pair(PairDefinition definition, PairCountTable table, EntropyEstimator estimator)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(table);
        return new PairResult(definition.X, definition.Y, PairEntropies.Compute(table, estimator), table.Joint.Distinct);
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
