using System.Runtime.InteropServices;

namespace StreamEntropy.Core.Counting;

/// <summary>One slot of an interner's table (<see cref="SlotTable"/>): a key word, and id + 1 (0 = empty).</summary>
/// <remarks>Packed to 12 bytes: a slot may straddle two cache lines (2 in 16 do), which costs less than the third of the
/// table that 4 bytes of padding would.</remarks>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct InternSlot
{
    public ulong Key;
    public uint IdPlusOne;
}
