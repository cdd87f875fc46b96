using System.Globalization;
using System.Text;

namespace StreamEntropy.IntegrationTests.Observability;

/// <summary>One sample of the Prometheus text exposition format.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.TryGetValue(name, out string? value) ? value : "";
}

/// <summary>A small reader of the Prometheus text format (0.0.4), enough to assert on a scrape.</summary>
internal sealed class PrometheusText
{
    private PrometheusText(IReadOnlyDictionary<string, string> types, IReadOnlyList<PrometheusSample> samples)
    {
        Types = types;
        Samples = samples;
    }

    /// <summary>Gets the <c># TYPE</c> of each metric family, by family name.</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    public IReadOnlyList<PrometheusSample> Samples { get; }

    /// <summary>Gets every name a query can select: family names and sample names (<c>_total</c>, <c>_bucket</c>, …).</summary>
    public IReadOnlySet<string> Names => Types.Keys.Concat(Samples.Select(s => s.Name)).ToHashSet(StringComparer.Ordinal);

    public IEnumerable<PrometheusSample> this[string name] => Samples.Where(s => s.Name == name);

    /// <summary>Gets the label names seen on samples of <paramref name="name"/>.</summary>
    public IReadOnlySet<string> LabelNames(string name) =>
        this[name].SelectMany(s => s.Labels.Keys).ToHashSet(StringComparer.Ordinal);

    public static PrometheusText Parse(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new List<PrometheusSample>();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                string[] parts = line.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
                types[parts[2]] = parts[3];
                continue;
            }

            if (line[0] == '#')
            {
                continue;
            }

            samples.Add(ParseSample(line));
        }

        return new PrometheusText(types, samples);
    }

    private static PrometheusSample ParseSample(string line)
    {
        int i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ')
        {
            i++;
        }

        string name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                int eq = line.IndexOf('=', i);
                string label = line[i..eq].Trim();
                i = eq + 2; // past ="
                var value = new StringBuilder();
                while (line[i] != '"')
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] == 'n' ? '\n' : line[i]);
                    }
                    else
                    {
                        value.Append(line[i]);
                    }

                    i++;
                }

                labels[label] = value.ToString();
                i++; // past the closing quote
                if (line[i] == ',')
                {
                    i++;
                }
            }

            i++; // past }
        }

        string[] rest = line[i..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        double v = rest[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            string s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new PrometheusSample(name, labels, v);
    }
}
