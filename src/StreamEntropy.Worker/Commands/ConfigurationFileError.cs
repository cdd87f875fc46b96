using System.Text.Json;

namespace StreamEntropy.Worker.Commands;

/// <summary>One line for a configuration file that does not load: the file, and for broken JSON its line and position.</summary>
internal static class ConfigurationFileError
{
    /// <summary>Describes what <c>AddJsonFile</c> threw, for example
    /// <c>my.json: line 3, position 14: invalid JSON: '}' is invalid after a property name.</c></summary>
    public static string Describe(InvalidDataException e)
    {
        ArgumentNullException.ThrowIfNull(e);

        // "Failed to load configuration from file '/path/my.json'." wraps the parser's exception.
        string message = e.Message;
        int open = message.IndexOf('\'', StringComparison.Ordinal);
        int close = message.LastIndexOf('\'');
        string file = open >= 0 && close > open ? message[(open + 1)..close] : "configuration file";
        for (Exception? inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is JsonException { LineNumber: long line, BytePositionInLine: long position } json)
            {
                // System.Text.Json counts from 0 and appends the location to its message; editors count from 1.
                string detail = json.Message;
                int at = detail.IndexOf(" LineNumber:", StringComparison.Ordinal);
                detail = (at >= 0 ? detail[..at] : detail).TrimEnd();
                return $"{file}: line {line + 1}, position {position + 1}: invalid JSON: {detail}";
            }

            if (inner is FormatException format && inner.InnerException is null)
            {
                return $"{file}: {format.Message}"; // e.g. a duplicate key
            }
        }

        return $"{file}: {e.InnerException?.Message ?? message}";
    }
}
