using System.Runtime.CompilerServices;
using StreamEntropy.Core.Numerics;

namespace StreamEntropy.Core.Sketches;

/// <summary>Counts of one high-cardinality field (or of pair keys) in bounded memory: exact while the number of distinct
/// values fits, then a certified entropy bracket and a point estimate.</summary>
/// <remarks>
/// <para>Values are keyed by a 64-bit hash (<see cref="StableHash64"/>), not interned, so nothing grows with the number
/// of distinct values. Two parts, both allocated up front, nothing allocated per <see cref="Add(ulong)"/>:</para>
/// <list type="bullet">
/// <item>SpaceSaving heavy hitters with <see cref="HeavyHitterCapacity"/> counters: exact counts while there are at most
/// that many distinct values; afterwards every tracked value i has a true count nᵢ ∈ [lᵢ, cᵢ] and every untracked value
/// has n ≤ m. These deterministic facts and the exact total N are all the bracket uses.</item>
/// <item>A bottom-k distinct sample of <see cref="SampleCapacity"/> values with exact counts: a uniform random sample
/// of the distinct values that shows the shape of the tail, used for the point estimate only.</item>
/// </list>
/// <para><b>The bracket.</b> With f(n) = n ln n, the plug-in entropy is H = ln N − S/N, S = Σᵥ f(nᵥ), so bounds on S give
/// bounds on H. The truth is one point of the feasible set: nᵢ ∈ [lᵢ, cᵢ] for tracked values, any number of untracked
/// values each with 0 ≤ t ≤ m, and Σ nᵢ + Σ t = N. Both bounds optimise over this set, so they contain the truth.</para>
/// <para>Upper bound on H (minimum of S): f is non-decreasing on the integers (f(0) = f(1) = 0) and superadditive
/// (f(a + b) ≥ f(a) + f(b)), so S is smallest when every tracked count is at its lower bound and all remaining mass
/// N − Σ lᵢ is made of untracked singletons, which contribute f(1) = 0: S ≥ S_min = Σ f(lᵢ).</para>
/// <para>Lower bound on H (maximum of S): f is convex, so on [lᵢ, cᵢ] it lies below its chord,
/// f(n) ≤ f(lᵢ) + (n − lᵢ)·σᵢ with σᵢ = (f(cᵢ) − f(lᵢ))/(cᵢ − lᵢ), and an untracked t ≤ m has f(t) = t ln t ≤ t ln m.
/// S is therefore at most a linear function of the masses, whose maximum under the single constraint Σ = N is a
/// fractional knapsack: start from the lower bounds, then give the remaining E = N − Σ lᵢ to the steepest slopes first.
/// Every σᵢ ≥ ln cᵢ ≥ ln m, so the tracked values fill before the tail. Without merges SpaceSaving keeps Σ cᵢ = N, so
/// the fill ends exactly at nᵢ = cᵢ and S_max = Σ f(cᵢ), which is attained: H ≥ the entropy of the counters.</para>
/// <para>What is certified: the bracket holds deterministically for every stream and every order, after any merges,
/// for the stream of hashes. A 64-bit collision (probability ≈ D²/2⁶⁵) merges two values, which can only lower the
/// entropy, so the lower bound holds for the values too. Floating-point error is covered by moving both bounds outward
/// by 1e-10 + 1e-12·|bound| nats. What is probabilistic: the point estimate and <see cref="DistinctEstimate"/>.</para>
/// <para><b>The point estimate.</b> Values tracked with lᵢ > m (certainly heavier than any untracked value) form the head
/// A, estimated at the midpoints of their intervals. The rest, of mass R = N − Σ_A n̂ᵢ, is estimated by the ratio
/// estimator R · Σ f(n)/Σ n over the sampled values outside A (a mass-weighted mean of ln n over the tail). The result is
/// clamped into the bracket.</para>
/// <para>Deletions are not supported (SpaceSaving's bounds do not survive a decrement): a sliding window keeps one
/// summary per pane and merges the live panes when it publishes. Single writer; not thread-safe.</para>
/// </remarks>
public sealed class BoundedCountSummary
{
    private const int ObjectBytes = 32; // this object's header and two references
    private const byte FormatVersion = 1;

