namespace StreamEntropy.Streaming.Drift;

/// <summary>A value and its count in a field of <see cref="BaselineFileV1"/>.</summary>
internal sealed record BaselineValueV1(string? Value, long? Count);
