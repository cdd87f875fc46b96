using System.Buffers.Text;
using System.Globalization;

namespace StreamEntropy.Core.Estimation;

/// <summary>Fixed-width binning of numeric values: bin = floor(value / width).</summary>
/// <remarks>The differential entropy of a density estimated by such a histogram is h ≈ H(bins) + ln(width).</remarks>
public static class NumericBinning
{
    /// <summary>The longest UTF-8 text of a bin index (a 64-bit integer).</summary>
    public const int MaxBinTextLength = 20;

    /// <summary>Parses a number written as UTF-8 text and writes its bin index as UTF-8 digits.</summary>
    /// <param name="text">The value's text, such as <c>12.5</c> or <c>-3e2</c>.</param>
    /// <param name="width">The bin width, finite and &gt; 0.</param>
    /// <param name="destination">Room for at least <see cref="MaxBinTextLength"/> bytes.</param>
    /// <param name="written">The number of bytes written.</param>
    /// <returns>False when the text is not a finite number or its bin does not fit in 64 bits.</returns>
    /// <remarks>The one rule for a binned field's value, in the worker's events and in <c>profile</c>/<c>compare</c>'s
    /// files alike: a value this rejects (<c>abc</c>, <c>NaN</c>, <c>1e400</c>, which overflows to infinity, or
    /// <c>1e300</c> with width 1) is counted as <c>invalid</c>, never as a bin, and never stops the count.</remarks>
    public static bool TryBin(ReadOnlySpan<byte> text, double width, Span<byte> destination, out int written)
    {
        written = 0;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
        {
            return false;
        }

        double bin = Math.Floor(value / width);
        if (!(bin >= long.MinValue && bin < long.MaxValue))
        {
            return false;
        }

        return Utf8Formatter.TryFormat((long)bin, destination, out written);
    }

    /// <summary>Converts the entropy of the bins (nats) to the differential entropy of the density (nats).</summary>
    public static double DifferentialEntropy(double binEntropyNats, double width) => binEntropyNats + Math.Log(width);

    /// <summary>Checks that a bin width is usable.</summary>
    public static bool IsValidWidth(double width) => double.IsFinite(width) && width > 0;
}
