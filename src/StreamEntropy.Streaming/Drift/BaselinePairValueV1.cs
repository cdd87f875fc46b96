namespace StreamEntropy.Streaming.Drift;

/// <summary>A pair of values and its count in a pair of <see cref="BaselineFileV1"/>.</summary>
internal sealed record BaselinePairValueV1(string? X, string? Y, long? Count);
