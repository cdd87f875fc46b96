using System.Text;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Partials;

/// <summary>The serialised form of bounded counts inside a partial: what <see cref="BoundedCounts.Write"/> and
/// <see cref="BoundedPairCounts.Write"/> produce, read back with the same budget.</summary>
internal static class PartialSummaries
{
    public static byte[] Write(BoundedCounts counts) => Write(counts.Write);

    public static byte[] Write(BoundedPairCounts counts) => Write(counts.Write);

    /// <exception cref="InvalidDataException">The bytes are not bounded counts of that budget.</exception>
    public static BoundedCounts ReadField(byte[] bytes, int maxDistinct)
    {
        var counts = new BoundedCounts(CheckBudget(maxDistinct));
        Read(bytes, counts.Read);
        return counts;
    }

    /// <exception cref="InvalidDataException">The bytes are not bounded pair counts of that budget.</exception>
    public static BoundedPairCounts ReadPair(byte[] bytes, int maxDistinct)
    {
        var counts = new BoundedPairCounts(CheckBudget(maxDistinct));
        Read(bytes, counts.Read);
        return counts;
    }

    private static byte[] Write(Action<BinaryWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            write(writer);
        }

        return stream.ToArray();
    }

    private static void Read(byte[] bytes, Action<BinaryReader, List<(int Id, long Count)>> read)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            read(reader, []);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or OverflowException or InvalidOperationException)
        {
            throw new InvalidDataException($"The budgeted counts are truncated or corrupt: {e.Message}", e);
        }

        if (stream.Position != stream.Length)
        {
            throw new InvalidDataException($"{stream.Length - stream.Position} unexpected bytes follow the budgeted counts.");
        }
    }

    private static int CheckBudget(int maxDistinct) =>
        maxDistinct is >= FieldDefinition.MinMaxDistinct and <= FieldDefinition.MaxMaxDistinct
            ? maxDistinct
            : throw new InvalidDataException($"A MaxDistinct budget of {maxDistinct} is out of range.");
}
