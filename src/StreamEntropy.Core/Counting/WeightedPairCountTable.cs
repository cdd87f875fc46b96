namespace StreamEntropy.Core.Counting;

/// <summary>Weights of (x, y) pairs in one decayed window, with the two weighted marginals over the same events.</summary>
/// <remarks>As in <see cref="PairCountTable"/>, the marginals cover only events that have both values, so that
/// H(Y|X) = H(X,Y) − H(X) holds. Single writer.</remarks>
public sealed class WeightedPairCountTable
{
    /// <summary>Creates an empty table whose pair ids come from <paramref name="pairs"/>.</summary>
    public WeightedPairCountTable(PairInterner pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        Pairs = pairs;
    }

    /// <summary>Gets the dictionary that assigns pair ids (shared by all windows of the pair).</summary>
    public PairInterner Pairs { get; }

    /// <summary>Gets the weights of pair ids.</summary>
    public WeightedCountTable Joint { get; } = new();

    /// <summary>Gets the weights of x value ids over the paired events.</summary>
    public WeightedCountTable X { get; } = new();

    /// <summary>Gets the weights of y value ids over the paired events.</summary>
    public WeightedCountTable Y { get; } = new();

    /// <summary>Adds one event with values <paramref name="x"/> and <paramref name="y"/> and weight <paramref name="weight"/>.</summary>
    public void Add(int x, int y, double weight)
    {
        if (weight == 0)
        {
            return;
        }

        Joint.Add(Pairs.GetOrAdd(x, y), weight);
        X.Add(x, weight);
        Y.Add(y, weight);
    }

    /// <summary>Adds <paramref name="weight"/> to the pair with id <paramref name="pairId"/> and to its marginals.</summary>
    public void Add(int pairId, double weight)
    {
        (int x, int y) = Pairs.GetPair(pairId);
        Joint.Add(pairId, weight);
        X.Add(x, weight);
        Y.Add(y, weight);
    }

    /// <summary>Multiplies every weight by <paramref name="factor"/>.</summary>
    public void Scale(double factor)
    {
        Joint.Scale(factor);
        X.Scale(factor);
        Y.Scale(factor);
    }

    /// <summary>Re-bases the sums of the three tables from their weights.</summary>
    public void Rebase()
    {
        Joint.Rebase();
        X.Rebase();
        Y.Rebase();
    }

    /// <summary>Sets every weight to zero, keeping the allocated room.</summary>
    public void Clear()
    {
        Joint.Clear();
        X.Clear();
        Y.Clear();
    }
}
