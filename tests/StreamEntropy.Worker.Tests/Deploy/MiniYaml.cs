using System.Text;
using System.Text.RegularExpressions;

namespace StreamEntropy.Worker.Tests.Deploy;

/// <summary>
/// A small YAML reader for the deployment files' block style: mappings, sequences (including "- key: value" items and
/// sequences at their key's indentation), plain/single/double-quoted scalars (quoted ones may span lines), flow
/// sequences and mappings of scalars, and literal block scalars (| |- |+). Everything else (anchors, tags, folded
/// scalars, multi-line plain scalars, several documents) throws <see cref="FormatException"/>, so a file that drifts
/// outside this subset fails loudly rather than being misread.
/// </summary>
/// <remarks>Mappings are <see cref="Dictionary{TKey,TValue}"/> of string to node, sequences <see cref="List{T}"/> of
/// nodes, scalars strings (no typing: <c>8080</c>, <c>true</c> and <c>00:00:05</c> all stay text), and an empty value
/// <see langword="null"/>.</remarks>
internal static partial class MiniYaml
{
    public static object? Parse(string text)
    {
        var reader = new Reader(text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'));
        reader.SkipInsignificant();
        if (reader.AtEnd)
        {
            return null;
        }

        object? root = reader.ParseNode(reader.Indent);
        reader.SkipInsignificant();
        if (!reader.AtEnd)
        {
            throw reader.Error("unexpected content after the document");
        }

        return root;
    }

    /// <summary>Follows a path of mapping keys and sequence indexes (as numbers): <c>At(doc, "services", "worker")</c>.</summary>
    public static object? At(object? node, params object[] path)
    {
        foreach (object step in path)
        {
            node = (node, step) switch
            {
                (Dictionary<string, object?> map, string key) => map.TryGetValue(key, out object? v) ? v : throw new KeyNotFoundException($"no key '{key}'; keys: {string.Join(", ", map.Keys)}"),
                (List<object?> list, int index) => list[index],
                _ => throw new KeyNotFoundException($"cannot step '{step}' into {node?.GetType().Name ?? "null"}"),
            };
        }

        return node;
    }

    public static Dictionary<string, object?> Map(object? node, params object[] path) =>
        At(node, path) as Dictionary<string, object?> ?? throw new InvalidCastException($"{string.Join('.', path)} is not a mapping");

    public static List<object?> Seq(object? node, params object[] path) =>
        At(node, path) as List<object?> ?? throw new InvalidCastException($"{string.Join('.', path)} is not a sequence");

    public static string Str(object? node, params object[] path) =>
        At(node, path) as string ?? throw new InvalidCastException($"{string.Join('.', path)} is not a scalar");

    [GeneratedRegex("""^(?<key>"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s'"#\[\]{},&*!|>%@`-][^#]*?|-[^\s#][^#]*?):(?:[ \t]+(?<rest>.*))?$""")]
    private static partial Regex KeyPattern();

    private sealed class Reader(string[] lines)
    {
        private int _line;

        public bool AtEnd => _line >= lines.Length;

        public int Indent => IndentOf(lines[_line]);

        public FormatException Error(string message) => new($"YAML line {_line + 1}: {message}: '{(AtEnd ? "" : lines[_line])}'");

        /// <summary>Skips blank lines, comment lines and a leading document marker.</summary>
        public void SkipInsignificant()
        {
            while (!AtEnd)
            {
                string t = lines[_line].Trim();
                if (t.Length == 0 || t.StartsWith('#') || (t == "---" && _line == 0))
                {
                    _line++;
                    continue;
                }

                if (t.StartsWith('\t') || lines[_line].TrimStart(' ').StartsWith('\t'))
                {
                    throw Error("tab indentation");
                }

                if (t is "---" or "...")
                {
                    throw Error("several documents are not supported");
                }

                return;
            }
        }

        public object? ParseNode(int indent)
        {
            string content = Content();
            if (IsSequenceItem(content))
            {
                return ParseSequence(indent);
            }

            if (KeyPattern().IsMatch(content))
            {
                return ParseMapping(indent);
            }

            _line++;
            return ParseInline(content, indent);
        }

        private string Content() => StripComment(lines[_line].Trim());

