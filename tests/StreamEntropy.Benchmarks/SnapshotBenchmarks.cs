using BenchmarkDotNet.Attributes;
using MathNet.Numerics.Statistics;
using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Benchmarks;

/// <summary>The cost of one snapshot of a field: every estimator plus the standard error, from a filled table.</summary>
/// <remarks>
/// <para>The table holds <see cref="Distinct"/> values with Zipf-shaped counts (≈ 4 observations per value). The
/// estimators read the table's fingerprint (one term per distinct count, counts below 1024) and the set of values
/// with larger counts, so their cost should not grow with the number of distinct values.</para>
/// <para>Baselines, same data: the naive recompute −Σ p ln p over a <c>Dictionary&lt;string, long&gt;</c> of counts (plug-in
/// estimate only); a full recompute of Σ n ln n over the raw count array with the vectorised kernel; and MathNet.Numerics'
/// <c>Statistics.Entropy(IEnumerable&lt;double&gt;)</c>, which takes raw samples (here N doubles, value v repeated count(v)
/// times), counts them into its own <c>Dictionary&lt;double, double&gt;</c> and returns the plug-in entropy in bits.</para>
/// </remarks>
[MemoryDiagnoser]
public class SnapshotBenchmarks
{
    private static readonly EntropyEstimator[] Estimators = Enum.GetValues<EntropyEstimator>();

    private CountTable _table = new();
    private CountTable _reference = new();
    private Dictionary<string, long> _dictionary = [];
    private double[] _samples = [];

    [Params(7, 64, 4_096, 1_000_000)]
    public int Distinct { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        long[] counts = Workloads.ZipfCounts(Distinct);
        _table = new CountTable(Distinct);
        _dictionary = new Dictionary<string, long>(Distinct, StringComparer.Ordinal);
        long total = 0;
        for (int id = 0; id < counts.Length; id++)
        {
            // Unit steps, as a stream fills the table (the bulk Add(id, count) path is exercised by window retraction).
            for (long k = 0; k < counts[id]; k++)
            {
                _table.Add(id);
            }

            _dictionary.Add(FormattableString.Invariant($"u{id:D7}"), counts[id]);
            total += counts[id];
        }

        // The drift reference: the same values, their counts in reverse order of id.
        _reference = new CountTable(Distinct);
        for (int id = 0; id < counts.Length; id++)
        {
            _reference.Add(id, counts[^(id + 1)]);
        }

        _samples = new double[total];
        int next = 0;
        for (int id = 0; id < counts.Length; id++)
        {
            _samples.AsSpan(next, (int)counts[id]).Fill(id);
            next += (int)counts[id];
        }

        // Same numbers from all three, or the comparison means nothing.
        double ours = EntropyEstimators.PlugIn(_table);
        double naive = NaiveDictionary();
        double mathNet = MathNetEntropy() * Math.Log(2);
        if (Math.Abs(ours - naive) > 1e-9 * naive || Math.Abs(ours - mathNet) > 1e-9 * naive)
        {
            throw new InvalidOperationException($"Plug-in entropies disagree: table {ours}, dictionary {naive}, MathNet {mathNet} nats.");
        }
    }

    /// <summary>The naive recompute: −Σ p ln p over every entry of a string-keyed dictionary (plug-in estimate only).</summary>
    [Benchmark(Baseline = true)]
    public double NaiveDictionary()
    {
        long total = 0;
        foreach (long c in _dictionary.Values)
        {
            total += c;
        }

        double h = 0;
        foreach (long c in _dictionary.Values)
        {
            double p = (double)c / total;
            h -= p * Math.Log(p);
        }

        return h;
    }

    /// <summary>All five estimators and the standard error, as one snapshot of a field computes them.</summary>
    [Benchmark]
    public double AllEstimatorsAndStandardError()
    {
        double sum = EntropyEstimators.StandardError(_table);
        foreach (EntropyEstimator estimator in Estimators)
        {
            sum += EntropyEstimators.Entropy(_table, estimator);
        }

        return sum;
    }

    /// <summary>Σ n ln n and Σ n ln² n recomputed over the whole count array (vectorised), i.e. without the fingerprint.</summary>
    [Benchmark]
    public double FullRecomputeKernel() => _table.RecomputeFromCounts().SumNLogN;

    /// <summary>The loops that read the raw counts id by id, as a drift comparison of a window with its reference does:
    /// the divergences and the G-test of homogeneity of the table against the reference.</summary>
    [Benchmark]
    public double DivergencesAndGTest() =>
        Divergences.Compute(_table, _reference).JensenShannon + GTest.Homogeneity(_table, _reference).Statistic;

    /// <summary>MathNet.Numerics: plug-in entropy in bits of the N raw samples.</summary>
    [Benchmark]
    public double MathNetEntropy() => Statistics.Entropy(_samples);
}
