using System.Text;
using StreamEntropy.Core.Counting;

namespace StreamEntropy.Benchmarks.CountingMemory;

/// <summary>The hit paths of the interners and count tables, set up and ready to time (the <c>ab</c> mode loads this
/// class from two builds and times them alternately).</summary>
/// <remarks>Every value and pair of the stream is interned before the first call, so that each call is hits only, as in a
/// long window: <c>distinct</c> values "u0000000"… (8 bytes) drawn in Zipf order (exponent 1.1, as
/// <c>CountTableBenchmarks</c>) or uniformly, and pairs of (value, second value) with the second value drawn from an
/// eighth as many (Zipf) or (value / 1 000, value mod 1 000) (uniform: as many distinct pairs as values).</remarks>
public static class HitWorkload
{
    /// <summary>Updates per call of every operation.</summary>
    public const int Updates = 1 << 20;

    private const int Batch = 64;

    /// <summary>The operations over a stream of <see cref="Updates"/> values: name and one call (returns a checksum).</summary>
    public static (string Name, Func<long> Run)[] Bind(int distinct, bool zipf)
    {
        var random = new Random(1);
        double[] cumulative = Cumulative(distinct);
        double[] cumulativeY = Cumulative(Math.Max(2, distinct / 8));
        int[] ids = new int[Updates];
        int[] xs = new int[Updates];
        int[] ys = new int[Updates];
        for (int i = 0; i < Updates; i++)
        {
            ids[i] = zipf ? Draw(cumulative, random.NextDouble()) : random.Next(distinct);
            xs[i] = zipf ? ids[i] : ids[i] / 1000;
            ys[i] = zipf ? Draw(cumulativeY, random.NextDouble()) : ids[i] % 1000;
        }

        byte[] bytes = new byte[distinct * 8L];
        for (int v = 0; v < distinct; v++)
        {
            Encoding.ASCII.GetBytes(FormattableString.Invariant($"u{v:D7}"), bytes.AsSpan(v * 8, 8));
        }

        int[] starts = [.. ids.Select(id => id * 8)];
        int[] lengths = [.. ids.Select(_ => 8)];
        var interner = new ValueInterner();
        var table = new CountTable();
        var control = new CountTable();
        var pairs = new PairCountTable(new PairInterner());
        for (int v = 0; v < distinct; v++)
        {
            table.Add(interner.GetOrAdd(bytes.AsSpan(v * 8, 8)));
            control.Add(v);
        }

        for (int i = 0; i < Updates; i++)
        {
            pairs.Add(xs[i], ys[i]);
        }

        int[] batch = new int[Batch];
        return
        [
            ("CountTable.Add (code unchanged)", () =>
            {
                foreach (int id in ids)
                {
                    control.Add(id);
                }

                return control.Total;
            }),
            ("ValueInterner.GetOrAdd", () =>
            {
                long sum = 0;
                foreach (int id in ids)
                {
                    sum += interner.GetOrAdd(bytes.AsSpan(id * 8, 8));
                }

                return sum;
            }),
            ("GetOrAdd + CountTable.Add", () =>
            {
                foreach (int id in ids)
                {
                    table.Add(interner.GetOrAdd(bytes.AsSpan(id * 8, 8)));
                }

                return table.Total;
            }),
            ("GetOrAddMany + AddMany, 64 a call", () =>
            {
                for (int i = 0; i < Updates; i += Batch)
                {
                    interner.GetOrAddMany(bytes, starts.AsSpan(i, Batch), lengths.AsSpan(i, Batch), batch);
                    table.AddMany(batch);
                }

                return table.Total;
            }),
            ("PairCountTable.Add", () =>
            {
                for (int i = 0; i < Updates; i++)
                {
                    pairs.Add(xs[i], ys[i]);
                }

                return pairs.Total;
            }),
            ("PairCountTable.AddMany, 64 a call", () =>
            {
                for (int i = 0; i < Updates; i += Batch)
                {
                    pairs.AddMany(xs.AsSpan(i, Batch), ys.AsSpan(i, Batch));
                }

                return pairs.Total;
            }),
        ];
    }

    private static double[] Cumulative(int distinct)
    {
        var cumulative = new double[distinct];
        double sum = 0;
        for (int r = 0; r < distinct; r++)
        {
            sum += 1 / Math.Pow(r + 1, 1.1);
            cumulative[r] = sum;
        }

        for (int r = 0; r < distinct; r++)
        {
            cumulative[r] /= sum;
        }

        cumulative[^1] = 1;
        return cumulative;
    }

    private static int Draw(double[] cumulative, double u)
    {
        int index = Array.BinarySearch(cumulative, u);
        return index >= 0 ? index : Math.Min(~index, cumulative.Length - 1);
    }
}