        private static bool IsSequenceItem(string content) => content == "-" || content.StartsWith("- ", StringComparison.Ordinal);

        private Dictionary<string, object?> ParseMapping(int indent)
        {
            var map = new Dictionary<string, object?>(StringComparer.Ordinal);
            while (true)
            {
                SkipInsignificant();
                if (AtEnd || Indent < indent)
                {
                    return map;
                }

                if (Indent > indent)
                {
                    throw Error("unexpected indentation");
                }

                string content = Content();
                if (IsSequenceItem(content))
                {
                    return map; // a sequence at the parent's indentation ends this mapping
                }

                Match m = KeyPattern().Match(content);
                if (!m.Success)
                {
                    throw Error("expected 'key: value'");
                }

                string key = Unquote(m.Groups["key"].Value.Trim());
                string rest = m.Groups["rest"].Success ? m.Groups["rest"].Value.Trim() : "";
                if (map.ContainsKey(key))
                {
                    throw Error($"duplicate key '{key}'");
                }

                _line++;
                map[key] = ParseValue(rest, indent, allowSequenceAtSameIndent: true);
            }
        }

        private List<object?> ParseSequence(int indent)
        {
            var list = new List<object?>();
            while (true)
            {
                SkipInsignificant();
                if (AtEnd || Indent < indent)
                {
                    return list;
                }

                string content = Content();
                if (Indent > indent)
                {
                    throw Error("unexpected indentation");
                }

                if (!IsSequenceItem(content))
                {
                    return list;
                }

                string rest = content.Length > 1 ? content[2..].TrimStart() : "";
                if (rest.Length > 0 && (KeyPattern().IsMatch(rest) || IsSequenceItem(rest)))
                {
                    // "- key: value": re-read the item as a node indented to where its content starts.
                    string raw = lines[_line];
                    int dash = raw.IndexOf('-', StringComparison.Ordinal);
                    int start = dash + 1 + (raw.Length - dash - 1 - raw[(dash + 1)..].TrimStart().Length);
                    lines[_line] = new string(' ', start) + raw[start..];
                    list.Add(ParseNode(start));
                    continue;
                }

                _line++;
                list.Add(ParseValue(rest, indent, allowSequenceAtSameIndent: false));
            }
        }

        /// <summary>The value after "key:" or "- ": inline, a block scalar, or a nested block on the next lines.</summary>
        private object? ParseValue(string rest, int indent, bool allowSequenceAtSameIndent)
        {
            if (rest.StartsWith('&') || rest.StartsWith('*') || rest.StartsWith('!'))
            {
                _line--;
                throw Error("anchors, aliases and tags are not supported");
            }

            if (rest is "|" or "|-" or "|+")
            {
                return ParseLiteral(indent, rest);
            }

            if (rest.StartsWith('>') || rest.StartsWith('|'))
            {
                _line--;
                throw Error("only literal block scalars (|, |-, |+) are supported");
            }

            if (rest.Length > 0)
            {
                object? value = ParseInline(rest, indent);
                SkipInsignificant();
                if (!AtEnd && Indent > indent)
                {
                    throw Error("multi-line plain scalars are not supported");
                }

                return value;
            }

            SkipInsignificant();
            if (AtEnd)
            {
                return null;
            }

            if (Indent > indent)
            {
                return ParseNode(Indent);
            }

            if (allowSequenceAtSameIndent && Indent == indent && IsSequenceItem(Content()))
            {
                return ParseSequence(indent);
            }

            return null;
        }

        private string ParseLiteral(int parentIndent, string indicator)
        {
            int contentIndent = -1;
            var text = new StringBuilder();
            while (!AtEnd)
            {
                string raw = lines[_line];
                if (raw.Trim().Length == 0)
                {
                    text.Append('\n');
                    _line++;
                    continue;
                }

                int ind = IndentOf(raw);
                if (contentIndent < 0)
                {
                    if (ind <= parentIndent)
                    {
                        break;
                    }

                    contentIndent = ind;
                }

                if (ind < contentIndent)
                {
                    break;
                }

                text.Append(raw[contentIndent..]).Append('\n');
                _line++;
            }

            string s = text.ToString();
            string body = s.TrimEnd('\n');
            return indicator switch
            {
                "|-" => body,
                "|+" => s,
                _ => body.Length == 0 ? "" : body + "\n",
            };
        }

