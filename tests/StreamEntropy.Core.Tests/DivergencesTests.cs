using CsCheck;
using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Core.Tests;

public class DivergencesTests
{
    private const double Eps = Divergences.DefaultEpsilon;

    internal static CountTable Table(params long[] counts)
    {
        var table = new CountTable(1);
        for (int id = 0; id < counts.Length; id++)
        {
            table.Add(id, counts[id]);
        }

        return table;
    }

    [Fact]
    public void Compute_HandExample_MatchesDefinitions()
    {
        // current p = (1/2, 1/2), reference q = (1, 0).
        Divergences d = Divergences.Compute(Table(1, 1), Table(3));
        double kl = (0.5 * Math.Log(0.5 / 1)) + (0.5 * Math.Log(0.5 / Eps));
        double js = (0.5 * ((0.5 * Math.Log(0.5 / 0.75)) + (0.5 * Math.Log(0.5 / 0.25)))) + (0.5 * (1 * Math.Log(1 / 0.75)));
        double psi = ((0.5 - 1) * Math.Log(0.5 / 1)) + ((0.5 - Eps) * Math.Log(0.5 / Eps));
        Assert.Equal(kl, d.KullbackLeibler, 14);
        Assert.Equal(js, d.JensenShannon, 14);
        Assert.Equal(psi, d.PopulationStability, 14);
    }

    [Fact]
    public void Compute_ZeroCurrentShare_ContributesNothingToKl()
    {
        // p = (1, 0), q = (1/2, 1/2): KL = ln 2 exactly; PSI replaces the zero current share by ε.
        Divergences d = Divergences.Compute(Table(4, 0), Table(2, 2));
        Assert.Equal(Math.Log(2), d.KullbackLeibler, 15);
        double psi = (0.5 * Math.Log(2)) + ((Eps - 0.5) * Math.Log(Eps / 0.5));
        Assert.Equal(psi, d.PopulationStability, 14);
    }

    [Fact]
    public void Compute_IdenticalDistributions_AreZero()
    {
        Divergences d = Divergences.Compute(Table(1, 2, 3, 0, 9), Table(2, 4, 6, 0, 18));
        Assert.Equal(0.0, d.KullbackLeibler, 15);
        Assert.Equal(0.0, d.JensenShannon, 15);
        Assert.Equal(0.0, d.PopulationStability, 15);
    }

    [Fact]
    public void Compute_DisjointSupports_JensenShannonIsLn2()
    {
        Divergences d = Divergences.Compute(Table(5, 0, 0), Table(0, 3, 1));
        Assert.Equal(Math.Log(2), d.JensenShannon, 15);
    }

    [Fact]
    public void Compute_EmptyTableOrBadEpsilon_NaNOrThrows()
    {
        Assert.True(double.IsNaN(Divergences.Compute(new CountTable(), Table(1)).KullbackLeibler));
        Assert.True(double.IsNaN(Divergences.Compute(Table(1), new CountTable()).PopulationStability));
        Assert.Throws<ArgumentOutOfRangeException>(() => Divergences.Compute(Table(1), Table(1), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Divergences.Compute(Table(1), Table(1), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Divergences.Compute(Table(1), Table(1), double.NaN));
    }

    [Fact]
    public void Compute_RandomTables_MatchNaiveAndAreBounded()
    {
        Gen<int[]> counts = Gen.Frequency((2, Gen.Int[0, 0]), (3, Gen.Int[0, 50])).Array[1, 25];
        Gen.Select(counts, counts, Gen.Double[1e-9, 0.1]).Sample(
            (c, r, eps) =>
            {
                if (c.Sum() == 0 || r.Sum() == 0)
                {
                    return;
                }

                CountTable current = Table(c.Select(x => (long)x).ToArray());
                CountTable reference = Table(r.Select(x => (long)x).ToArray());
                Divergences d = Divergences.Compute(current, reference, eps);
                (double kl, double js, double psi) = Naive(c, r, eps);
                AssertClose(kl, d.KullbackLeibler, 1e-12, "KL");
                AssertClose(js, d.JensenShannon, 1e-12, "JS");
                AssertClose(psi, d.PopulationStability, 1e-12, "PSI");
                Divergences back = Divergences.Compute(reference, current, eps);
                AssertClose(d.JensenShannon, back.JensenShannon, 1e-14, "JS symmetric");
                AssertClose(d.PopulationStability, back.PopulationStability, 1e-12, "PSI symmetric");
                Assert.InRange(d.JensenShannon, 0, Math.Log(2) + 1e-15);
                Assert.True(d.PopulationStability >= 0);
            },
            iter: 3000);
    }

    private static (double Kl, double Js, double Psi) Naive(int[] c, int[] r, double eps)
    {
        double cn = c.Sum();
        double rn = r.Sum();
        double kl = 0;
        double jsP = 0;
        double jsQ = 0;
        double psi = 0;
        for (int i = 0; i < Math.Max(c.Length, r.Length); i++)
        {
            double p = i < c.Length ? c[i] / cn : 0;
            double q = i < r.Length ? r[i] / rn : 0;
            if (p == 0 && q == 0)
            {
                continue;
            }

            double m = (p + q) / 2;
            if (p > 0)
            {
                kl += p * Math.Log(p / (q == 0 ? eps : q));
                jsP += p * Math.Log(p / m);
            }

            if (q > 0)
            {
                jsQ += q * Math.Log(q / m);
            }

            double pe = p == 0 ? eps : p;
            double qe = q == 0 ? eps : q;
            psi += (pe - qe) * Math.Log(pe / qe);
        }

        return (kl, Math.Max(0, (jsP + jsQ) / 2), psi);
    }
}
