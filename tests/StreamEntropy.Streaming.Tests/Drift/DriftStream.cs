using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Tests.Drift;

/// <summary>A fast, seeded synthetic event stream for drift tests: a 12-value Zipf-like <c>category</c> in which
/// <c>c2</c> has a 10 % share, a 6-value <c>region</c> that depends on the category, and a sparse 500-value
/// <c>user</c>; the pair (category, region). Events are generated as value ids, skipping JSON, so a million take
/// well under a second.</summary>
internal sealed class DriftStream
{
    public const int Categories = 12;
    public const int Regions = 6;
    public const int Users = 500;
    public const int ChangedCategory = 2;

    private readonly double[] _stationary = CategoryShares(0.10);
    private readonly double[] _shifted = CategoryShares(0.30);
    private readonly double[] _users = Zipf(Users, 1.1);
    private readonly int[][] _ids; // per field: local index → encoder id
    private readonly int[] _event = new int[3];
    private ulong _state;

    public DriftStream(EventEncoder encoder, ulong seed)
    {
        Encoder = encoder;
        _state = seed;
        _ids =
        [
            Intern(encoder, 0, "c", Categories),
            Intern(encoder, 1, "r", Regions),
            Intern(encoder, 2, "u", Users),
        ];
    }

    public static EventSchema Schema { get; } = new(
        [new FieldDefinition("category", "category"), new FieldDefinition("region", "geo.region"), new FieldDefinition("user", "user")],
        [new PairDefinition("category", "region")]);

    public EventEncoder Encoder { get; }

    /// <summary>Gets or sets whether c2's share is 30 % (the injected change) instead of 10 %.</summary>
    public bool Shifted { get; set; }

    /// <summary>The category shares with c2 at <paramref name="share"/> and the rest Zipf(1) scaled to fill the remainder.</summary>
    public static double[] CategoryShares(double share)
    {
        double[] zipf = Zipf(Categories - 1, 1.0);
        double[] shares = new double[Categories];
        for (int i = 0, j = 0; i < Categories; i++)
        {
            shares[i] = i == ChangedCategory ? share : (1 - share) * zipf[j++];
        }

        return shares;
    }

    /// <summary>Adds <paramref name="count"/> events to <paramref name="set"/>.</summary>
    public void Fill(FrequencySet set, int count)
    {
        double[] categories = Shifted ? _shifted : _stationary;
        for (int i = 0; i < count; i++)
        {
            int c = Sample(categories);
            // The region follows the category 60 % of the time, else is uniform: I(category; region) ≈ 0.5 nats.
            int r = NextDouble() < 0.6 ? c % Regions : (int)(NextDouble() * Regions);
            _event[0] = _ids[0][c];
            _event[1] = _ids[1][r];
            _event[2] = _ids[2][Sample(_users)];
            set.Add(_event);
        }
    }

    public FrequencySet Window(int count)
    {
        var set = new FrequencySet(Encoder);
        Fill(set, count);
        return set;
    }

    private static double[] Zipf(int n, double s)
    {
        double[] w = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            w[i] = 1 / Math.Pow(i + 1, s);
            sum += w[i];
        }

        for (int i = 0; i < n; i++)
        {
            w[i] /= sum;
        }

        return w;
    }

    private static int[] Intern(EventEncoder encoder, int field, string prefix, int n)
    {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++)
        {
            ids[i] = encoder.Values[field].GetOrAdd(prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return ids;
    }

    private int Sample(double[] shares)
    {
        double u = NextDouble();
        for (int i = 0; i < shares.Length - 1; i++)
        {
            u -= shares[i];
            if (u < 0)
            {
                return i;
            }
        }

        return shares.Length - 1;
    }

    // SplitMix64: fast, seedable, good enough for sampling.
    private double NextDouble()
    {
        ulong z = _state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}
