using CsCheck;
using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;

namespace StreamEntropy.Streaming.Tests.Drift;

public class DriftCalculatorTests
{
    [Fact]
    public void Distribution_IdenticalDistributions_ScoresZero()
    {
        FieldDrift d = DriftCalculator.Distribution("f", Table(10, 20, 30), Table(30, 60, 90));
        Assert.Equal(0, d.Divergences.KullbackLeibler, 12);
        Assert.Equal(0, d.Divergences.JensenShannon, 12);
        Assert.Equal(0, d.Divergences.PopulationStability, 12);
        Assert.Equal(0, d.GTest.Statistic, 9);
        Assert.Equal(1, d.GTest.PValue, 9);
        Assert.Equal(0, d.GTestSignificance, 9);
        Assert.Equal(60, d.CurrentCount);
        Assert.Equal(180, d.ReferenceCount);
    }

    [Fact]
    public void Distribution_ShiftedDistributions_MatchNaiveComputation()
    {
        Gen.Select(Gen.Int[1, 50].Array[2, 12], Gen.Int[0, 50].Array[2, 12]).Sample((c, r) =>
        {
            if (r.Sum() == 0)
            {
                return;
            }

            FieldDrift d = DriftCalculator.Distribution("f", Table(c), Table(r), EntropyEstimator.MaximumLikelihood);
            int k = Math.Max(c.Length, r.Length);
            double[] p = Shares(c, k);
            double[] q = Shares(r, k);
            double kl = 0, js = 0, psi = 0;
            for (int i = 0; i < k; i++)
            {
                double m = (p[i] + q[i]) / 2;
                kl += p[i] > 0 ? p[i] * Math.Log(p[i] / (q[i] > 0 ? q[i] : 1e-4)) : 0;
                js += (p[i] > 0 ? 0.5 * p[i] * Math.Log(p[i] / m) : 0) + (q[i] > 0 ? 0.5 * q[i] * Math.Log(q[i] / m) : 0);
                double pe = p[i] > 0 ? p[i] : 1e-4, qe = q[i] > 0 ? q[i] : 1e-4;
                psi += (pe - qe) * Math.Log(pe / qe);
            }

            Assert.Equal(kl, d.Divergences.KullbackLeibler, 10);
            Assert.Equal(js, d.Divergences.JensenShannon, 10);
            Assert.Equal(psi, d.Divergences.PopulationStability, 10);

            // Entropy change in standard errors from the textbook formulas.
            (double hc, double sc) = EntropyAndStandardError(p, c.Sum());
            (double hr, double sr) = EntropyAndStandardError(q, r.Sum());
            Assert.Equal(hc - hr, d.EntropyChange, 10);
            double z = hc - hr == 0 ? 0 : (hc - hr) / Math.Sqrt((sc * sc) + (sr * sr));
            if (double.IsFinite(z) && double.IsFinite(d.EntropyChangeStandardErrors))
            {
                Assert.True(Math.Abs(z - d.EntropyChangeStandardErrors) <= 1e-6 * Math.Max(1, Math.Abs(z)), $"{z} vs {d.EntropyChangeStandardErrors}");
            }
        });
    }

