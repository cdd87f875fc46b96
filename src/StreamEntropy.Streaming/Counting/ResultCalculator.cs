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
        FieldDefinition definition = set.Encoder.Schema.Fields[field];
        CountTable table = set.Field(field);
        double entropy = EntropyEstimators.Entropy(table, estimator);
        double coverage = table.Total == 0 ? double.NaN : 1 - ((double)table.Singletons / table.Total);
        double? differential = definition.BinWidth is double width ? NumericBinning.DifferentialEntropy(entropy, width) : null;
        return new FieldResult(
            definition.Name,
            table.Total,
            table.Distinct,
            set.Missing(field),
            set.Invalid(field),
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
        PairCountTable table = set.Pair(pair);
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
