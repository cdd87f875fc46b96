using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;

namespace StreamEntropy.Benchmarks.DuckDb;

/// <summary>Computes what <c>stream-entropy profile --base e</c> computes for the benchmark CSV with DuckDB: the count,
/// distinct values and plug-in entropy of each field and pair, H = ln N − Σ n ln n / N over GROUP BY counts.</summary>
/// <remarks>One statement, so DuckDB scans the file once: <c>read_csv(all_varchar)</c> grouped by every field and every
/// pair at once with GROUPING SETS, then one entropy per grouping set. Usage: <c>DuckDbHarness CSV OUT.json FIELD,…
/// X,Y …</c>; prints the query's own time on stdout.</remarks>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("usage: DuckDbHarness CSV OUT.json FIELD,FIELD,... [X,Y ...]");
            return 2;
        }

        string csv = args[0];
        string[] fields = args[2].Split(',');
        string[][] pairs = [.. args.Skip(3).Select(p => p.Split(','))];
        var sets = new List<string[]>(fields.Select(f => new[] { f }));
        sets.AddRange(pairs);

        string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        string grouping = string.Join(", ", fields.Select((f, i) => $"grouping({Quote(f)}) AS g{i}"));
        string sets_ = string.Join(", ", sets.Select(s => "(" + string.Join(", ", s.Select(Quote)) + ")"));
        string gs = string.Join(", ", fields.Select((_, i) => $"g{i}"));
        string sql = $"""
            WITH counts AS (
              SELECT {grouping}, count(*) AS n
              FROM read_csv('{csv.Replace("'", "''", StringComparison.Ordinal)}', header = true, all_varchar = true)
              GROUP BY GROUPING SETS ({sets_})
            )
            SELECT {gs}, sum(n)::BIGINT AS total, count(*)::BIGINT AS distinct_values,
                   ln(sum(n)) - sum(n * ln(n)) / sum(n) AS entropy
            FROM counts GROUP BY {gs}
            """;

        var clock = Stopwatch.StartNew();
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var results = new Dictionary<string, (long Total, long Distinct, double Entropy)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                // grouping(f) is 0 for the fields the row's grouping set groups by.
                string key = string.Join(",", fields.Where((_, i) => Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture) == 0));
                results[key] = (reader.GetInt64(fields.Length), reader.GetInt64(fields.Length + 1), reader.GetDouble(fields.Length + 2));
            }
        }

        double seconds = clock.Elapsed.TotalSeconds;
        using (var stream = File.Create(args[1]))
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("fields");
            foreach (string f in fields)
            {
                (long total, long distinct, double h) = results[f];
                w.WriteStartObject();
                w.WriteString("name", f);
                w.WriteNumber("count", total);
                w.WriteNumber("distinct", distinct);
                w.WriteNumber("entropy", h);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("pairs");
            foreach (string[] p in pairs)
            {
                // The grouping key lists the pair's fields in the order of the field list.
                string key = string.Join(",", fields.Where(p.Contains));
                (long total, long distinct, double h) = results[key];
                w.WriteStartObject();
                w.WriteString("x", p[0]);
                w.WriteString("y", p[1]);
                w.WriteNumber("count", total);
                w.WriteNumber("distinctPairs", distinct);
                w.WriteNumber("joint", h);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"duckdb_query_s={seconds:0.000}"));
        return 0;
    }
}
