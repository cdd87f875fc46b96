namespace StreamEntropy.Streaming.Drift;

/// <summary>Version 1 of the baseline file, as System.Text.Json reads and writes it (<see cref="BaselineJsonContext"/>).</summary>
/// <remarks>Every member a reader must check is nullable, so that a missing member is told apart from a zero and
/// named in the error; the declaration order is the order in the file. A new version gets a new type.</remarks>
internal sealed record BaselineFileV1(
    string? Format,
    long? Version,
    string? Source,
    long? Events,
    IReadOnlyList<BaselineFieldV1?>? Fields,
    IReadOnlyList<BaselinePairV1?>? Pairs);