    private readonly SpaceSavingCounters _heavy;
    private readonly DistinctSample _sample;

    /// <summary>Creates an empty summary.</summary>
    /// <param name="heavyHitterCapacity">The number of SpaceSaving counters: the summary is exact up to this many distinct values.</param>
    /// <param name="sampleCapacity">The size of the distinct sample (at least 2).</param>
    /// <exception cref="ArgumentOutOfRangeException">A capacity is too small.</exception>
    public BoundedCountSummary(int heavyHitterCapacity, int sampleCapacity)
    {
        _heavy = new SpaceSavingCounters(heavyHitterCapacity);
        _sample = new DistinctSample(sampleCapacity);
    }

    /// <summary>Creates a summary that is exact up to <paramref name="maxDistinct"/> distinct values, with a distinct
    /// sample a quarter that size (at least 64) for the point estimate.</summary>
    public static BoundedCountSummary ForMaxDistinct(int maxDistinct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDistinct, 1);
        return new BoundedCountSummary(maxDistinct, SampleSizeFor(maxDistinct));
    }

    /// <summary>Creates the largest summary, split as in <see cref="ForMaxDistinct"/>, whose <see cref="EstimatedBytes"/>
    /// does not exceed <paramref name="bytes"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The budget cannot hold a minimal summary.</exception>
    public static BoundedCountSummary ForByteBudget(long bytes)
    {
        int maxDistinct = MaxDistinctForBytes(bytes);
        return ForMaxDistinct(maxDistinct);
    }

    /// <summary>Returns the largest MaxDistinct whose summary from <see cref="ForMaxDistinct"/> fits in <paramref name="bytes"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The budget cannot hold a minimal summary.</exception>
    public static int MaxDistinctForBytes(long bytes)
    {
        if (EstimateBytes(1) > bytes)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes, $"A bounded summary needs at least {EstimateBytes(1)} bytes.");
        }

        // EstimateBytes is monotone; binary search the largest fitting size.
        int low = 1;
        int high = 1 << 28;
        while (low < high)
        {
            int mid = low + ((high - low + 1) / 2);
            if (EstimateBytes(mid) <= bytes)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        return low;
    }

    /// <summary>The <see cref="EstimatedBytes"/> of <c>ForMaxDistinct(maxDistinct)</c>, without allocating it.</summary>
    public static long EstimateBytes(int maxDistinct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDistinct, 1);
        return SpaceSavingCounters.BytesFor(maxDistinct) + DistinctSample.BytesFor(SampleSizeFor(maxDistinct)) + ObjectBytes;
    }

    /// <summary>Gets the number of heavy-hitter counters.</summary>
    public int HeavyHitterCapacity => _heavy.Capacity;

    /// <summary>Gets the size of the distinct sample.</summary>
    public int SampleCapacity => _sample.Capacity;

    /// <summary>Gets the exact number of values added N.</summary>
    public long Total => _heavy.Total;

    /// <summary>Gets whether the counts are still exact (no more distinct values than counters so far).</summary>
    public bool IsExact => _heavy.UntrackedBound == 0;

    /// <summary>Gets an estimate of the number of distinct values (exact while fewer than <see cref="SampleCapacity"/>).</summary>
    public double DistinctEstimate => _sample.DistinctEstimate;

    /// <summary>Gets the memory held by this summary in bytes (array payloads, headers and objects); constant after construction.</summary>
    public long EstimatedBytes => _heavy.EstimatedBytes + _sample.EstimatedBytes + ObjectBytes;

    internal SpaceSavingCounters HeavyHitters => _heavy;

    internal DistinctSample Sample => _sample;

    /// <summary>Counts one occurrence of the value with hash <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(ulong key)
    {
        _heavy.Add(key);
        _sample.Add(key);
    }

    /// <summary>Counts <paramref name="count"/> occurrences of the value with hash <paramref name="key"/> at once.</summary>
    /// <remarks>Equivalent for the bracket to <paramref name="count"/> calls of <see cref="Add(ulong)"/> in a row
    /// (weighted SpaceSaving keeps the same invariants); O(log capacity). Used to fold exact counts into a summary.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not positive.</exception>
    public void Add(ulong key, long count)
    {
        _heavy.Add(key, count);
        _sample.Add(key, count);
    }

    /// <summary>Counts one occurrence of <paramref name="value"/> (its UTF-8 bytes), hashed with <see cref="StableHash64"/>.</summary>
    public void Add(ReadOnlySpan<byte> value) => Add(StableHash64.Hash(value));

    /// <summary>Adds the counts summarised by <paramref name="other"/> (another partition or window), keeping this capacity.</summary>
    /// <remarks>The merged bracket still contains the exact entropy of the combined stream; the merged summary is exact
    /// only if both were exact and the union of their values fits in this capacity.</remarks>
    public void Merge(BoundedCountSummary other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this))
        {
            throw new ArgumentException("A summary cannot be merged into itself.", nameof(other));
        }

        _heavy.Merge(other._heavy);
        _sample.Merge(other._sample);
    }

    /// <summary>Forgets every count, keeping the allocated memory for reuse.</summary>
    public void Clear()
    {
        _heavy.Clear();
        _sample.Clear();
    }

    /// <summary>Writes the summary's whole state (format version, capacities, counters, sample and their heap layouts).</summary>
    /// <remarks>A summary read back with <see cref="Read"/> reports the same numbers bit for bit and evolves identically
    /// under the same further additions and merges. About 24 bytes per tracked value and 16 per sampled value.</remarks>
    public void Write(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(FormatVersion);
        writer.Write(HeavyHitterCapacity);
        writer.Write(SampleCapacity);
        _heavy.Write(writer);
        _sample.Write(writer);
    }

    /// <summary>Replaces this summary's contents with a state written by <see cref="Write"/> from a summary of the same capacities.</summary>
    /// <exception cref="InvalidDataException">The data has another format version or other capacities, is truncated, or
    /// breaks an invariant of the counters or the sample; the summary is then left empty.</exception>
    public void Read(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        Clear();
        try
        {
            byte version = reader.ReadByte();
            if (version != FormatVersion)
            {
                throw new InvalidDataException($"The bounded summary has format version {version}; this build reads version {FormatVersion}.");
            }

            int heavy = reader.ReadInt32();
            int sample = reader.ReadInt32();
            if (heavy != HeavyHitterCapacity || sample != SampleCapacity)
            {
                throw new InvalidDataException(
                    $"The bounded summary was saved with {heavy} counters and a sample of {sample}; this one has {HeavyHitterCapacity} and {SampleCapacity}.");
            }

            _heavy.Read(reader);
            _sample.Read(reader);
        }
        catch (EndOfStreamException e)
        {
            Clear();
            throw new InvalidDataException("The bounded summary is truncated.", e);
        }
        catch (InvalidDataException)
        {
            Clear();
            throw;
        }
    }

    /// <summary>The plug-in entropy in nats: exact, or a certified bracket with a point estimate.</summary>
    /// <remarks>O(capacity) per call (O(capacity log capacity) after merges). Empty: <see cref="EntropyBracket.Empty"/>.</remarks>
    public EntropyBracket Entropy()
    {
        long n = Total;
        if (n == 0)
        {
            return EntropyBracket.Empty;
        }

        double logN = Math.Log(n);
        if (IsExact)
        {
            double exact = Clamp(logN - (SumF(_heavy.Counts) / n), logN);
            return EntropyBracket.FromExact(exact);
        }

        (double sMin, double sMax) = SumBounds();
        double lower = Clamp(logN - (sMax / n), logN);
        double upper = Clamp(logN - (sMin / n), logN);
        lower = Math.Max(0, lower - (1e-10 + (1e-12 * lower)));
        upper = upper + 1e-10 + (1e-12 * upper); // not re-clamped to ln N: a differently rounded exact value may exceed it by an ulp
        double estimate = Math.Clamp(logN - (EstimateSum(evenSpread: false) / n), lower, upper);
        return new EntropyBracket(lower, estimate, upper, false);
    }

    /// <summary>The alternative point estimate that spreads the tail mass evenly over the estimated number of tail values
    /// (what a HyperLogLog-style distinct count alone allows); kept to measure against the sample-based estimate.</summary>
    internal double EvenSpreadEstimate()
    {
        long n = Total;
        if (n == 0)
        {
            return double.NaN;
        }

        return Clamp(Math.Log(n) - (EstimateSum(evenSpread: true) / n), Math.Log(n));
    }

    /// <summary>The certified bounds [S_min, S_max] on S = Σ n ln n (see the type remarks for the derivation).</summary>
    internal (double Min, double Max) SumBounds()
    {
        ReadOnlySpan<long> counts = _heavy.Counts;
        ReadOnlySpan<long> errors = _heavy.Errors;
        long m = _heavy.UntrackedBound;
        long n = Total;
        var sMin = default(NeumaierSum);
        var sMaxFull = default(NeumaierSum);
        long sumLower = 0;
        long sumErrors = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            long c = counts[i];
            long l = c - errors[i];
            sumLower += l;
            sumErrors += errors[i];
            sMin.Add(F(l));
            sMaxFull.Add(F(c));
        }

        long extra = n - sumLower; // E = N − Σ lᵢ ≥ 0: the true counts are ≥ lᵢ and sum to at most N
        if (sumErrors <= extra)
        {
            // Every tracked value fills to cᵢ; the rest (0 without merges) goes to untracked values of count m.
            long rest = extra - sumErrors;
            if (rest > 0 && m > 0)
            {
                sMaxFull.Add(rest * Math.Log(m));
            }

            return (sMin.Value, sMaxFull.Value);
        }

        // After merges Σ cᵢ can exceed N: fill the steepest chords first (fractional knapsack).
        var order = new List<(double Slope, long Capacity, double Gain)>();
        var sMax = default(NeumaierSum);
        for (int i = 0; i < counts.Length; i++)
        {
            long c = counts[i];
            long l = c - errors[i];
            sMax.Add(F(l));
            if (c > l)
            {
                double gain = F(c) - F(l);
                order.Add((gain / (c - l), c - l, gain));
            }
        }

        order.Sort(static (a, b) => b.Slope.CompareTo(a.Slope));
        foreach ((double slope, long capacity, double gain) in order)
        {
            if (extra == 0)
            {
                break;
            }

            if (capacity <= extra)
            {
                sMax.Add(gain);
                extra -= capacity;
            }
            else
            {
                sMax.Add(extra * slope);
                extra = 0;
            }
        }

        return (sMin.Value, sMax.Value);
    }

    private double EstimateSum(bool evenSpread)
    {
        ReadOnlySpan<long> counts = _heavy.Counts;
        ReadOnlySpan<long> errors = _heavy.Errors;
        long m = _heavy.UntrackedBound;
        var head = default(NeumaierSum);
        double headMass = 0;
        int headValues = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            long l = counts[i] - errors[i];
            if (l > m)
            {
                double mid = counts[i] - (0.5 * errors[i]);
                head.Add(mid * Math.Log(mid));
                headMass += mid;
                headValues++;
            }
        }

        double rest = Math.Max(0, Total - headMass);
        if (rest == 0)
        {
            return head.Value;
        }

        if (evenSpread)
        {
            double tailValues = Math.Max(1, DistinctEstimate - headValues);
            double perValue = rest / tailValues;
            return head.Value + (perValue > 1 ? rest * Math.Log(perValue) : 0);
        }

        ReadOnlySpan<ulong> keys = _sample.Keys;
        ReadOnlySpan<long> sampled = _sample.Counts;
        double sumF = 0;
        double sumN = 0;
        for (int j = 0; j < keys.Length; j++)
        {
            int id = _heavy.Find(keys[j]);
            if (id >= 0 && counts[id] - errors[id] > m)
            {
                continue; // in the head A, already counted
            }

            sumF += F(sampled[j]);
            sumN += sampled[j];
        }

        return head.Value + (sumN > 0 ? rest * (sumF / sumN) : 0);
    }

    private static double SumF(ReadOnlySpan<long> counts)
    {
        var sum = default(NeumaierSum);
        foreach (long c in counts)
        {
            sum.Add(F(c));
        }

        return sum.Value;
    }

    private static double F(long n) => CountFunctionTables.FNLogN(n);

    // Rounding can push a value a hair outside [0, ln N].
    private static double Clamp(double value, double logN) => Math.Clamp(value, 0, logN);

    private static int SampleSizeFor(int maxDistinct) => Math.Max(64, maxDistinct / 4);
}
