namespace StreamEntropy.Streaming.Counting;

/// <summary>The value texts of the current event (or row), by field index: what <see cref="TupleComposer"/> composes
/// a tuple from.</summary>
/// <remarks>Implemented by structs over a decoder or a CSV reader, so that the composition is specialised for each and
/// allocates nothing.</remarks>
public interface IFieldTexts
{
    /// <summary>Gets the text of field <paramref name="field"/> (a field read from events, never a tuple) as read, before any binning.</summary>
    /// <returns><see langword="false"/> when the field is absent or null in the current event.</returns>
    bool TryGetText(int field, out ReadOnlySpan<byte> text);
}
