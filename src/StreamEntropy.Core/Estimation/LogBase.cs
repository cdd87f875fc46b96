using System.Globalization;

namespace StreamEntropy.Core.Estimation;

/// <summary>The logarithm base in which results are reported; everything inside is in nats.</summary>
/// <param name="Name">The base as written: "2", "e", "10" or another number greater than 1.</param>
/// <param name="Unit">The unit: bits, nats, bans (hartleys), or "log{base} units".</param>
/// <param name="NaturalLog">ln(base), the divisor that converts nats to this base.</param>
public readonly record struct LogBase(string Name, string Unit, double NaturalLog)
{
    /// <summary>Base 2: bits (the default).</summary>
    public static LogBase Bits { get; } = new("2", "bits", Math.Log(2));

    /// <summary>Base e: nats.</summary>
    public static LogBase Nats { get; } = new("e", "nats", 1);

    /// <summary>Base 10: bans (hartleys).</summary>
    public static LogBase Bans { get; } = new("10", "bans", Math.Log(10));

    /// <summary>Converts a value in nats to this base (NaN stays NaN).</summary>
    public double FromNats(double nats) => nats / NaturalLog;

    /// <summary>Parses "2", "e", "10" (or bits, nats, bans), or any finite number greater than 1.</summary>
    public static bool TryParse(string? text, out LogBase logBase)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "2" or "BITS" or "BIT":
                logBase = Bits;
                return true;
            case "E" or "NATS" or "NAT":
                logBase = Nats;
                return true;
            case "10" or "BANS" or "BAN" or "HARTLEYS":
                logBase = Bans;
                return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double b) && double.IsFinite(b) && b > 1)
        {
            string name = b.ToString("R", CultureInfo.InvariantCulture);
            logBase = new LogBase(name, $"log{name} units", Math.Log(b));
            return true;
        }

        logBase = default;
        return false;
    }
}
