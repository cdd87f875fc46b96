using System.Buffers;
using System.Text.Json;

namespace StreamEntropy.Streaming.Demo;

/// <summary>Generates realistic JSON events for the demo: skewed categorical fields, a numeric field, two dependent
/// pairs, a small share of malformed events, and a drift that can be switched on.</summary>
/// <remarks>
/// Before the drift: country is Zipf-like over 12 countries (DE has about 10 %); device depends strongly on country
/// (each country prefers one platform), so I(country; device) is clearly positive; page is Zipf-like over 30 pages and
/// status depends on page. After the drift: DE jumps to about 30 %, device becomes independent of country (the
/// mutual information falls towards 0, H(device|country) rises), and the amount distribution shifts upward.
/// Deterministic for a given seed.
/// </remarks>
public sealed class DemoEventGenerator : IDemoEvents
{
    private static readonly string[] Countries = ["US", "GB", "DE", "FR", "IN", "BR", "JP", "CA", "ES", "IT", "NL", "SE"];
    private static readonly string[] Devices = ["ios", "android", "web", "tv"];
    private static readonly string[] Pages = BuildPages();
    private const int DriftCountry = 2; // DE: about 10.6 % before the drift

    private readonly Random _random;
    private readonly double[] _countryCdf;
    private readonly double[] _driftedCountryCdf;
    private readonly double[] _pageCdf;
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly double _malformedShare;

    /// <summary>Creates a generator.</summary>
    /// <param name="seed">The random seed.</param>
    /// <param name="malformedShare">The share of events that are deliberately not valid JSON objects.</param>
    public DemoEventGenerator(int seed = 42, double malformedShare = 0.001)
    {
        _random = new Random(seed);
        _malformedShare = malformedShare;
        double[] weights = Zipf(Countries.Length, 1.1);
        _countryCdf = Cdf(weights);
        double[] drifted = (double[])weights.Clone();
        double rest = 1 - weights[DriftCountry];
        for (int i = 0; i < drifted.Length; i++)
        {
            drifted[i] = i == DriftCountry ? 0.30 : weights[i] / rest * 0.70; // DE: ~10 % → 30 %
        }

        _driftedCountryCdf = Cdf(drifted);
        _pageCdf = Cdf(Zipf(Pages.Length, 1.0));
    }

    /// <summary>Gets or sets a value indicating whether the drift is on.</summary>
    public bool Drifted { get; set; }

    /// <summary>Gets the share of DE among countries before the drift (for tests and the demo's text).</summary>
    public double BaselineGermanShare => _countryCdf[DriftCountry] - _countryCdf[DriftCountry - 1];

    /// <summary>Writes the next event as UTF-8 and returns it; the span is valid until the next call.</summary>
    public ReadOnlySpan<byte> Next()
    {
        _buffer.ResetWrittenCount();
        if (_random.NextDouble() < _malformedShare)
        {
            ReadOnlySpan<byte> bad = _random.Next(3) switch
            {
                0 => "{\"user\": {\"country\": \"DE\""u8, // truncated
                1 => "[1, 2, 3]"u8,                     // not an object
                _ => "not json at all"u8,
            };
            _buffer.Write(bad);
            return _buffer.WrittenSpan;
        }

        int country = Sample(Drifted ? _driftedCountryCdf : _countryCdf);
        string device = Drifted ? Devices[_random.Next(Devices.Length)] : DeviceFor(country);
        int page = Sample(_pageCdf);
        int status = StatusFor(page);
        double amount = Math.Exp(3 + (0.8 * Gaussian())) * (Drifted ? 1.6 : 1);

        using (var w = new Utf8JsonWriter(_buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("user");
            w.WriteString("country", Countries[country]);
            w.WriteString("device", device);
            w.WriteEndObject();
            w.WriteString("page", Pages[page]);
            w.WriteNumber("status", status);
            w.WriteNumber("amount", Math.Round(amount, 2));
            w.WriteEndObject();
        }

        return _buffer.WrittenSpan;
    }

    private string DeviceFor(int country)
    {
        // Each country prefers one platform (80 %), the rest spread over the others.
        int preferred = country % Devices.Length;
        return _random.NextDouble() < 0.8 ? Devices[preferred] : Devices[_random.Next(Devices.Length)];
    }

    private int StatusFor(int page)
    {
        double errorRate = page % 7 == 3 ? 0.25 : 0.02;
        double u = _random.NextDouble();
        return u < errorRate * 0.3 ? 500 : u < errorRate ? 404 : 200;
    }

    private int Sample(double[] cdf)
    {
        double u = _random.NextDouble();
        int i = Array.BinarySearch(cdf, u);
        return Math.Min(i < 0 ? ~i : i, cdf.Length - 1);
    }

    private double Gaussian()
    {
        double u1 = 1 - _random.NextDouble();
        double u2 = _random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static double[] Zipf(int n, double exponent)
    {
        var w = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            w[i] = 1 / Math.Pow(i + 1, exponent);
            sum += w[i];
        }

        for (int i = 0; i < n; i++)
        {
            w[i] /= sum;
        }

        return w;
    }

    private static double[] Cdf(double[] weights)
    {
        var cdf = new double[weights.Length];
        double acc = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            acc += weights[i];
            cdf[i] = acc;
        }

        cdf[^1] = 1;
        return cdf;
    }

    private static string[] BuildPages()
    {
        string[] sections = ["home", "search", "product", "cart", "checkout", "account"];
        var pages = new string[30];
        for (int i = 0; i < pages.Length; i++)
        {
            pages[i] = $"/{sections[i % sections.Length]}/{i / sections.Length}";
        }

        return pages;
    }

    /// <inheritdoc/>
    ReadOnlySpan<byte> IDemoEvents.NextEvent() => Next();
}
