namespace StreamEntropy.IntegrationTests.Observability;

/// <summary>One vector selector of a PromQL expression: the metric name and the label names it matches on.</summary>
internal sealed record PromQlSelector(string Metric, IReadOnlyList<string> Labels);

/// <summary>
/// Finds the vector selectors of a PromQL expression, enough to check a dashboard's or a rule file's queries
/// against a scrape: string literals, ranges (<c>[5m]</c>), numbers and durations are skipped, an identifier followed
/// by <c>(</c> is a function or aggregation, the label lists of <c>by</c>/<c>without</c>/<c>on</c>/<c>ignoring</c>/
/// <c>group_left</c>/<c>group_right</c> are skipped, and every other identifier is a metric name.
/// </summary>
internal static class PromQl
{
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "or", "unless", "bool", "offset", "atan2", "inf", "nan",
    };

    // Aggregation operators may be followed by `by (…)`/`without (…)` before their parenthesis.
    private static readonly HashSet<string> Aggregations = new(StringComparer.OrdinalIgnoreCase)
    {
        "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile",
        "limitk", "limit_ratio",
    };

    private static readonly HashSet<string> LabelListKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right",
    };

    public static List<PromQlSelector> Selectors(string expression)
    {
        var selectors = new List<PromQlSelector>();
        string s = expression;
        int i = 0;
        while (i < s.Length)
        {
            char c = s[i];
            if (c is '"' or '\'' or '`')
            {
                i = SkipString(s, i);
            }
            else if (c == '[')
            {
                i = s.IndexOf(']', i) + 1;
            }
            else if (c == '#')
            {
                int end = s.IndexOf('\n', i);
                i = end < 0 ? s.Length : end;
            }
            else if (c == '{')
            {
                (List<string> labels, int next) = Matchers(s, i);
                selectors.Add(new PromQlSelector("", labels)); // a selector without a metric name
                i = next;
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1])))
            {
                while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '.' or '_' || (s[i] is '+' or '-' && s[i - 1] is 'e' or 'E')))
                {
                    i++; // a number or a duration
                }
            }
            else if (IsIdentifierStart(c))
            {
                int start = i;
                while (i < s.Length && (IsIdentifierStart(s[i]) || char.IsAsciiDigit(s[i])))
                {
                    i++;
                }

                string word = s[start..i];
                int j = SkipSpaces(s, i);
                if (LabelListKeywords.Contains(word))
                {
                    i = j < s.Length && s[j] == '(' ? s.IndexOf(')', j) + 1 : j; // a list of label names
                }
                else if (Aggregations.Contains(word) || (j < s.Length && s[j] == '('))
                {
                    i = j; // an aggregation or a function
                }
                else if (!Keywords.Contains(word))
                {
                    List<string> labels = [];
                    if (j < s.Length && s[j] == '{')
                    {
                        (labels, i) = Matchers(s, j);
                    }

                    selectors.Add(new PromQlSelector(word, labels));
                }
            }
            else if (c == '$')
            {
                i++; // a Grafana variable outside a string, such as $__rate_interval: skip its name
                while (i < s.Length && (IsIdentifierStart(s[i]) || char.IsAsciiDigit(s[i]) || s[i] is '{' or '}'))
                {
                    i++;
                }
            }
            else
            {
                i++;
            }
        }

        return selectors;
    }

    private static (List<string> Labels, int Next) Matchers(string s, int open)
    {
        var labels = new List<string>();
        int i = open + 1;
        while (i < s.Length && s[i] != '}')
        {
            i = SkipSpaces(s, i);
            if (s[i] is ',' or '}')
            {
                i += s[i] == ',' ? 1 : 0;
                continue;
            }

            int start = i;
            while (i < s.Length && (IsIdentifierStart(s[i]) || char.IsAsciiDigit(s[i])))
            {
                i++;
            }

            labels.Add(s[start..i]);
            while (i < s.Length && s[i] is not ('"' or '\'' or '`'))
            {
                i++; // the operator: = != =~ !~
            }

            i = SkipString(s, i);
        }

        return (labels, i + 1);
    }

    private static int SkipString(string s, int open)
    {
        char quote = s[open];
        int i = open + 1;
        while (i < s.Length && s[i] != quote)
        {
            i += s[i] == '\\' && quote != '`' ? 2 : 1;
        }

        return i + 1;
    }

    private static int SkipSpaces(string s, int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i]))
        {
            i++;
        }

        return i;
    }

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c is '_' or ':';
}
