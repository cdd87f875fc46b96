using System.Globalization;
using System.Text;

namespace StreamEntropy.Streaming.Output;

/// <summary>Makes untrusted text (field names found in events, values) safe to print on a terminal or in a log line.</summary>
/// <remarks>Control characters (C0, DEL, C1) and the bidirectional overrides that can reorder what a terminal shows are
/// written as <c>\uXXXX</c>, and a backslash as <c>\\</c>, so the escape cannot be forged; text longer than
/// the given length is cut with a note of its length. Markup escaping (Spectre, HTML) is the
/// caller's, on top of this.</remarks>
public static class DisplayText
{
    /// <summary>The default longest text shown, in characters.</summary>
    public const int DefaultMaxLength = 120;

    /// <summary>Escapes <paramref name="text"/> for a terminal or a log line.</summary>
    public static string Escape(string text, int maxLength = DefaultMaxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        bool clean = text.Length <= maxLength;
        foreach (char c in text)
        {
            clean &= !NeedsEscape(c);
        }

        if (clean)
        {
            return text;
        }

        var result = new StringBuilder(Math.Min(text.Length, maxLength) + 16);
        for (int i = 0; i < text.Length && i < maxLength; i++)
        {
            char c = text[i];
            if (NeedsEscape(c))
            {
                result.Append(c == '\\' ? @"\\" : string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"));
            }
            else
            {
                result.Append(c);
            }
        }

        if (text.Length > maxLength)
        {
            result.Append(CultureInfo.InvariantCulture, $"…({text.Length} chars)");
        }

        return result.ToString();
    }

    private static bool NeedsEscape(char c) =>
        c < 0x20 || c is '\\' || (c >= 0x7f && c < 0xa0) || c is >= '\u202a' and <= '\u202e' || c is >= '\u2066' and <= '\u2069';
}
