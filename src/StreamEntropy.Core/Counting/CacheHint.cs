using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace StreamEntropy.Core.Counting;

/// <summary>Asks the processor to start loading a cache line that will be read soon, without waiting for it.</summary>
/// <remarks>The batch entry points (<see cref="ValueInterner.GetOrAddMany"/>, <see cref="PairInterner.GetOrAddMany"/>,
/// <see cref="CountTable.AddMany"/>) hint every slot of a batch first, so that its cache misses overlap. A prefetch
/// retires at once, unlike a load whose value is kept, so many more of them can be in flight. A hint only: it never
/// faults, so the address may be stale (the garbage collector may move the array after it is taken, which costs the
/// hint and nothing else). A no-op where the instruction is not exposed.</remarks>
public static class CacheHint
{
    /// <summary>Hints that <paramref name="location"/> will be read or written soon.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="location">An element of an array (any address: a hint never faults).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch<T>(ref T location)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref location));
        }
    }

    /// <summary>Hints the cache line of <paramref name="location"/> and the one after it: for a probe that may go on
    /// past the line its home slot is in. The second address may lie past the end of the array (a hint never faults).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void PrefetchTwoLines<T>(ref T location)
    {
        if (Sse.IsSupported)
        {
            byte* address = (byte*)Unsafe.AsPointer(ref location);
            Sse.Prefetch0(address);
            Sse.Prefetch0(address + 64);
        }
    }
}
