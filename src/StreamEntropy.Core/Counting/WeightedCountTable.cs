using System.Diagnostics;
using System.Runtime.CompilerServices;
using StreamEntropy.Core.Numerics;

namespace StreamEntropy.Core.Counting;

/// <summary>Real-valued weights of one field's values (or of pair ids), for exponentially decayed windows.</summary>
/// <remarks>
/// <para>Each <see cref="Add"/> is O(1) and allocation-free once the id has a slot. It maintains the total weight
/// W = Σ w, S = Σ w ln w over the ids' weights, and Σ δ² over the weights δ of the single observations added (for
/// Kish's effective count W²/Σ δ²), each as a compensated (Neumaier) sum. The change of S is computed as
/// δ ln(w + δ) + w ln(1 + δ/w), which is accurate even when δ ≪ w (the difference (w+δ)ln(w+δ) − w ln w would cancel).
/// W and S are re-based exactly from the weights by <see cref="Scale"/>, by <see cref="Rebase"/> and every few
/// few times the number of distinct ids of updates (amortised O(1)), so they never drift.</para>
/// <para>Entropy is invariant under multiplying every weight by the same factor: the plug-in entropy is
/// ln W − S/W, and the effective number of observations is W²/Σ w². Ids come from the same
/// <see cref="ValueInterner"/> or <see cref="PairInterner"/> as the integer tables. Single writer; not thread-safe.</para>
/// </remarks>
public sealed class WeightedCountTable
{
    private const long MinRebaseInterval = 1 << 12;

    private double[] _weights;
    private int _distinct;
    private NeumaierSum _total;
    private NeumaierSum _sumSquares;
    private NeumaierSum _sumWLogW;
    private long _updatesSinceRebase;

    /// <summary>Creates an empty table.</summary>
    /// <param name="capacity">The number of ids to reserve room for.</param>
    public WeightedCountTable(int capacity = 16)
    {
        _weights = new double[Math.Max(capacity, 1)];
    }

    /// <summary>Gets the total weight W.</summary>
    public double Total => _total.Value;

    /// <summary>Gets Σ δ² over the weights δ of the observations added (scaled along with them by <see cref="Scale"/>).</summary>
    /// <remarks>This is a sum over observations, not over ids: it cannot be recomputed from <see cref="Weights"/>.</remarks>
    public double SumOfSquaredWeights => _sumSquares.Value;

    /// <summary>Gets S = Σ w ln w over the ids with a non-zero weight.</summary>
    public double SumWLogW => _sumWLogW.Value;

    /// <summary>Gets the number of ids with a non-zero weight.</summary>
    public int Distinct => _distinct;

    /// <summary>Gets the effective number of observations W² / Σ δ² (Kish); 0 when empty.</summary>
    /// <remarks>Equals the number of observations when every observation weighs the same.</remarks>
    public double EffectiveCount
    {
        get
        {
            double w = Total;
            double sumSquares = SumOfSquaredWeights;
            return w > 0 && sumSquares > 0 ? w / sumSquares * w : 0; // w/Σw² first: W² alone could overflow
        }
    }

    /// <summary>Gets the weights indexed by id; ids past the end weigh zero.</summary>
    public ReadOnlySpan<double> Weights => _weights;

    /// <summary>Gets the weight of one id.</summary>
    public double this[int id] => (uint)id < (uint)_weights.Length ? _weights[id] : 0;

    /// <summary>Adds <paramref name="weight"/> to the weight of <paramref name="id"/>.</summary>
    /// <param name="id">A non-negative id.</param>
    /// <param name="weight">A finite weight ≥ 0; zero (for instance an underflowed decay factor) changes nothing.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="weight"/> is negative, NaN or infinite.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int id, double weight)
    {
        if (!(weight >= 0 && weight <= double.MaxValue))
        {
            ThrowBadWeight(weight);
        }

        if (weight == 0)
        {
            return;
        }

        if ((uint)id >= (uint)_weights.Length)
        {
            Grow(id);
        }

        ref double slot = ref _weights[id];
        double w = slot;
        double next = w + weight;
        slot = next;
        _total.Add(weight);
        _sumSquares.Add(weight * weight);
        if (w == 0)
        {
            _distinct++;
            _sumWLogW.Add(weight * Math.Log(weight));
        }
        else if (weight <= w)
        {
            // (w+δ) ln(w+δ) − w ln w = δ ln(w+δ) + w ln(1 + δ/w): no cancellation when δ ≪ w
            _sumWLogW.Add((weight * Math.Log(next)) + (w * SpecialFunctions.Log1P(weight / w)));
        }
        else
        {
            // δ > w: the plain difference does not cancel, and δ/w could overflow when w is tiny (after decay)
            _sumWLogW.Add((next * Math.Log(next)) - (w * Math.Log(w)));
        }

        // Amortised O(1): a re-base costs O(ids) and runs at most once per 4·distinct + 4096 updates. The trigger depends
        // only on the weights (not on the array's spare room), so a restored table re-bases exactly when the original would.
        if (++_updatesSinceRebase >= MinRebaseInterval + (4L * _distinct))
        {
            Rebase();
        }
    }

