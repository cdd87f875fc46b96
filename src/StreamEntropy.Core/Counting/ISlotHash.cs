namespace StreamEntropy.Core.Counting;

/// <summary>The hash a <see cref="SlotTable"/> entry stands for, computed from its key word alone, so that the table can
/// move its entries when it grows without reading anything else.</summary>
internal interface ISlotHash
{
    /// <summary>The 64-bit hash of the entry whose key word is <paramref name="key"/> (the table uses its top 32 bits).</summary>
    ulong Hash(ulong key);
}
