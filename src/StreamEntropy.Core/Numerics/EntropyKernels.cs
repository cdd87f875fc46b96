using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace StreamEntropy.Core.Numerics;

/// <summary>Span kernels for full recomputation over count arrays; each has a plain scalar reference it must match.</summary>
public static class EntropyKernels
{
    private const int ChunkLength = 512;

    /// <summary>Computes S1 = Σ n ln n and S2 = Σ n ln² n over the counts (zeros contribute nothing).</summary>
    /// <remarks>Vectorised with <see cref="TensorPrimitives"/> over chunks converted to doubles. A zero count is
    /// lifted to 1 inside the logarithm, so its term is 0·ln 1 = 0 instead of 0·(−∞) = NaN.</remarks>
    public static (double SumNLogN, double SumNLog2N) SumNLogN(ReadOnlySpan<long> counts) => SumNLogNOf(counts);

    /// <summary>Computes S1 = Σ n ln n and S2 = Σ n ln² n over 32-bit counts (how a <c>CountTable</c> stores them
    /// until one passes <see cref="int.MaxValue"/>): the same doubles in the same chunks as
    /// <see cref="SumNLogN(ReadOnlySpan{long})"/> over the same counts as longs, so the same sums to the last bit.</summary>
    public static (double SumNLogN, double SumNLog2N) SumNLogNInt32(ReadOnlySpan<int> counts) => SumNLogNOf(counts);

    [SkipLocalsInit] // every chunk buffer is fully written before it is read
    private static (double SumNLogN, double SumNLog2N) SumNLogNOf<T>(ReadOnlySpan<T> counts)
        where T : struct, IBinaryInteger<T>
    {
        Span<double> n = stackalloc double[ChunkLength];
        Span<double> ln = stackalloc double[ChunkLength];
        Span<double> nLn = stackalloc double[ChunkLength];
        var s1 = new NeumaierSum(0);
        var s2 = new NeumaierSum(0);
        while (!counts.IsEmpty)
        {
            int length = Math.Min(ChunkLength, counts.Length);
            Span<double> nc = n[..length];
            Span<double> lnc = ln[..length];
            Span<double> nLnc = nLn[..length];
            TensorPrimitives.ConvertTruncating(counts[..length], nc);
            TensorPrimitives.Max(nc, 1.0, lnc);
            TensorPrimitives.Log(lnc, lnc);
            TensorPrimitives.Multiply(nc, lnc, nLnc);
            s1.Add(TensorPrimitives.Sum(nLnc));
            s2.Add(TensorPrimitives.Dot(nLnc, lnc));
            counts = counts[length..];
        }

        return (s1.Value, s2.Value);
    }

    /// <summary>The scalar reference for <see cref="SumNLogN(ReadOnlySpan{long})"/>.</summary>
    public static (double SumNLogN, double SumNLog2N) SumNLogNScalar(ReadOnlySpan<long> counts)
    {
        double s1 = 0;
        double s2 = 0;
        foreach (long c in counts)
        {
            if (c > 0)
            {
                double l = Math.Log(c);
                s1 += c * l;
                s2 += c * l * l;
            }
        }

        return (s1, s2);
    }
}
