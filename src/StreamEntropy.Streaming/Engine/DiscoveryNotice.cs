using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Engine;

/// <summary>Something discovery did that an operator should hear about once: a field added, or the first path refused
/// for a reason.</summary>
/// <param name="Path">The leaf path, as producers sent it (untrusted: escape it wherever it is shown); empty for a path
/// refused as too long.</param>
/// <param name="Outcome">What happened to it.</param>
public sealed record DiscoveryNotice(string Path, DiscoveryOutcome Outcome);
