using CsCheck;
using StreamEntropy.Streaming.Profiling;

namespace StreamEntropy.Streaming.Tests.Profiling;

/// <summary><see cref="PairAccumulator"/> against a dictionary and a list of first sightings.</summary>
public sealed class PairAccumulatorTests
{
    [Fact]
    public void Add_RandomPairs_CountsAndOrderMatchReference()
    {
        // Small ids collide often in x ^ y; large ones exercise the full key; many pairs force several table growths.
        Gen<(int, int)> pair = Gen.Frequency(
            (3, Gen.Select(Gen.Int[0, 8], Gen.Int[0, 8])),
            (2, Gen.Select(Gen.Int[0, 5000], Gen.Int[0, 3])),
            (1, Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue])));
        pair.Array[0, 3000].Sample(pairs =>
        {
            var accumulator = new PairAccumulator();
            var counts = new Dictionary<(int, int), long>();
            var order = new List<(int, int)>();
            foreach ((int x, int y) in pairs)
            {
                accumulator.Touch(x, y);
                accumulator.Add(x, y);
                if (counts.TryGetValue((x, y), out long c))
                {
                    counts[(x, y)] = c + 1;
                }
                else
                {
                    counts[(x, y)] = 1;
                    order.Add((x, y));
                }
            }

            Assert.Equal(order.Count, accumulator.Count);
            var inOrder = new long[accumulator.Count];
            accumulator.CopyCountsInOrder(inOrder);
            for (int i = 0; i < order.Count; i++)
            {
                Assert.Equal(order[i], accumulator.PairAt(i));
                Assert.Equal(counts[order[i]], inOrder[i]);
            }
        }, iter: 200);
    }
}
