using System.Globalization;
using System.Text;

namespace StreamEntropy.Worker.Commands;

/// <summary>The event time of a replayed row, from <c>--time-column</c> or from the row's position and <c>--rate</c>.</summary>
internal static class ReplayTime
{
    /// <summary>Numbers below this (in absolute value) are seconds since the epoch, larger ones milliseconds: 10¹¹ s is
    /// the year 5138, 10¹¹ ms is March 1973.</summary>
    public const double SecondsBelow = 1e11;

    /// <summary>Parses a time value: a number (epoch seconds, rounded to the millisecond; or milliseconds when ≥ 10¹¹,
    /// a fraction dropped) or an ISO-8601 date and time (UTC when it has no offset).</summary>
    /// <returns><see langword="false"/> when the text is neither, or lies outside the years 1–9999.</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out long unixMs)
    {
        unixMs = 0;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
        {
            // Seconds with a fraction are rounded to the nearest millisecond (1700000000.123 is not exact in binary).
            double ms = Math.Abs(number) < SecondsBelow ? Math.Round(number * 1000) : Math.Floor(number);
            if (!(ms >= DateTimeOffset.MinValue.ToUnixTimeMilliseconds() && ms <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()))
            {
                return false;
            }

            unixMs = (long)ms;
            return true;
        }

        if (text.Length is < 10 or > 64 || !char.IsAsciiDigit((char)text[0]))
        {
            return false; // not a date; and no culture-dependent forms such as "Monday"
        }

        if (!DateTimeOffset.TryParse(Encoding.UTF8.GetString(text), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out DateTimeOffset time))
        {
            return false;
        }

        unixMs = time.ToUnixTimeMilliseconds();
        return true;
    }

    /// <summary>The time of row <paramref name="row"/> (0-based) at <paramref name="rate"/> rows per second from the epoch.</summary>
    public static long OfRow(long row, double rate) => (long)Math.Floor(row * 1000.0 / rate);
}
