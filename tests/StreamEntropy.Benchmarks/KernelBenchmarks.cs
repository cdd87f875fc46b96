using BenchmarkDotNet.Attributes;
using StreamEntropy.Core.Numerics;

namespace StreamEntropy.Benchmarks;

/// <summary><see cref="EntropyKernels.SumNLogN"/> (TensorPrimitives, 512-element chunks) against its scalar reference.</summary>
/// <remarks>Counts are Zipf-shaped with about one value in ten zero, as in a count array indexed by ids of which some
/// have left the window; zeros must contribute nothing on both paths.</remarks>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private long[] _counts = [];

    [Params(7, 64, 4_096, 1_000_000)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _counts = Workloads.ZipfCounts(Length);
        var random = new Random(3);
        for (int i = 0; i < _counts.Length; i++)
        {
            if (random.Next(10) == 0)
            {
                _counts[i] = 0;
            }
        }

        (double v1, double v2) = EntropyKernels.SumNLogN(_counts);
        (double s1, double s2) = EntropyKernels.SumNLogNScalar(_counts);
        if (Math.Abs(v1 - s1) > 1e-9 * Math.Max(1, Math.Abs(s1)) || Math.Abs(v2 - s2) > 1e-9 * Math.Max(1, Math.Abs(s2)))
        {
            throw new InvalidOperationException($"Kernels disagree: ({v1}, {v2}) vs scalar ({s1}, {s2}).");
        }
    }

    [Benchmark(Baseline = true)]
    public double Scalar() => EntropyKernels.SumNLogNScalar(_counts).SumNLogN;

    [Benchmark]
    public double Vectorised() => EntropyKernels.SumNLogN(_counts).SumNLogN;
}
