using System.Text;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Core.Sketches;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Tests.Engine;

/// <summary>Events with a high-cardinality field <c>id</c> (Zipf-distributed) and a low-cardinality <c>country</c>, and
/// the same engine configured with and without a MaxDistinct budget on <c>id</c>.</summary>
internal static class BudgetTestKit
{
    // Relative above 1, so 1e-11 keeps these checks at least as strict as the absolute 1e-9 they had for any value
    // below 100 (an entropy in nats of fewer than e^100 events).
    private const double ExactTolerance = 1e-11;

    public static WindowDefinition[] CountedWindows { get; } =
    [
        new("all", WindowKind.Cumulative),
        new("10s", WindowKind.Tumbling, TimeSpan.FromSeconds(10)),
        new("6s", WindowKind.Sliding, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(2)),
    ];

    /// <summary>Fields country (unbounded) and id (budget <paramref name="idBudget"/>, 0 = none), pair (country, id).</summary>
    public static EventSchema Schema(int idBudget) => new(
        [new FieldDefinition("country", "country"), new FieldDefinition("id", "user.id", MaxDistinct: idBudget)],
        [new PairDefinition("country", "id")]);

    public static EntropyEngine CreateEngine(int idBudget, IReadOnlyList<WindowDefinition>? windows = null) =>
        new(Schema(idBudget), windows ?? CountedWindows, EntropyEstimator.MaximumLikelihood);

    public static byte[] Event(string country, string id) =>
        Encoding.UTF8.GetBytes($"{{\"country\":\"{country}\",\"user\":{{\"id\":\"{id}\"}}}}");

    /// <summary>Phase A, t ∈ [0, 10 s): <paramref name="heavy"/> events with ids drawn from Zipf(<paramref name="exponent"/>)
    /// over <paramref name="values"/> values; phase B, t ∈ [10 s, 30 s): <paramref name="light"/> events over 40 ids.
    /// Country depends on the id (id mod 7) with some noise, so the pair carries information.</summary>
    public static (byte[] Json, long T)[] TwoPhases(double exponent, int values, int heavy, int light, int seed)
    {
        var random = new Random(seed);
        double[] cumulative = ZipfCumulative(values, exponent);
        var events = new (byte[], long)[heavy + light];
        for (int i = 0; i < heavy; i++)
        {
            int rank = Array.BinarySearch(cumulative, random.NextDouble());
            rank = rank < 0 ? Math.Min(~rank, values - 1) : rank;
            events[i] = (Event(Country(rank, random), $"u{rank}"), i * 10_000L / heavy);
        }

        for (int i = 0; i < light; i++)
        {
            int rank = random.Next(40);
            events[heavy + i] = (Event(Country(rank, random), $"u{rank}"), 10_000 + (i * 20_000L / light));
        }

        return events;
    }

    /// <summary>Feeds both engines the events, collecting every closed snapshot and a final one at the end.</summary>
    public static (List<WindowSnapshot> Exact, List<WindowSnapshot> Bounded) Run(EntropyEngine exact, EntropyEngine bounded, (byte[] Json, long T)[] events, long endMs)
    {
        var e = new List<WindowSnapshot>();
        var b = new List<WindowSnapshot>();
        foreach ((byte[] json, long t) in events)
        {
            exact.Process(json, t);
            bounded.Process(json, t);
        }

        exact.AdvanceTo(endMs);
        bounded.AdvanceTo(endMs);
        e.AddRange(exact.TakeClosed());
        b.AddRange(bounded.TakeClosed());
        e.AddRange(exact.Snapshot());
        b.AddRange(bounded.Snapshot());
        return (e, b);
    }

