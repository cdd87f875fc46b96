namespace StreamEntropy.Core.Sketches;

/// <summary>Bounded counts of (x, y) pairs in one window, with bounded counts of both marginals over the same events.</summary>
/// <remarks>The joint summary keys each event by <see cref="StableHash64.Pair"/> of the two value hashes. As in
/// <see cref="Counting.PairCountTable"/>, the marginals are kept here so that all three entropies describe the same
/// events. Deletions are not supported; merge per-pane summaries for sliding windows. Single writer.</remarks>
public sealed class BoundedPairSummary
{
    /// <summary>Creates an empty pair summary.</summary>
    /// <param name="jointMaxDistinct">Exact up to this many distinct pairs (see <see cref="BoundedCountSummary.ForMaxDistinct"/>).</param>
    /// <param name="marginalMaxDistinct">Exact up to this many distinct values of each field.</param>
    public BoundedPairSummary(int jointMaxDistinct, int marginalMaxDistinct)
    {
        Joint = BoundedCountSummary.ForMaxDistinct(jointMaxDistinct);
        X = BoundedCountSummary.ForMaxDistinct(marginalMaxDistinct);
        Y = BoundedCountSummary.ForMaxDistinct(marginalMaxDistinct);
    }

    /// <summary>Gets the summary of pair keys.</summary>
    public BoundedCountSummary Joint { get; }

    /// <summary>Gets the summary of x over the paired events.</summary>
    public BoundedCountSummary X { get; }

    /// <summary>Gets the summary of y over the paired events.</summary>
    public BoundedCountSummary Y { get; }

    /// <summary>Gets the number of paired events.</summary>
    public long Total => Joint.Total;

    /// <summary>Gets the memory held by the three summaries in bytes.</summary>
    public long EstimatedBytes => Joint.EstimatedBytes + X.EstimatedBytes + Y.EstimatedBytes + 32;

    /// <summary>Counts one event whose values hash to <paramref name="xKey"/> and <paramref name="yKey"/> (<see cref="StableHash64"/>).</summary>
    public void Add(ulong xKey, ulong yKey)
    {
        Joint.Add(StableHash64.Pair(xKey, yKey));
        X.Add(xKey);
        Y.Add(yKey);
    }

    /// <summary>Counts one event with the UTF-8 values <paramref name="x"/> and <paramref name="y"/>.</summary>
    public void Add(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y) => Add(StableHash64.Hash(x), StableHash64.Hash(y));

    /// <summary>Adds the counts summarised by <paramref name="other"/>.</summary>
    public void Merge(BoundedPairSummary other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Joint.Merge(other.Joint);
        X.Merge(other.X);
        Y.Merge(other.Y);
    }

    /// <summary>Forgets every count, keeping the memory.</summary>
    public void Clear()
    {
        Joint.Clear();
        X.Clear();
        Y.Clear();
    }

    /// <summary>Brackets every information measure of the pair, in nats.</summary>
    public PairEntropyBrackets Entropies() => PairEntropyBrackets.From(Total, X.Entropy(), Y.Entropy(), Joint.Entropy());
}
