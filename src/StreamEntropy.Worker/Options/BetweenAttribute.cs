using System.Globalization;

namespace StreamEntropy.Worker.Options;

/// <summary>The setting (a whole number or a duration) must lie in [minimum, maximum]: <c>StreamEntropy:MaxEventBytes must be
/// between 64 and 67108864, not 63.</c></summary>
internal sealed class BetweenAttribute : SettingAttribute
{
    private readonly IComparable _minimum;
    private readonly IComparable _maximum;
    private readonly string _range;

    /// <summary>A range of whole numbers.</summary>
    public BetweenAttribute(long minimum, long maximum)
    {
        (_minimum, _maximum) = (minimum, maximum);
        _range = string.Create(CultureInfo.InvariantCulture, $"{minimum} and {maximum}");
    }

    /// <summary>A range of durations, each written as TimeSpan parses it ([d.]hh:mm:ss[.fff]).</summary>
    public BetweenAttribute(string minimum, string maximum)
    {
        TimeSpan min = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);
        TimeSpan max = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);
        (_minimum, _maximum) = (min, max);
        _range = $"{Describe(min)} and {Describe(max)}";
    }

    protected override string? Check(object? value)
    {
        IComparable? comparable = value switch
        {
            int i => (long)i,
            long l => l,
            TimeSpan t => t,
            _ => null, // unset: nothing to check
        };
        return comparable is null || (comparable.CompareTo(_minimum) >= 0 && comparable.CompareTo(_maximum) <= 0)
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"must be between {_range}, not {value}.");
    }

    // "100 ms", "1 day": how the bounds read in the documentation.
    private static string Describe(TimeSpan t) => t switch
    {
        { TotalSeconds: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds} ms"),
        { Ticks: var ticks } when ticks % TimeSpan.TicksPerDay == 0 => t.Days == 1 ? "1 day" : string.Create(CultureInfo.InvariantCulture, $"{t.Days} days"),
        _ => t.ToString("c", CultureInfo.InvariantCulture),
    };
}