        /// <summary>An inline value; a quoted scalar may continue on the following lines (folded as YAML does).</summary>
        private object? ParseInline(string s, int indent)
        {
            if (s.Length > 0 && (s[0] == '"' || s[0] == '\''))
            {
                while (!IsClosedQuote(s))
                {
                    if (AtEnd)
                    {
                        throw Error("unterminated quoted scalar");
                    }

                    string next = lines[_line].Trim();
                    _line++;
                    s += next.Length == 0 ? "\n" : (s.EndsWith('\n') ? "" : " ") + next;
                }

                return Unquote(s);
            }

            if (s.StartsWith('['))
            {
                return s.EndsWith(']') ? SplitFlow(s[1..^1]).Select(item => ParseInline(item, indent)).ToList() : throw Error("unterminated flow sequence");
            }

            if (s.StartsWith('{'))
            {
                if (!s.EndsWith('}'))
                {
                    throw Error("unterminated flow mapping");
                }

                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (string item in SplitFlow(s[1..^1]))
                {
                    Match m = KeyPattern().Match(item);
                    if (!m.Success)
                    {
                        throw Error($"flow mapping entry '{item}'");
                    }

                    map[Unquote(m.Groups["key"].Value.Trim())] = m.Groups["rest"].Success ? ParseInline(m.Groups["rest"].Value.Trim(), indent) : null;
                }

                return map;
            }

            return s is "~" or "null" or "" ? null : s;
        }

        private static bool IsClosedQuote(string s)
        {
            char q = s[0];
            for (int i = 1; i < s.Length; i++)
            {
                if (q == '"' && s[i] == '\\')
                {
                    i++;
                }
                else if (s[i] == q)
                {
                    if (q == '\'' && i + 1 < s.Length && s[i + 1] == '\'')
                    {
                        i++;
                        continue;
                    }

                    return s[(i + 1)..].Trim().Length == 0 ? true : throw new FormatException($"text after a quoted scalar: {s}");
                }
            }

            return false;
        }

        private static List<string> SplitFlow(string s)
        {
            var items = new List<string>();
            int depth = 0, start = 0;
            char quote = '\0';
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (quote != '\0')
                {
                    if (c == '\\' && quote == '"')
                    {
                        i++;
                    }
                    else if (c == quote)
                    {
                        quote = '\0';
                    }
                }
                else if (c is '"' or '\'')
                {
                    quote = c;
                }
                else if (c is '[' or '{')
                {
                    depth++;
                }
                else if (c is ']' or '}')
                {
                    depth--;
                }
                else if (c == ',' && depth == 0)
                {
                    items.Add(s[start..i].Trim());
                    start = i + 1;
                }
            }

            string last = s[start..].Trim();
            if (last.Length > 0)
            {
                items.Add(last);
            }

            return items;
        }

        private static int IndentOf(string line) => line.Length - line.TrimStart(' ').Length;
    }

    /// <summary>Removes a trailing comment (a '#' after whitespace, outside quotes).</summary>
    private static string StripComment(string s)
    {
        char quote = '\0';
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (quote != '\0')
            {
                if (c == '\\' && quote == '"')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if ((c is '"' or '\'') && (i == 0 || s[i - 1] is ' ' or ':' or '[' or '{' or ',' or '-'))
            {
                quote = c;
            }
            else if (c == '#' && (i == 0 || s[i - 1] is ' ' or '\t'))
            {
                return s[..i].TrimEnd();
            }
        }

        return s;
    }

    private static string Unquote(string s)
    {
        if (s.Length >= 2 && s[0] == '\'' && s[^1] == '\'')
        {
            return s[1..^1].Replace("''", "'", StringComparison.Ordinal);
        }

        if (s.Length >= 2 && s[0] == '"' && s[^1] == '"')
        {
            var sb = new StringBuilder();
            for (int i = 1; i < s.Length - 1; i++)
            {
                if (s[i] != '\\')
                {
                    sb.Append(s[i]);
                    continue;
                }

                char e = s[++i];
                sb.Append(e switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '0' => '\0',
                    _ => e,
                });
            }

            return sb.ToString();
        }

        return s;
    }
}
