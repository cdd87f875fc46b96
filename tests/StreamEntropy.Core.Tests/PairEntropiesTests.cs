using CsCheck;
using StreamEntropy.Core.Counting;
using StreamEntropy.Core.Estimation;

namespace StreamEntropy.Core.Tests;

public class PairEntropiesTests
{
    /// <summary>Cover &amp; Thomas, Elements of Information Theory, Example 2.2.1, scaled by 32 to integer counts.
    /// Rows y = 1..4, columns x = 1..4.</summary>
    private static readonly int[,] CoverThomas =
    {
        { 4, 2, 1, 1 },
        { 2, 4, 1, 1 },
        { 2, 2, 2, 2 },
        { 8, 0, 0, 0 },
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Compute_CoverThomasExample221_MatchesTextbookBits(bool bulk)
    {
        var table = new PairCountTable(new PairInterner());
        for (int y = 0; y < 4; y++)
        {
            for (int x = 0; x < 4; x++)
            {
                if (bulk && CoverThomas[y, x] > 0)
                {
                    table.AddPairCount(table.Pairs.GetOrAdd(x, y), CoverThomas[y, x]);
                    continue;
                }

                for (int i = 0; i < CoverThomas[y, x]; i++)
                {
                    table.Add(x, y);
                }
            }
        }

        PairEntropies e = PairEntropies.Compute(table, EntropyEstimator.MaximumLikelihood);
        LogBase bits = LogBase.Bits;
        Assert.Equal(32, e.Count);
        Assert.Equal(7.0 / 4, bits.FromNats(e.X), 13);
        Assert.Equal(2.0, bits.FromNats(e.Y), 13);
        Assert.Equal(27.0 / 8, bits.FromNats(e.Joint), 13);
        Assert.Equal(11.0 / 8, bits.FromNats(e.ConditionalXGivenY), 13);
        Assert.Equal(13.0 / 8, bits.FromNats(e.ConditionalYGivenX), 13);
        Assert.Equal(3.0 / 8, bits.FromNats(e.MutualInformation), 13);
        Assert.Equal(13, table.Pairs.Count); // 16 cells, 3 zero
        AssertClose(Naive.StandardError(CoverThomasCounts()), e.JointStandardError, 1e-13, "SE of H(X,Y)");
    }

    [Fact]
    public void Compute_Empty_IsNaN()
    {
        PairEntropies e = PairEntropies.Compute(new PairCountTable(new PairInterner()), EntropyEstimator.MillerMadow);
        Assert.Equal(0, e.Count);
        Assert.True(double.IsNaN(e.Joint) && double.IsNaN(e.X) && double.IsNaN(e.Y) && double.IsNaN(e.MutualInformation));
    }

    private static readonly Gen<(int X, int Y)[]> GenPairs = Gen.Select(Gen.Int[1, 8], Gen.Int[1, 8]).SelectMany(
        (kx, ky) => Gen.Select(Gen.Int[0, kx - 1], Gen.Int[0, ky - 1]).Array[1, 300]);

    [Fact]
    public void ConditionalYGivenX_RandomTables_ThreeFormsAgree()
    {
        GenPairs.Sample(
            records =>
            {
                PairEntropies e = PairEntropies.Compute(PairCountTableTests.FromRecords(records), EntropyEstimator.MaximumLikelihood);
                double n = records.Length;
                Dictionary<(int, int), long> joint = Naive.Count(records.Select(r => (r.X * 1000) + r.Y)).ToDictionary(kv => (kv.Key / 1000, kv.Key % 1000), kv => kv.Value);
                Dictionary<int, long> xCounts = Naive.Count(records.Select(r => r.X));

                // −Σ p(x,y) ln p(y|x)
                double chain = 0;
                foreach (((int x, _), long c) in joint)
                {
                    chain -= c / n * Math.Log((double)c / xCounts[x]);
                }

                // Σ_x p(x) H(Y | X = x)
                double average = 0;
                foreach ((int x, long cx) in xCounts)
                {
                    average += cx / n * Naive.PlugIn(joint.Where(kv => kv.Key.Item1 == x).Select(kv => kv.Value));
                }

                AssertClose(chain, e.ConditionalYGivenX, 1e-9, "joint − marginal vs −Σ p ln p(y|x)");
                AssertClose(average, e.ConditionalYGivenX, 1e-9, "joint − marginal vs Σ p(x) H(Y|x)");
                AssertClose(Naive.PlugIn(joint.Values), e.Joint, 1e-12, "naive H(X,Y)");
            },
            iter: 2000);
    }

    [Fact]
    public void Compute_RandomTables_SatisfyShannonInequalities()
    {
        GenPairs.Sample(
            records =>
            {
                PairCountTable table = PairCountTableTests.FromRecords(records);
                PairEntropies e = PairEntropies.Compute(table, EntropyEstimator.MaximumLikelihood);
                PairEntropies swapped = PairEntropies.Compute(PairCountTableTests.FromRecords(records.Select(r => (r.Y, r.X))), EntropyEstimator.MaximumLikelihood);
                Assert.True(e.ConditionalYGivenX >= -1e-12, "H(Y|X) ≥ 0");
                Assert.True(e.ConditionalYGivenX <= e.Y + 1e-12, "H(Y|X) ≤ H(Y)");
                Assert.True(e.ConditionalXGivenY <= e.X + 1e-12, "H(X|Y) ≤ H(X)");
                Assert.True(e.Joint <= e.X + e.Y + 1e-12, "H(X,Y) ≤ H(X) + H(Y)");
                Assert.True(e.Joint >= Math.Max(e.X, e.Y) - 1e-12, "H(X,Y) ≥ max(H(X), H(Y))");
                Assert.True(e.MutualInformation >= -1e-12, "I ≥ 0");
                AssertClose(e.MutualInformation, swapped.MutualInformation, 1e-12, "I(X;Y) = I(Y;X)");
                AssertClose(e.ConditionalYGivenX, swapped.ConditionalXGivenY, 1e-12, "H(Y|X) symmetric relabel");
                foreach ((CountTable t, double h) in new[] { (table.X, e.X), (table.Y, e.Y), (table.Joint, e.Joint) })
                {
                    Assert.True(h >= 0 && h <= Math.Log(t.Distinct) + 1e-12, $"0 ≤ H = {h} ≤ ln K = {Math.Log(t.Distinct)}");
                }
            },
            iter: 2000);
    }

    [Fact]
    public void FromNats_RandomTables_BaseChangeMatchesNaiveLogarithms()
    {
        Gen.Select(Gen.Int[0, 40].Array[1, 200], Gen.Double[1.01, 100]).Sample(
            (records, b) =>
            {
                double nats = EntropyEstimators.PlugIn(CountTableTests.FromRecords(records, 4));
                long[] counts = Naive.Count(records).Values.ToArray();
                double n = records.Length;
                double bits = -counts.Sum(c => c / n * Math.Log2(c / n));
                double bans = -counts.Sum(c => c / n * Math.Log10(c / n));
                AssertClose(bits, LogBase.Bits.FromNats(nats), 1e-12, "bits");
                AssertClose(bans, LogBase.Bans.FromNats(nats), 1e-12, "bans");
                Assert.True(LogBase.TryParse(b.ToString("R", System.Globalization.CultureInfo.InvariantCulture), out LogBase custom));
                AssertClose(-counts.Sum(c => c / n * Math.Log(c / n, b)), custom.FromNats(nats), 1e-12, $"base {b}");
            },
            iter: 2000);
    }

    [Fact]
    public void SymmetricUncertaintyAndGainRatio_CoverThomasExample221_MatchTheTextbookRatios()
    {
        // H(X) = 7/4, H(Y) = 2, I = 3/8 bits: SU = 2·(3/8) / (15/4) = 1/5 and I / H(X) = 3/14, whatever the base.
        var table = new PairCountTable(new PairInterner());
        for (int y = 0; y < 4; y++)
        {
            for (int x = 0; x < 4; x++)
            {
                if (CoverThomas[y, x] > 0)
                {
                    table.AddPairCount(table.Pairs.GetOrAdd(x, y), CoverThomas[y, x]);
                }
            }
        }

        PairEntropies e = PairEntropies.Compute(table, EntropyEstimator.MaximumLikelihood);
        AssertClose(0.2, e.SymmetricUncertainty, 1e-12);
        AssertClose(3.0 / 14, e.GainRatio, 1e-12);
        AssertClose(3.0 / 16, PairEntropies.GainRatioOf(e.MutualInformation, e.Y), 1e-12); // the gain ratio with Y as the feature
    }

    [Fact]
    public void SymmetricUncertaintyAndGainRatio_EdgeCases_AreOneZeroOrNaN()
    {
        var copy = new PairCountTable(new PairInterner());
        var constants = new PairCountTable(new PairInterner());
        var constantFeature = new PairCountTable(new PairInterner());
        for (int i = 0; i < 12; i++)
        {
            copy.Add(i % 3, i % 3);
            constants.Add(0, 0);
            constantFeature.Add(0, i % 2);
        }

        PairEntropies c = PairEntropies.Compute(copy, EntropyEstimator.MaximumLikelihood);
        AssertClose(1, c.SymmetricUncertainty, 1e-12);
        AssertClose(1, c.GainRatio, 1e-12);
        Assert.Equal(0, PairEntropies.Compute(constants, EntropyEstimator.MaximumLikelihood).SymmetricUncertainty);
        Assert.Equal(0, PairEntropies.Compute(constantFeature, EntropyEstimator.MaximumLikelihood).GainRatio);
        PairEntropies empty = PairEntropies.Compute(new PairCountTable(new PairInterner()), EntropyEstimator.MaximumLikelihood);
        Assert.True(double.IsNaN(empty.SymmetricUncertainty));
        Assert.True(double.IsNaN(empty.GainRatio));
    }

    private static long[] CoverThomasCounts()
    {
        var counts = new List<long>();
        foreach (int c in CoverThomas)
        {
            counts.Add(c);
        }

        return [.. counts];
    }
}
