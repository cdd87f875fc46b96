namespace StreamEntropy.Core.Estimation;

/// <summary>What a bounded summary knows about one distribution: the exact total, an interval for the count of each
/// tracked key, and a bound on the count of every key it does not track.</summary>
/// <remarks>
/// <para>The facts are deterministic: the true count of tracked key i lies in [<see cref="Lower"/>[i],
/// <see cref="Upper"/>[i]], that of any other key in [0, <see cref="UntrackedBound"/>], and all counts add up to
/// <see cref="Total"/>. Exact counts are the special case Lower = Upper and UntrackedBound = 0 (a key not listed
/// has count 0); a SpaceSaving summary gives [count − error, count] and its untracked bound m.</para>
/// <para>Keys are the summaries' 64-bit value hashes: two sides are comparable when they hash values the same way.</para>
/// </remarks>
public sealed class CountIntervals
{
    private readonly ulong[] _keys;
    private readonly long[] _lower;
    private readonly long[] _upper;

    /// <summary>Creates the description of one distribution.</summary>
    /// <param name="total">The exact number of values counted N.</param>
    /// <param name="keys">The tracked keys, each once.</param>
    /// <param name="lower">The lower bound of each tracked key's count.</param>
    /// <param name="upper">The upper bound of each tracked key's count.</param>
    /// <param name="untrackedBound">The largest count any key not in <paramref name="keys"/> may have (0 when exact).</param>
    /// <exception cref="ArgumentException">The arrays differ in length, or a bound is out of order or negative, or the
    /// lower bounds add up to more than the total.</exception>
    public CountIntervals(long total, ulong[] keys, long[] lower, long[] upper, long untrackedBound)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(lower);
        ArgumentNullException.ThrowIfNull(upper);
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        ArgumentOutOfRangeException.ThrowIfNegative(untrackedBound);
        if (lower.Length != keys.Length || upper.Length != keys.Length)
        {
            throw new ArgumentException("There must be one lower and one upper bound per key.", nameof(upper));
        }

        long sumLower = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            if (lower[i] < 0 || upper[i] < lower[i])
            {
                throw new ArgumentException($"The interval of key {i} is [{lower[i]}, {upper[i]}].", nameof(lower));
            }

            sumLower += lower[i];
        }

        if (sumLower > total)
        {
            throw new ArgumentException($"The lower bounds add up to {sumLower}, more than the total {total}.", nameof(lower));
        }

        Total = total;
        _keys = keys;
        _lower = lower;
        _upper = upper;
        UntrackedBound = untrackedBound;
    }

    /// <summary>Gets the exact number of values counted N.</summary>
    public long Total { get; }

    /// <summary>Gets the tracked keys.</summary>
    public ReadOnlySpan<ulong> Keys => _keys;

    /// <summary>Gets the lower bounds of the tracked keys' counts.</summary>
    public ReadOnlySpan<long> Lower => _lower;

    /// <summary>Gets the upper bounds of the tracked keys' counts.</summary>
    public ReadOnlySpan<long> Upper => _upper;

    /// <summary>Gets the largest count a key that is not tracked may have; 0 when the counts are exact.</summary>
    public long UntrackedBound { get; }

    /// <summary>Gets whether every count is known exactly.</summary>
    public bool IsExact
    {
        get
        {
            if (UntrackedBound != 0)
            {
                return false;
            }

            for (int i = 0; i < _keys.Length; i++)
            {
                if (_lower[i] != _upper[i])
                {
                    return false;
                }
            }

            return true;
        }
    }
}
