namespace StreamEntropy.Core.Counting;

/// <summary>Counts of (x, y) pairs in one window, with the two marginals over the same events.</summary>
/// <remarks>The marginals are kept here rather than borrowed from the field tables because a field table also
/// counts events where the other field of the pair is missing; H(Y|X) = H(X,Y) − H(X) holds only when all three
/// entropies describe the same population of events.</remarks>
public sealed class PairCountTable
{
    /// <summary>Creates an empty table whose pair ids come from <paramref name="pairs"/>.</summary>
    public PairCountTable(PairInterner pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        Pairs = pairs;
    }

    /// <summary>Gets the dictionary that assigns pair ids (shared by all windows of the pair).</summary>
    public PairInterner Pairs { get; }

    /// <summary>Gets the counts of pair ids.</summary>
    public CountTable Joint { get; } = new();

    /// <summary>Gets the counts of x value ids over the paired events.</summary>
    public CountTable X { get; } = new();

    /// <summary>Gets the counts of y value ids over the paired events.</summary>
    public CountTable Y { get; } = new();

    /// <summary>Gets the number of paired events.</summary>
    public long Total => Joint.Total;

    /// <summary>Counts one event with values <paramref name="x"/> and <paramref name="y"/>.</summary>
    public void Add(int x, int y)
    {
        Joint.Add(Pairs.GetOrAdd(x, y));
        X.Add(x);
        Y.Add(y);
    }

    /// <summary>Retracts one event with values <paramref name="x"/> and <paramref name="y"/>.</summary>
    public void Remove(int x, int y)
    {
        if (!Pairs.TryGetId(x, y, out int pairId))
        {
            throw new InvalidOperationException($"Cannot retract pair ({x}, {y}): it was never counted.");
        }

        Joint.Remove(pairId);
        X.Remove(x);
        Y.Remove(y);
    }

    /// <summary>Adds <paramref name="count"/> events of the pair with id <paramref name="pairId"/> (negative retracts).</summary>
    public void Add(int pairId, long count)
    {
        (int x, int y) = Pairs.GetPair(pairId);
        Joint.Add(pairId, count);
        X.Add(x, count);
        Y.Add(y, count);
    }

    /// <summary>Adds every count of <paramref name="other"/>, which must share this table's dictionaries.</summary>
    public void Merge(PairCountTable other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!ReferenceEquals(other.Pairs, Pairs))
        {
            throw new ArgumentException("Pair tables can only be merged when they share one PairInterner.", nameof(other));
        }

        Joint.Merge(other.Joint);
        X.Merge(other.X);
        Y.Merge(other.Y);
    }

    /// <summary>Sets every count to zero, keeping the allocated room.</summary>
    public void Clear()
    {
        Joint.Clear();
        X.Clear();
        Y.Clear();
    }
}
