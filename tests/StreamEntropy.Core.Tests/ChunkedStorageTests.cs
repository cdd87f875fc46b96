using CsCheck;
using StreamEntropy.Core.Counting;

namespace StreamEntropy.Core.Tests;

public class ChunkedStorageTests
{
    private const int Chunk = 1 << 17; // 128 KiB: ByteArena's chunk, and ChunkedArray's chunk in bytes

    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    [InlineData(40_000)]
    public void ChunkedArray_GrownInRandomSteps_KeepsEveryElement(int initial)
    {
        // Ints (32 768 a chunk) and ulongs (16 384 a chunk) written as the array grows past several chunks, in steps of
        // one element (the interners' case) and in jumps that skip chunks.
        Gen.Int[1, 70_000].Array[1, 12].Sample(
            steps =>
            {
                var ints = new ChunkedArray<int>(initial);
                var longs = new ChunkedArray<ulong>(initial);
                var reference = new List<int>();
                foreach (int step in steps)
                {
                    int length = reference.Count + step;
                    ints.EnsureLength(length);
                    longs.EnsureLength(length);
                    while (reference.Count < length)
                    {
                        int i = reference.Count;
                        int v = (i * 31) ^ step;
                        ints[i] = v;
                        longs[i] = ((ulong)(uint)v << 32) | (uint)i;
                        reference.Add(v);
                    }
                }

                for (int i = 0; i < reference.Count; i++)
                {
                    Assert.Equal(reference[i], ints[i]);
                    Assert.Equal(((ulong)(uint)reference[i] << 32) | (uint)i, longs[i]);
                }
            },
            iter: 30);
    }

    [Fact]
    public void ByteArena_ValuesOfEveryLength_ComeBackWholeAcrossChunks()
    {
        // Lengths that end a chunk exactly, overrun it by one, fill a chunk or more (an array of their own), and empty
        // values wherever they fall: each value must come back as written, whatever followed it.
        Gen<int> length = Gen.Frequency(
            (6, Gen.Int[0, 40]),
            (3, Gen.Int[0, 5_000]),
            (1, Gen.OneOf(Gen.Const(0), Gen.Int[Chunk - 3, Chunk + 3], Gen.Int[(2 * Chunk) - 2, (2 * Chunk) + 2], Gen.Int[Chunk / 2, 3 * Chunk])));
        Gen.Select(length.Array[1, 120], Gen.Int).Sample(
            (lengths, seed) =>
            {
                var random = new XorShift((ulong)seed);
                var arena = new ByteArena(64);
                var values = new List<byte[]>();
                var positions = new List<int>();
                foreach (int n in lengths)
                {
                    byte[] value = new byte[n];
                    for (int i = 0; i < n; i++)
                    {
                        value[i] = (byte)random.Next();
                    }

                    int start = arena.Append(value);
                    if (positions.Count > 0)
                    {
                        Assert.True(start >= positions[^1] + values[^1].Length, "values do not overlap");
                    }

                    values.Add(value);
                    positions.Add(start);
                }

                for (int id = 0; id < values.Count; id++)
                {
                    int next = id + 1 < values.Count ? positions[id + 1] : positions[id] + values[id].Length;
                    Assert.True(arena.Get(positions[id], next).SequenceEqual(values[id]), $"value {id} of {values[id].Length} bytes");
                }
            },
            iter: 60);
    }
}