    /// <summary>Checks a bounded engine's snapshot against the exact one of the same events: exact results equal, inexact
    /// brackets contain the exact plug-in values. Returns how many field and pair results were inexact.</summary>
    public static int AssertAgrees(WindowSnapshot exact, WindowSnapshot bounded)
    {
        Assert.Equal((exact.Window, exact.Start, exact.End, exact.Closed, exact.Events), (bounded.Window, bounded.Start, bounded.End, bounded.Closed, bounded.Events));
        int inexact = 0;
        for (int f = 0; f < exact.Fields.Count; f++)
        {
            FieldResult e = exact.Fields[f];
            FieldResult b = bounded.Fields[f];
            Assert.True(e.IsExact);
            Assert.Equal((e.Name, e.Count, e.Missing, e.Invalid), (b.Name, b.Count, b.Missing, b.Invalid));
            if (b.IsExact)
            {
                Assert.Equal(e.Distinct, b.Distinct);
                AssertClose(e.Entropy, b.Entropy, ExactTolerance);
                AssertClose(e.StandardError, b.StandardError, ExactTolerance);
                AssertClose(e.Coverage, b.Coverage, ExactTolerance);
            }
            else
            {
                inexact++;
                Assert.True(b.Bracket!.Value.Contains(e.Entropy), $"{bounded.Window}/{b.Name}: exact {e.Entropy:R} outside {b.Bracket}");
                Assert.Equal(b.Bracket.Value.Estimate, b.Entropy);
                Assert.True(double.IsNaN(b.StandardError) && double.IsNaN(b.Coverage) && double.IsNaN(b.NormalizedEntropy));
            }
        }

        for (int p = 0; p < exact.Pairs.Count; p++)
        {
            PairResult e = exact.Pairs[p];
            PairResult b = bounded.Pairs[p];
            Assert.Equal(e.Entropies.Count, b.Entropies.Count);
            if (b.Brackets is not { } r)
            {
                Assert.Equal(e.DistinctPairs, b.DistinctPairs);
                AssertClose(e.Entropies.Joint, b.Entropies.Joint, ExactTolerance);
                AssertClose(e.Entropies.ConditionalYGivenX, b.Entropies.ConditionalYGivenX, ExactTolerance);
                AssertClose(e.Entropies.ConditionalXGivenY, b.Entropies.ConditionalXGivenY, ExactTolerance);
                AssertClose(e.Entropies.MutualInformation, b.Entropies.MutualInformation, ExactTolerance);
                AssertClose(e.Entropies.JointStandardError, b.Entropies.JointStandardError, ExactTolerance);
                continue;
            }

            inexact++;
            string at = $"{bounded.Window}/{b.Key}";
            AssertInside(r.Joint, e.Entropies.Joint, $"{at}: joint");
            AssertInside(r.X, e.Entropies.X, $"{at}: H(X)");
            AssertInside(r.Y, e.Entropies.Y, $"{at}: H(Y)");
            AssertInside(r.ConditionalYGivenX, e.Entropies.ConditionalYGivenX, $"{at}: H(Y|X)");
            AssertInside(r.ConditionalXGivenY, e.Entropies.ConditionalXGivenY, $"{at}: H(X|Y)");
            AssertInside(r.MutualInformation, Math.Max(0, e.Entropies.MutualInformation), $"{at}: MI");
        }

        return inexact;
    }

    // A part of an inexact pair may itself be exact (a zero-width bracket): then it equals the exact value up to rounding.
    private static void AssertInside(EntropyBracket bracket, double exact, string what)
    {
        if (bracket.IsExact)
        {
            Assert.Equal(exact, bracket.Estimate, 1e-9);
        }
        else
        {
            Assert.True(bracket.Contains(exact), $"{what} {exact:R} outside {bracket}");
        }
    }

    private static string Country(int rank, Random random) => random.Next(10) == 0 ? $"C{random.Next(7)}" : $"C{rank % 7}";

    /// <summary>The cumulative shares of Zipf(<paramref name="exponent"/>) over <paramref name="values"/> ranks.</summary>
    public static double[] ZipfCumulative(int values, double exponent)
    {
        var cumulative = new double[values];
        double sum = 0;
        for (int r = 0; r < values; r++)
        {
            sum += Math.Pow(r + 1, -exponent);
            cumulative[r] = sum;
        }

        for (int r = 0; r < values; r++)
        {
            cumulative[r] /= sum;
        }

        return cumulative;
    }
}
