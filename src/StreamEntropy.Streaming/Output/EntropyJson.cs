using System.Text.Json;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Output;

/// <summary>Writes the measures with the member names shared by <c>profile</c>, the output topic and the HTTP API.</summary>
/// <remarks>Entropies are converted from nats to the chosen base here, at the edge. An undefined value (NaN, as
/// for an empty window) is written as JSON null.</remarks>
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
    }

    /// <summary>Writes a pair's measures as members of the current object.</summary>
    public static void WritePairMembers(Utf8JsonWriter writer, PairResult result, LogBase logBase)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(result);
        PairEntropies e = result.Entropies;
        writer.WriteNumber("count", e.Count);
        writer.WriteNumber("distinctPairs", result.DistinctPairs);
        WriteNumber(writer, "joint", logBase.FromNats(e.Joint));
        WriteNumber(writer, "jointStandardError", logBase.FromNats(e.JointStandardError));
        WriteNumber(writer, "entropyX", logBase.FromNats(e.X));
        WriteNumber(writer, "entropyY", logBase.FromNats(e.Y));
        WriteNumber(writer, "conditionalYGivenX", logBase.FromNats(e.ConditionalYGivenX));
        WriteNumber(writer, "conditionalXGivenY", logBase.FromNats(e.ConditionalXGivenY));
        WriteNumber(writer, "mutualInformation", logBase.FromNats(e.MutualInformation));
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
