namespace StreamEntropy.Core.Tests.Sketches;

/// <summary>Zipf-distributed value ranks from Walker's alias method with a wyrand generator: O(1) and branch-light per draw.</summary>
internal sealed class ZipfStream
{
    private readonly int[] _alias;
    private readonly ulong[] _threshold; // accept the column itself when the next 64 random bits are below this
    private ulong _state;

    /// <summary>P(rank r) ∝ 1 / (r + 1)^exponent for r = 0 … values − 1.</summary>
    public ZipfStream(int values, double exponent, ulong seed)
    {
        _state = seed;
        var p = new double[values];
        double sum = 0;
        for (int r = 0; r < values; r++)
        {
            p[r] = Math.Pow(r + 1, -exponent);
            sum += p[r];
        }

        // Vose's stable construction of the alias table.
        var scaled = new double[values];
        var small = new Stack<int>();
        var large = new Stack<int>();
        for (int r = 0; r < values; r++)
        {
            scaled[r] = p[r] / sum * values;
            (scaled[r] < 1 ? small : large).Push(r);
        }

        _alias = new int[values];
        _threshold = new ulong[values];
        while (small.Count > 0 && large.Count > 0)
        {
            int s = small.Pop();
            int l = large.Pop();
            _threshold[s] = ToThreshold(scaled[s]);
            _alias[s] = l;
            scaled[l] = scaled[l] + scaled[s] - 1;
            (scaled[l] < 1 ? small : large).Push(l);
        }

        foreach (int r in large)
        {
            _threshold[r] = ulong.MaxValue;
            _alias[r] = r;
        }

        foreach (int r in small)
        {
            _threshold[r] = ulong.MaxValue;
            _alias[r] = r;
        }
    }

    public int Next()
    {
        ulong column = Math.BigMul(NextBits(), (ulong)_alias.Length, out _);
        return NextBits() < _threshold[column] ? (int)column : _alias[column];
    }

    public void Fill(Span<int> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = Next();
        }
    }

    private static ulong ToThreshold(double probability) =>
        probability >= 1 ? ulong.MaxValue : (ulong)(probability * 18446744073709551616.0);

    private ulong NextBits()
    {
        // wyrand (Wang Yi): a Weyl sequence through one 128-bit multiply; passes BigCrush/PractRand.
        _state += 0xa0761d6478bd642fUL;
        ulong high = Math.BigMul(_state, _state ^ 0xe7037ed1a0b428dbUL, out ulong low);
        return high ^ low;
    }
}
