using System.Text.Json;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Core.Sketches;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Output;

/// <summary>Ranks the features of a target field by what they tell about it: every pair of a window that has the
/// target on one side, sorted by I(feature; target) descending, then by feature name (ordinal).</summary>
/// <remarks>
/// <para>I is symmetric, so a pair counts whichever side the target is on: for (X = feature, Y = target) the row's
/// conditional is H(Y|X), for (X = target, Y = feature) it is H(X|Y). A pair of the target with itself is left out,
/// and a feature paired with the target twice (once on each side) is listed once, from the first pair in schema
/// order. An empty pair (I undefined) sorts after every defined one.</para>
/// <para>For a pair counted over its MaxDistinct budget the values are the point estimates of its brackets, and
/// the brackets of I and of the conditional are carried in the row; the order is that of the point estimates.</para>
/// </remarks>
public static class FeatureRanking
{
    /// <summary>The ranking of <paramref name="target"/>'s features in <paramref name="snapshot"/>; empty when no pair
    /// has the target on a side.</summary>
    public static IReadOnlyList<FeatureRank> Rank(WindowSnapshot snapshot, string target)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return Rank(snapshot.Pairs, target);
    }

    /// <summary>The ranking of <paramref name="target"/>'s features among <paramref name="pairs"/> (as <c>profile</c>
    /// computes them); empty when no pair has the target on a side.</summary>
    public static IReadOnlyList<FeatureRank> Rank(IReadOnlyList<PairResult> pairs, string target)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(target);
        var rows = new List<FeatureRank>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (PairResult pair in pairs)
        {
            bool targetIsY = pair.Y == target;
            if ((!targetIsY && pair.X != target) || pair.X == pair.Y)
            {
                continue;
            }

            string feature = targetIsY ? pair.X : pair.Y;
            if (seen.Add(feature))
            {
                rows.Add(Row(pair, feature, targetIsY));
            }
        }

        rows.Sort(Compare);
        return rows;
    }

    /// <summary>Whether <paramref name="snapshot"/> has a pair with <paramref name="target"/> on one side (and another
    /// field on the other).</summary>
    public static bool HasTarget(WindowSnapshot snapshot, string target)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return snapshot.Pairs.Any(p => p.X != p.Y && (p.X == target || p.Y == target));
    }

    /// <summary>Writes <paramref name="rows"/> as an array named <paramref name="name"/>: per row <c>feature</c>,
    /// <c>x</c>, <c>y</c>, <c>count</c>, <c>mutualInformation</c>, <c>mutualInformationStandardError</c>,
    /// <c>conditionalTargetGivenFeature</c> (entropies in <paramref name="logBase"/>), <c>symmetricUncertainty</c>,
    /// <c>gainRatio</c> (unitless), <c>exact</c>, and when not exact <c>mutualInformationLower/Upper</c> and
    /// <c>conditionalTargetGivenFeatureLower/Upper</c>.</summary>
    public static void WriteRows(Utf8JsonWriter writer, string name, IReadOnlyList<FeatureRank> rows, LogBase logBase)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(rows);
        writer.WriteStartArray(name);
        foreach (FeatureRank r in rows)
        {
            writer.WriteStartObject();
            writer.WriteString("feature", r.Feature);
            writer.WriteString("x", r.X);
            writer.WriteString("y", r.Y);
            writer.WriteNumber("count", r.Count);
            EntropyJson.WriteNumber(writer, "mutualInformation", logBase.FromNats(r.MutualInformation));
            EntropyJson.WriteNumber(writer, "mutualInformationStandardError", r.MutualInformationStandardError is double se ? logBase.FromNats(se) : double.NaN);
            EntropyJson.WriteNumber(writer, "conditionalTargetGivenFeature", logBase.FromNats(r.ConditionalTargetGivenFeature));
            EntropyJson.WriteNumber(writer, "symmetricUncertainty", r.SymmetricUncertainty);
            EntropyJson.WriteNumber(writer, "gainRatio", r.GainRatio);
            writer.WriteBoolean("exact", r.IsExact);
            if (r.MutualInformationBracket is { } mi)
            {
                EntropyJson.WriteBounds(writer, "mutualInformation", mi.ToBase(logBase));
            }

            if (r.ConditionalBracket is { } conditional)
            {
                EntropyJson.WriteBounds(writer, "conditionalTargetGivenFeature", conditional.ToBase(logBase));
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static FeatureRank Row(PairResult pair, string feature, bool targetIsY)
    {
        PairEntropies e = pair.Entropies;
        if (pair.Brackets is { } b)
        {
            EntropyBracket conditional = targetIsY ? b.ConditionalYGivenX : b.ConditionalXGivenY;
            double information = b.MutualInformation.Estimate;
            return new FeatureRank(
                feature,
                pair.X,
                pair.Y,
                b.Count,
                information,
                pair.MutualInformationStandardError,
                conditional.Estimate,
                PairEntropies.SymmetricUncertaintyOf(information, b.X.Estimate, b.Y.Estimate),
                PairEntropies.GainRatioOf(information, targetIsY ? b.X.Estimate : b.Y.Estimate),
                b.MutualInformation,
                conditional);
        }

        return new FeatureRank(
            feature,
            pair.X,
            pair.Y,
            e.Count,
            e.MutualInformation,
            pair.MutualInformationStandardError,
            targetIsY ? e.ConditionalYGivenX : e.ConditionalXGivenY,
            e.SymmetricUncertainty,
            PairEntropies.GainRatioOf(e.MutualInformation, targetIsY ? e.X : e.Y),
            null,
            null);
    }

    // I descending (an undefined I last), then the feature's name in ordinal order.
    private static int Compare(FeatureRank a, FeatureRank b)
    {
        bool aDefined = !double.IsNaN(a.MutualInformation);
        bool bDefined = !double.IsNaN(b.MutualInformation);
        if (aDefined != bDefined)
        {
            return aDefined ? -1 : 1;
        }

        int byInformation = aDefined ? b.MutualInformation.CompareTo(a.MutualInformation) : 0;
        return byInformation != 0 ? byInformation : string.CompareOrdinal(a.Feature, b.Feature);
    }
}
