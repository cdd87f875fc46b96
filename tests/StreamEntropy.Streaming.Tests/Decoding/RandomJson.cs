using System.Globalization;
using System.Text;

namespace StreamEntropy.Streaming.Tests.Decoding;

/// <summary>Builds random but valid JSON text from a seed, with random whitespace, escapes and duplicate keys.</summary>
internal static class RandomJson
{
    /// <summary>Keys are drawn from a small set so that paths hit often and keys repeat.</summary>
    public static readonly string[] Keys = ["a", "b", "c", "é"];

    private static readonly string[] Numbers = ["0", "-0", "1.50", "12", "-3.25e-7", "1E+2", "123456789012345678901234567890", "0.0"];

    private static readonly string[] Whitespace = ["", "", "", " ", "\n", "\t ", "\r\n"];

    private static readonly int[] TextRunes = ['x', 'y', ' ', '"', '\\', '/', '\n', '\u0001', 'é', '日', 0x1F600, ',', ':', '{', ']'];

    /// <summary>All dotted paths over <see cref="Keys"/> up to three segments long.</summary>
    public static IReadOnlyList<string> AllPaths()
    {
        var paths = new List<string>();
        foreach (string a in Keys)
        {
            paths.Add(a);
            foreach (string b in Keys)
            {
                paths.Add(a + "." + b);
                foreach (string c in Keys)
                {
                    paths.Add(a + "." + b + "." + c);
                }
            }
        }

        return paths;
    }

    /// <summary>A random JSON object (the top level is always an object), UTF-8 encoded.</summary>
    public static byte[] Object(int seed)
    {
        var random = new Random(seed);
        var builder = new StringBuilder();
        WriteObject(random, builder, depth: 0);
        return Encoding.UTF8.GetBytes(Ws(random) + builder + Ws(random));
    }

    /// <summary>A valid event with one to three random byte-level mutations (flip, insert, delete, truncate, duplicate).</summary>
    public static byte[] Mutated(int seed)
    {
        var random = new Random(seed);
        var bytes = new List<byte>(Object(random.Next()));
        int mutations = random.Next(1, 4);
        ReadOnlySpan<byte> interesting = "{}[]\":,\\u0e-+. ntf\"\u00e9"u8;
        for (int m = 0; m < mutations; m++)
        {
            int position = random.Next(bytes.Count + 1);
            byte value = random.Next(3) == 0 ? (byte)random.Next(256) : interesting[random.Next(interesting.Length)];
            switch (random.Next(5))
            {
                case 0 when position < bytes.Count:
                    bytes[position] = value;
                    break;
                case 1:
                    bytes.Insert(position, value);
                    break;
                case 2 when position < bytes.Count:
                    bytes.RemoveAt(position);
                    break;
                case 3:
                    bytes.RemoveRange(position, bytes.Count - position);
                    break;
                default:
                    int length = random.Next(0, Math.Min(8, bytes.Count - Math.Min(position, bytes.Count)) + 1);
                    int from = Math.Min(position, bytes.Count - length);
                    bytes.InsertRange(position, bytes.GetRange(from, length));
                    break;
            }
        }

        return [.. bytes];
    }

    private static void WriteObject(Random random, StringBuilder builder, int depth)
    {
        builder.Append('{').Append(Ws(random));
        int count = random.Next(0, 5);
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                builder.Append(Ws(random)).Append(',').Append(Ws(random));
            }

            WriteString(random, builder, Keys[random.Next(Keys.Length)]);
            builder.Append(Ws(random)).Append(':').Append(Ws(random));
            WriteValue(random, builder, depth + 1);
        }

        builder.Append(Ws(random)).Append('}');
    }

    private static void WriteValue(Random random, StringBuilder builder, int depth)
    {
        int kind = random.Next(depth < 4 ? 8 : 5);
        switch (kind)
        {
            case 0:
                builder.Append(Numbers[random.Next(Numbers.Length)]);
                break;
            case 1:
                builder.Append(random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" });
                break;
            case 2:
            case 3:
            case 4:
                WriteString(random, builder, RandomText(random));
                break;
            case 5:
                builder.Append('[').Append(Ws(random));
                int count = random.Next(0, 3);
                for (int i = 0; i < count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(',').Append(Ws(random));
                    }

                    WriteValue(random, builder, depth + 1);
                }

                builder.Append(Ws(random)).Append(']');
                break;
            default:
                WriteObject(random, builder, depth);
                break;
        }
    }

    private static string RandomText(Random random)
    {
        var builder = new StringBuilder();
        int length = random.Next(0, 6);
        for (int i = 0; i < length; i++)
        {
            builder.Append(char.ConvertFromUtf32(TextRunes[random.Next(TextRunes.Length)]));
        }

        return builder.ToString();
    }

    // Writes a JSON string; each character is escaped (as \uXXXX, both halves of a surrogate pair
    // together) or written raw at random, except those that must be escaped.
    private static void WriteString(Random random, StringBuilder builder, string text)
    {
        Span<char> utf16 = stackalloc char[2];
        builder.Append('"');
        foreach (Rune rune in text.EnumerateRunes())
        {
            bool mustEscape = rune.Value is '"' or '\\' || rune.Value < 0x20;
            if (mustEscape || random.Next(4) == 0)
            {
                if (rune.Value == '"' && random.Next(2) == 0)
                {
                    builder.Append("\\\"");
                    continue;
                }

                int units = rune.EncodeToUtf16(utf16);
                for (int u = 0; u < units; u++)
                {
                    builder.Append("\\u").Append(((int)utf16[u]).ToString(random.Next(2) == 0 ? "x4" : "X4", CultureInfo.InvariantCulture));
                }
            }
            else
            {
                builder.Append(rune.ToString());
            }
        }

        builder.Append('"');
    }

    private static string Ws(Random random) => Whitespace[random.Next(Whitespace.Length)];
}
