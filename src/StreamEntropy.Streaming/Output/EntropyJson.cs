using System.Text.Json;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Core.Sketches;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Output;

/// <summary>Writes the measures with the member names shared by <c>profile</c>, the output topic and the HTTP API.</summary>
/// <remarks>Entropies are converted from nats to the chosen base here, at the edge. An undefined value (NaN, as
/// for an empty window) is written as JSON null. Every record ends with <c>"exact"</c>; an inexact one (a field or pair
/// over its MaxDistinct budget) then carries <c>NAMELower</c> and <c>NAMEUpper</c> beside each entropy NAME, a bracket
/// guaranteed to contain the exact plug-in value, as <c>profile --max-distinct</c> writes them. A pair's record also
/// has <c>mutualInformationStandardError</c>, <c>symmetricUncertainty</c> and <c>gainRatio</c> before <c>"exact"</c>.</remarks>
public static class EntropyJson
{
    /// <summary>Writes a field's measures as members of the current object.</summary>
    public static void WriteFieldMembers(Utf8JsonWriter writer, FieldResult result, LogBase logBase)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(result);
        writer.WriteNumber("count", result.Count);
        writer.WriteNumber("distinct", result.Distinct);
        writer.WriteNumber("missing", result.Missing);
        writer.WriteNumber("invalid", result.Invalid);
        WriteNumber(writer, "entropy", logBase.FromNats(result.Entropy));
        WriteNumber(writer, "standardError", logBase.FromNats(result.StandardError));
        WriteNumber(writer, "normalizedEntropy", result.NormalizedEntropy);
        WriteNumber(writer, "coverage", result.Coverage);
        WriteNumber(writer, "differentialEntropy", result.DifferentialEntropy is double h ? logBase.FromNats(h) : double.NaN);
        writer.WriteBoolean("exact", result.IsExact);
        if (result.Bracket is { } bracket)
        {
            WriteBounds(writer, "entropy", bracket.ToBase(logBase));
            if (result.DifferentialEntropy is not null)
            {
                double width = logBase.FromNats(result.DifferentialEntropy.Value - result.Entropy); // log(width) in the output base
                WriteNumber(writer, "differentialEntropyLower", logBase.FromNats(bracket.Lower) + width);
                WriteNumber(writer, "differentialEntropyUpper", logBase.FromNats(bracket.Upper) + width);
            }
        }
    }

    /// <summary>Writes a pair's measures as members of the current object.</summary>
    public static void WritePairMembers(Utf8JsonWriter writer, PairResult result, LogBase logBase)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(result);
        PairEntropies e = result.Entropies;
        writer.WriteNumber("count", e.Count);
        writer.WriteNumber("distinctPairs", result.DistinctPairs);
        if (result.Brackets is not { } b)
        {
            WriteNumber(writer, "joint", logBase.FromNats(e.Joint));
            WriteNumber(writer, "jointStandardError", logBase.FromNats(e.JointStandardError));
            WriteNumber(writer, "entropyX", logBase.FromNats(e.X));
            WriteNumber(writer, "entropyY", logBase.FromNats(e.Y));
            WriteNumber(writer, "conditionalYGivenX", logBase.FromNats(e.ConditionalYGivenX));
            WriteNumber(writer, "conditionalXGivenY", logBase.FromNats(e.ConditionalXGivenY));
            WriteNumber(writer, "mutualInformation", logBase.FromNats(e.MutualInformation));
            WriteInformationMembers(writer, result, e.MutualInformation, e.X, e.Y, logBase);
            writer.WriteBoolean("exact", true);
            return;
        }

        // Inexact: the point values are the brackets' estimates, each clamped into its own bracket.
        WriteNumber(writer, "joint", logBase.FromNats(b.Joint.Estimate));
        WriteNumber(writer, "jointStandardError", logBase.FromNats(e.JointStandardError));
        WriteNumber(writer, "entropyX", logBase.FromNats(b.X.Estimate));
        WriteNumber(writer, "entropyY", logBase.FromNats(b.Y.Estimate));
        WriteNumber(writer, "conditionalYGivenX", logBase.FromNats(b.ConditionalYGivenX.Estimate));
        WriteNumber(writer, "conditionalXGivenY", logBase.FromNats(b.ConditionalXGivenY.Estimate));
        WriteNumber(writer, "mutualInformation", logBase.FromNats(b.MutualInformation.Estimate));
        WriteInformationMembers(writer, result, b.MutualInformation.Estimate, b.X.Estimate, b.Y.Estimate, logBase);
        writer.WriteBoolean("exact", false);
        WriteBounds(writer, "joint", b.Joint.ToBase(logBase));
        WriteBounds(writer, "entropyX", b.X.ToBase(logBase));
        WriteBounds(writer, "entropyY", b.Y.ToBase(logBase));
        WriteBounds(writer, "conditionalYGivenX", b.ConditionalYGivenX.ToBase(logBase));
        WriteBounds(writer, "conditionalXGivenY", b.ConditionalXGivenY.ToBase(logBase));
        WriteBounds(writer, "mutualInformation", b.MutualInformation.ToBase(logBase));
    }

    /// <summary>Writes the members added for target pairs after <c>mutualInformation</c>: its standard error (in the
    /// base; null under a MaxDistinct budget), the symmetric uncertainty and the gain ratio I/H(X) (unitless, from the
    /// same point values as the members before them).</summary>
    private static void WriteInformationMembers(Utf8JsonWriter writer, PairResult result, double information, double x, double y, LogBase logBase)
    {
        WriteNumber(writer, "mutualInformationStandardError", result.MutualInformationStandardError is double se ? logBase.FromNats(se) : double.NaN);
        WriteNumber(writer, "symmetricUncertainty", PairEntropies.SymmetricUncertaintyOf(information, x, y));
        WriteNumber(writer, "gainRatio", PairEntropies.GainRatioOf(information, x));
    }

    /// <summary>Writes NAMELower and NAMEUpper, the bracket around the value written as NAME.</summary>
    public static void WriteBounds(Utf8JsonWriter writer, string name, EntropyBracket bracket)
    {
        WriteNumber(writer, name + "Lower", bracket.Lower);
        WriteNumber(writer, name + "Upper", bracket.Upper);
    }

    /// <summary>Writes a number, or null when it is NaN or infinite (JSON has no such numbers).</summary>
    public static void WriteNumber(Utf8JsonWriter writer, string name, double value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
