using StreamEntropy.Core.Sketches;

namespace StreamEntropy.Streaming.Counting;

/// <summary>The counts of one pair of fields under a budget of distinct values: the joint counts of (x, y), keyed by
/// <see cref="StableHash64.Pair"/> of the two value hashes, and both marginals over the same events.</summary>
/// <remarks>Each part is a <see cref="BoundedCounts"/>, exact while it fits the budget; as in
/// <see cref="BoundedPairSummary"/>, the marginals are kept here so that all three entropies describe the same events
/// and the derived brackets (<see cref="PairEntropyBrackets"/>) hold. Single writer.</remarks>
internal sealed class BoundedPairCounts
{
    /// <summary>Creates empty counts, each part exact up to <paramref name="maxDistinct"/> distinct values (or pairs).</summary>
    public BoundedPairCounts(int maxDistinct)
    {
        Joint = new BoundedCounts(maxDistinct);
        X = new BoundedCounts(maxDistinct);
        Y = new BoundedCounts(maxDistinct);
    }

    /// <summary>Gets the counts of (x, y) pair keys.</summary>
    public BoundedCounts Joint { get; }

    /// <summary>Gets the counts of x over the paired events.</summary>
    public BoundedCounts X { get; }

    /// <summary>Gets the counts of y over the paired events.</summary>
    public BoundedCounts Y { get; }

    /// <summary>Gets the number of paired events.</summary>
    public long Total => Joint.Total;

    /// <summary>Gets whether all three parts are exact.</summary>
    public bool IsExact => Joint.IsExact && X.IsExact && Y.IsExact;

    /// <summary>Counts one event whose values hash to <paramref name="xKey"/> and <paramref name="yKey"/>.</summary>
    public void Add(ulong xKey, ulong yKey)
    {
        Joint.Add(StableHash64.Pair(xKey, yKey));
        X.Add(xKey);
        Y.Add(yKey);
    }

    /// <summary>Adds the counts of <paramref name="other"/> (see <see cref="BoundedCounts.Merge"/>).</summary>
    public void Merge(BoundedPairCounts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Joint.Merge(other.Joint);
        X.Merge(other.X);
        Y.Merge(other.Y);
    }

    /// <summary>Forgets every count.</summary>
    public void Clear()
    {
        Joint.Clear();
        X.Clear();
        Y.Clear();
    }

    /// <summary>Writes the three parts (see <see cref="BoundedCounts.Write"/>).</summary>
    public void Write(BinaryWriter writer)
    {
        Joint.Write(writer);
        X.Write(writer);
        Y.Write(writer);
    }

    /// <summary>Reads the three parts and checks that the marginals count the same events as the joint counts.</summary>
    /// <exception cref="InvalidDataException">A part is corrupt or the totals disagree.</exception>
    public void Read(BinaryReader reader, List<(int Id, long Count)> scratch)
    {
        Joint.Read(reader, scratch);
        X.Read(reader, scratch);
        Y.Read(reader, scratch);
        if (X.Total != Joint.Total || Y.Total != Joint.Total)
        {
            throw new InvalidDataException($"The pair's marginals count {X.Total} and {Y.Total} events, its joint counts {Joint.Total}.");
        }
    }

    /// <summary>Brackets every information measure of the pair, in nats (zero-width where exact).</summary>
    public PairEntropyBrackets Entropies() => PairEntropyBrackets.From(Total, X.Entropy(), Y.Entropy(), Joint.Entropy());
}
