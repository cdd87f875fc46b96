namespace StreamEntropy.Core.Tests;

/// <summary>Marsaglia's xorshift64*: cheap, deterministic, good enough for test data.</summary>
internal struct XorShift(ulong seed)
{
    private ulong _state = seed == 0 ? 0x9E3779B97F4A7C15 : seed;

    public ulong Next()
    {
        ulong x = _state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        _state = x;
        return x * 0x2545F4914F6CDD1D;
    }

    /// <summary>Uniform in [0, bound).</summary>
    public int Next(int bound) => (int)((Next() >> 32) * (ulong)bound >> 32);

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
}
