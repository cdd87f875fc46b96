namespace StreamEntropy.Streaming.Drift;

/// <summary>The reference counts of one field, with the definition they were counted under.</summary>
/// <param name="Name">The field's name.</param>
/// <param name="Path">The path the values were read from.</param>
/// <param name="BinWidth">The bin width of a numeric field; null for a categorical one.</param>
/// <param name="Missing">Events without the field.</param>
/// <param name="Invalid">Events whose numeric value could not be parsed.</param>
/// <param name="Values">The counts by value text, most frequent first.</param>
public sealed record BaselineField(string Name, string Path, double? BinWidth, long Missing, long Invalid, IReadOnlyList<BaselineValue> Values)
{
    /// <summary>Gets the number of values counted.</summary>
    public long Count
    {
        get
        {
            long total = 0;
            foreach (BaselineValue v in Values)
            {
                total += v.Count;
            }

            return total;
        }
    }
}
