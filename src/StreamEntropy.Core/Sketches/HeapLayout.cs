namespace StreamEntropy.Core.Sketches;

/// <summary>Writes and reads the slot order of a binary heap of ids, so that a restored sketch breaks ties exactly as
/// the saved one would.</summary>
internal static class HeapLayout
{
    /// <summary>Writes the ids in heap slots 0 … heap.Length − 1.</summary>
    public static void Write(BinaryWriter writer, ReadOnlySpan<int> heap)
    {
        foreach (int id in heap)
        {
            writer.Write(id);
        }
    }

    /// <summary>Reads <paramref name="heap"/>.Length ids into <paramref name="heap"/> and checks that they are a
    /// permutation of 0 … Length − 1 in heap order.</summary>
    /// <param name="reader">The source.</param>
    /// <param name="heap">Receives the ids by slot.</param>
    /// <param name="ordered">Whether a parent id may sit above a child id (the heap's comparison).</param>
    /// <returns>null, or the problem found.</returns>
    public static string? Read(BinaryReader reader, Span<int> heap, Func<int, int, bool> ordered)
    {
        int size = heap.Length;
        Span<bool> seen = size <= 1024 ? stackalloc bool[size] : new bool[size];
        for (int i = 0; i < size; i++)
        {
            int id = reader.ReadInt32();
            if ((uint)id >= (uint)size || seen[id] || (i > 0 && !ordered(heap[(i - 1) / 2], id)))
            {
                return $"heap slot {i} holds id {id}, which is out of range, repeated or out of heap order";
            }

            seen[id] = true;
            heap[i] = id;
        }

        return null;
    }
}