    /// <summary>Multiplies every weight by <paramref name="factor"/> and re-bases the sums.</summary>
    /// <remarks>O(table length). Weights that underflow to zero leave the table (their share was below ~1e-308 of the largest).</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is negative, NaN or infinite.</exception>
    public void Scale(double factor)
    {
        if (!(factor >= 0 && factor <= double.MaxValue))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The factor must be finite and non-negative.");
        }

        double[] weights = _weights;
        for (int id = 0; id < weights.Length; id++)
        {
            weights[id] *= factor;
        }

        _sumSquares = new NeumaierSum(_sumSquares.Value * factor * factor); // not factor²: that alone could underflow
        Rebase();
    }

    /// <summary>Recomputes W, S and the number of distinct ids exactly from the weights, in id order, and folds the
    /// compensation of Σ δ² into its value.</summary>
    /// <remarks>The result depends only on the weights and the value of Σ δ², so two tables that agree on those have
    /// bit-identical state afterwards.</remarks>
    public void Rebase()
    {
        var total = default(NeumaierSum);
        var wLogW = default(NeumaierSum);
        int distinct = 0;
        foreach (double w in _weights)
        {
            if (w > 0)
            {
                distinct++;
                total.Add(w);
                wLogW.Add(w * Math.Log(w));
            }
        }

        _total = total;
        _sumSquares = new NeumaierSum(_sumSquares.Value);
        _sumWLogW = wLogW;
        _distinct = distinct;
        _updatesSinceRebase = 0;
    }

    /// <summary>Replaces the contents with saved weights and Σ δ², as read from <see cref="Weights"/> and
    /// <see cref="SumOfSquaredWeights"/> (after <see cref="Rebase"/>), then re-bases.</summary>
    /// <param name="ids">The ids with a non-zero weight.</param>
    /// <param name="weights">Their weights, finite and positive.</param>
    /// <param name="sumOfSquaredWeights">Σ δ² over the observations, finite and ≥ 0.</param>
    /// <exception cref="ArgumentException">The spans differ in length, an id is negative or repeated, or a number is out of range.</exception>
    public void Restore(ReadOnlySpan<int> ids, ReadOnlySpan<double> weights, double sumOfSquaredWeights)
    {
        if (ids.Length != weights.Length)
        {
            throw new ArgumentException("One weight per id is required.", nameof(weights));
        }

        if (!(sumOfSquaredWeights >= 0 && sumOfSquaredWeights <= double.MaxValue))
        {
            throw new ArgumentOutOfRangeException(nameof(sumOfSquaredWeights), sumOfSquaredWeights, "Σ δ² must be finite and non-negative.");
        }

        Clear();
        for (int i = 0; i < ids.Length; i++)
        {
            if (!(weights[i] > 0) || this[ids[i]] != 0)
            {
                throw new ArgumentException($"Entry {i}: id {ids[i]} is repeated or its weight {weights[i]} is not positive.", nameof(ids));
            }

            Add(ids[i], weights[i]);
        }

        _sumSquares = new NeumaierSum(sumOfSquaredWeights);
        Rebase();
    }

    /// <summary>Sets every weight to zero, keeping the allocated room for reuse.</summary>
    public void Clear()
    {
        Array.Clear(_weights);
        _distinct = 0;
        _total = default;
        _sumSquares = default;
        _sumWLogW = default;
        _updatesSinceRebase = 0;
    }

    /// <summary>The plug-in entropy of the weighted distribution, ln W − S/W, in nats; NaN when empty.</summary>
    /// <remarks>Rounding can push a value a hair below 0; it is clamped there.</remarks>
    public double Entropy()
    {
        double w = Total;
        return w > 0 ? Math.Max(0, Math.Log(w) - (SumWLogW / w)) : double.NaN;
    }

    /// <summary>The standard error of <see cref="Entropy"/>, sqrt(Var_p(ln p) / N_eff), with N_eff = <see cref="EffectiveCount"/>; NaN when empty.</summary>
    /// <remarks>O(table length): the variance is summed in two passes, Σ (w/W)(ln w − S/W)², as for integer counts.</remarks>
    public double StandardError()
    {
        double total = Total;
        double effective = EffectiveCount;
        if (!(total > 0) || !(effective > 0))
        {
            return double.NaN;
        }

        double meanLog = SumWLogW / total;
        double variance = 0;
        foreach (double w in _weights)
        {
            if (w > 0)
            {
                double d = Math.Log(w) - meanLog;
                variance += w / total * d * d;
            }
        }

        return Math.Sqrt(Math.Max(0, variance) / effective);
    }

    private void Grow(int id)
    {
        if (id < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, "Ids are non-negative.");
        }

        Debug.Assert(id >= _weights.Length, "grow only past the end");
        Array.Resize(ref _weights, Math.Max(_weights.Length * 2, id + 1));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadWeight(double weight) =>
        throw new ArgumentOutOfRangeException(nameof(weight), weight, "A weight must be finite and non-negative.");
}
