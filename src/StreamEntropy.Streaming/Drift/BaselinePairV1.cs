namespace StreamEntropy.Streaming.Drift;

/// <summary>A pair of <see cref="BaselineFileV1"/>.</summary>
internal sealed record BaselinePairV1(string? X, string? Y, IReadOnlyList<BaselinePairValueV1?>? Values);
