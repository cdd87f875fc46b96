namespace StreamEntropy.Core.Counting;

/// <summary>What a probe of a <see cref="SlotTable"/> looks for (<see cref="SlotTable.Find{TMatch}"/>): whether a taken
/// slot holds the key sought.</summary>
/// <remarks>Implemented by small structs the interners build per lookup; the probe loop is specialized for each, so
/// the test is inlined into it.</remarks>
internal interface ISlotMatch
{
    /// <summary>Whether the taken slot <paramref name="slot"/> holds the key sought.</summary>
    bool Matches(in InternSlot slot);
}
