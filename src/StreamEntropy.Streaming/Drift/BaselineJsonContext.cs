using System.Text.Json.Serialization;

namespace StreamEntropy.Streaming.Drift;

/// <summary>The source-generated serializer of baseline files: camelCase members, nulls written, indented.</summary>
/// <remarks>The options give the bytes that the hand-written writer of earlier versions gave, so a file saved again
/// is unchanged.</remarks>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(BaselineFileV1))]
internal sealed partial class BaselineJsonContext : JsonSerializerContext;
