namespace StreamEntropy.Streaming.Drift;

/// <summary>A field of <see cref="BaselineFileV1"/>; <c>missing</c> and <c>invalid</c> may be left out (0).</summary>
internal sealed record BaselineFieldV1(string? Name, string? Path, double? BinWidth, long? Missing, long? Invalid, IReadOnlyList<BaselineValueV1?>? Values);
