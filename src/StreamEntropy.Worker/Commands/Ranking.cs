using StreamEntropy.Streaming.Output;

namespace StreamEntropy.Worker.Commands;

/// <summary>What <c>profile --rank TARGET</c> prints: the target and its features, best first.</summary>
internal sealed record Ranking(string Target, IReadOnlyList<FeatureRank> Rows);
