using System.Text;

namespace StreamEntropy.Streaming.Tests.Decoding;

/// <summary>Writes CSV text for tests, quoting a cell that holds the delimiter, a quote or a line break.</summary>
internal static class CsvText
{
    public static string Write(string[] header, IEnumerable<string[]> rows, char delimiter, string lineBreak)
    {
        var text = new StringBuilder();
        Row(text, header, delimiter, lineBreak);
        foreach (string[] row in rows)
        {
            Row(text, row, delimiter, lineBreak);
        }

        return text.ToString();
    }

    private static void Row(StringBuilder text, string[] cells, char delimiter, string lineBreak)
    {
        for (int i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                text.Append(delimiter);
            }

            string cell = cells[i];
            bool quote = cell.IndexOfAny([delimiter, '"', '\n', '\r']) >= 0;
            text.Append(quote ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell);
        }

        text.Append(lineBreak);
    }
}
