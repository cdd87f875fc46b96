using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace StreamEntropy.Core.Sketches;

/// <summary>A fast, seedless 64-bit hash of byte strings and of pairs of hashes, stable across processes and machines.</summary>
/// <remarks>
/// <para>The construction follows wyhash (Wang Yi, public domain): 16-byte blocks are folded with a 64×64→128-bit
/// multiply whose two halves are xor-ed ("mum"), the last 1–16 bytes are read as two possibly overlapping words, and
/// the length enters the final mix. It is not cryptographic. Bounded summaries key values by this hash instead of
/// interning them, so their memory does not grow with the number of distinct values.</para>
/// <para>Two distinct values collide with probability about 2⁻⁶⁴; among D distinct values some pair collides with
/// probability about D²/2⁶⁵ (3·10⁻⁸ for D = 10⁶). A collision merges two counts, which can only lower the entropy of
/// the hashed stream: lower bounds stay certified, upper bounds are certified for the hashed stream.</para>
/// <para>The output is fixed by this implementation (little-endian reads on every platform); it may be persisted.</para>
/// </remarks>
public static class StableHash64
{
    private const ulong P0 = 0xa0761d6478bd642fUL;
    private const ulong P1 = 0xe7037ed1a0b428dbUL;
    private const ulong P2 = 0x8ebc6af09c88c6e3UL;
    private const ulong P3 = 0x589965cc75374cc3UL;

    /// <summary>Hashes <paramref name="value"/> (typically the UTF-8 text of a field value) to 64 bits.</summary>
    public static ulong Hash(ReadOnlySpan<byte> value)
    {
        int length = value.Length;
        ulong seed = P0;
        ulong a;
        ulong b;
        if (length <= 16)
        {
            if (length >= 4)
            {
                // Two overlapping 4-byte reads from each end cover 4..8 bytes; two 8-byte-ish pairs cover 9..16.
                int quarter = (length >> 3) << 2;
                a = ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(value) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(value[quarter..]);
                b = ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(value[(length - 4)..]) << 32)
                    | BinaryPrimitives.ReadUInt32LittleEndian(value[(length - 4 - quarter)..]);
            }
            else if (length > 0)
            {
                a = ((ulong)value[0] << 16) | ((ulong)value[length >> 1] << 8) | value[length - 1];
                b = 0;
            }
            else
            {
                a = 0;
                b = 0;
            }
        }
        else
        {
            ReadOnlySpan<byte> rest = value;
            while (rest.Length > 16)
            {
                seed = Mum(BinaryPrimitives.ReadUInt64LittleEndian(rest) ^ P1, BinaryPrimitives.ReadUInt64LittleEndian(rest[8..]) ^ seed);
                rest = rest[16..];
            }

            // The last 16 bytes of the input (overlapping the final block when shorter than 16 remain).
            a = BinaryPrimitives.ReadUInt64LittleEndian(value[(length - 16)..]);
            b = BinaryPrimitives.ReadUInt64LittleEndian(value[(length - 8)..]);
        }

        a ^= P1;
        b ^= seed;
        ulong high = Math.BigMul(a, b, out ulong low);
        return Mum(high ^ P0 ^ (ulong)length, low ^ P1);
    }

    /// <summary>Hashes a 64-bit integer (for example a value id) to 64 bits; a bijection, so distinct inputs never collide.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash(ulong value)
    {
        // SplitMix64's finaliser (Steele, Lea & Flood 2014): invertible, full avalanche.
        ulong z = value + 0x9e3779b97f4a7c15UL;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        return z ^ (z >> 31);
    }

    /// <summary>Combines the hashes of x and y into the hash of the ordered pair (x, y); (x, y) and (y, x) differ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Pair(ulong x, ulong y) => Hash(Mum(x ^ P2, y ^ P3) ^ x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mum(ulong a, ulong b)
    {
        ulong high = Math.BigMul(a, b, out ulong low);
        return high ^ low;
    }
}