    [Fact]
    public void Pair_DependenceAppears_ReportsMutualInformationChangeAndDrivers()
    {
        var schema = new EventSchema([new FieldDefinition("x", "x"), new FieldDefinition("y", "y")], [new PairDefinition("x", "y")]);
        var encoder = new EventEncoder(schema);
        int a = encoder.Values[0].GetOrAdd("a"), b = encoder.Values[0].GetOrAdd("b");
        int y0 = encoder.Values[1].GetOrAdd("0"), y1 = encoder.Values[1].GetOrAdd("1");
        var reference = new FrequencySet(encoder);
        var current = new FrequencySet(encoder);
        for (int i = 0; i < 100; i++)
        {
            // Reference: y independent of x (uniform). Current: for x = a, y is always 0; x = b unchanged.
            reference.Add([a, i % 2 == 0 ? y0 : y1]);
            reference.Add([b, i % 2 == 0 ? y0 : y1]);
            current.Add([a, y0]);
            current.Add([b, i % 2 == 0 ? y0 : y1]);
        }

        DriftReport report = DriftCalculator.Compute("w", 5, current, reference, new DriftScoring { Estimator = EntropyEstimator.MaximumLikelihood, TopDrivers = 5 });
        PairDrift pair = Assert.Single(report.Pairs);
        // H(Y|X): reference ln 2; current ½·0 + ½·ln 2. I(X;Y): reference 0; current H(Y) − H(Y|X).
        Assert.Equal(Math.Log(2), pair.ReferenceConditionalEntropy, 12);
        Assert.Equal(Math.Log(2) / 2, pair.CurrentConditionalEntropy, 12);
        double hy = -(0.75 * Math.Log(0.75)) - (0.25 * Math.Log(0.25));
        Assert.Equal(hy - (Math.Log(2) / 2), pair.MutualInformationChange, 12);
        Assert.Equal("x,y", pair.Joint.Name);
        Assert.True(pair.Joint.Divergences.JensenShannon > 0);

        Assert.Equal(2, pair.Drivers.Count);
        ConditionalDriver top = pair.Drivers[0];
        Assert.Equal(("a", 0.5, 0.5, 0.0), (top.X, top.CurrentShare, top.ReferenceShare, top.CurrentConditionalEntropy));
        Assert.Equal(-Math.Log(2) / 2, top.ContributionChange, 12);
        Assert.Equal(0, pair.Drivers[1].ContributionChange, 12);
        // The contributions add up to the change of H(Y|X).
        Assert.Equal(pair.ConditionalEntropyChange, pair.Drivers.Sum(dr => dr.ContributionChange), 12);
    }

    [Fact]
    public void Drivers_RandomTables_SumToConditionalEntropyChange()
    {
        Gen.Select(RandomPairTables.Cells, RandomPairTables.Cells).Sample((cur, refe) =>
        {
            (PairCountTable c, PairCountTable r, ValueInterner values) = RandomPairTables.Build(cur, refe);
            PairDrift d = DriftCalculator.Pair("x", "y", c, r, values, EntropyEstimator.MaximumLikelihood, topDrivers: 100);
            Assert.Equal(d.ConditionalEntropyChange, d.Drivers.Sum(dr => dr.ContributionChange), 10);
            for (int i = 1; i < d.Drivers.Count; i++)
            {
                Assert.True(Math.Abs(d.Drivers[i - 1].ContributionChange) >= Math.Abs(d.Drivers[i].ContributionChange));
            }
        });
    }

    [Fact]
    public void Compute_ReferenceFromAnotherEncoder_Throws()
    {
        var schema = new EventSchema([new FieldDefinition("x", "x")], []);
        var e = Assert.Throws<ArgumentException>(() => DriftCalculator.Compute("w", 0, new FrequencySet(new EventEncoder(schema)), new FrequencySet(new EventEncoder(schema))));
        Assert.Contains("materialise", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_EmptyWindow_ScoresAreUndefined()
    {
        var encoder = new EventEncoder(DriftStream.Schema);
        FrequencySet reference = new DriftStream(encoder, 3).Window(100);
        DriftReport report = DriftCalculator.Compute("w", 0, new FrequencySet(encoder), reference);
        Assert.True(double.IsNaN(report.Fields[0].Divergences.PopulationStability));
        Assert.True(double.IsNaN(report.Fields[0].GTestSignificance));
        Assert.True(double.IsNaN(report.Fields[0].EntropyChangeStandardErrors));
        Assert.True(double.IsNaN(report.Pairs[0].MutualInformationChange));
    }

    private static (double H, double Se) EntropyAndStandardError(double[] p, double n)
    {
        double h = 0, s2 = 0;
        foreach (double x in p)
        {
            if (x > 0)
            {
                h -= x * Math.Log(x);
                s2 += x * Math.Log(x) * Math.Log(x);
            }
        }

        return (h, Math.Sqrt(Math.Max(0, s2 - (h * h)) / n));
    }

    private static double[] Shares(int[] counts, int k)
    {
        double total = counts.Sum();
        return [.. Enumerable.Range(0, k).Select(i => i < counts.Length ? counts[i] / total : 0)];
    }

    private static CountTable Table(params int[] counts)
    {
        var table = new CountTable();
        for (int id = 0; id < counts.Length; id++)
        {
            table.Add(id, counts[id]);
        }

        return table;
    }
}
