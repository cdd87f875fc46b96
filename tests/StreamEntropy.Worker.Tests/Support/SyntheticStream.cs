using System.Globalization;
using System.Text.Json;

namespace StreamEntropy.Worker.Tests.Support;

/// <summary>The replay bench's stationary stream (as tests/StreamEntropy.Benchmarks/replay-bench/generate.py writes it
/// at full size): fields f0, f1, … each drawing one of the ten values v0..v9 with equal probability, independently, row
/// by row; at 1000 rows/s and one-second tumbling windows each window holds <c>rowsPerWindow</c> rows.</summary>
internal static class SyntheticStream
{
    /// <summary>Writes the CSV: a header, then (<paramref name="windows"/> + 1) × <paramref name="rowsPerWindow"/> rows
    /// (the first window becomes the reference, the others are scored).</summary>
    public static string WriteCsv(TempDirectory dir, string name, int fields, int windows, int rowsPerWindow, int seed)
    {
        var random = new Random(seed);
        var lines = new List<string>((windows + 1) * rowsPerWindow + 1) { string.Join(',', Enumerable.Range(0, fields).Select(f => $"f{f}")) };
        var row = new string[fields];
        for (int r = 0; r < (windows + 1) * rowsPerWindow; r++)
        {
            for (int f = 0; f < fields; f++)
            {
                row[f] = "v" + random.Next(10).ToString(CultureInfo.InvariantCulture);
            }

            lines.Add(string.Join(',', row));
        }

        return dir.WriteLines(name, lines);
    }

    /// <summary>Writes a worker configuration: the fields, one tumbling window of <paramref name="windowSeconds"/>
    /// named <c>1s</c>, and <paramref name="rules"/> (none: the default rules).</summary>
    public static string WriteConfig(TempDirectory dir, string name, int fields, double windowSeconds = 1, params object[] rules)
    {
        var section = new Dictionary<string, object>
        {
            ["Fields"] = Enumerable.Range(0, fields).Select(f => new { Name = $"f{f}" }).ToArray(),
            ["Windows"] = new[] { new { Name = "1s", Kind = "Tumbling", Size = TimeSpan.FromSeconds(windowSeconds).ToString("c", CultureInfo.InvariantCulture) } },
        };
        if (rules.Length > 0)
        {
            section["Drift"] = new { Rules = rules };
        }

        return dir.Write(name, JsonSerializer.Serialize(new { StreamEntropy = section }));
    }

    /// <summary>The bench's lenient gate-only rule: raise when −log₁₀ p of the G-test is ≥ 2 (p ≤ 0.01) in one window,
    /// clear when it is below 1, with the given false-discovery rate (0: no correction).</summary>
    public static object GateRule(double falseDiscoveryRate) => new
    {
        Name = "gate",
        Metric = "gTestLog10P",
        Threshold = 2,
        MinimumSignificance = 2,
        RaiseAfter = 1,
        ClearAfter = 1,
        ClearThreshold = 1,
        FalseDiscoveryRate = falseDiscoveryRate,
    };
}
