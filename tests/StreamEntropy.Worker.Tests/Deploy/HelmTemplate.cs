using System.Text.RegularExpressions;

namespace StreamEntropy.Worker.Tests.Deploy;

/// <summary>
/// A stand-in for <c>helm template</c> (helm cannot be installed here) that is good enough to check the shape of the
/// chart's manifests: lines made only of template actions (if/else/end/with/include … | nindent) are dropped, so both
/// branches of a conditional are kept; an inline <c>{{ .Values.a.b }}</c> (optionally <c>| quote</c>) is replaced by
/// the value from values.yaml; any other inline action becomes <see cref="Placeholder"/>. The result is parsed with
/// <see cref="Yaml"/> (YamlDotNet).
/// </summary>
internal static partial class HelmTemplate
{
    public const string Placeholder = "TEMPLATED";

    public static object? Values(string chart) => Yaml.Parse(File.ReadAllText(Path.Combine(chart, "values.yaml")));

    public static string RenderText(string chart, string template, object? values)
    {
        var output = new List<string>();
        foreach (string line in File.ReadAllLines(Path.Combine(chart, "templates", template)))
        {
            if (ActionsOnly().IsMatch(line))
            {
                continue;
            }

            output.Add(Action().Replace(line, m => Substitute(m.Groups["body"].Value.Trim(), values)));
        }

        return string.Join('\n', output);
    }

    public static Dictionary<string, object?> Render(string chart, string template, object? values) =>
        Yaml.Parse(RenderText(chart, template, values)) as Dictionary<string, object?>
        ?? throw new FormatException($"{template} does not render to a mapping");

    private static string Substitute(string body, object? values)
    {
        Match m = ValuesLookup().Match(body);
        if (!m.Success)
        {
            return Placeholder;
        }

        object? value = Yaml.At(values, m.Groups["path"].Value.Split('.'));
        string text = value as string ?? throw new FormatException($".Values.{m.Groups["path"].Value} is not a scalar");
        return m.Groups["quote"].Success ? "\"" + text.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"" : text;
    }

    [GeneratedRegex(@"^\s*(\{\{-?.*?-?\}\}\s*)+$")]
    private static partial Regex ActionsOnly();

    [GeneratedRegex(@"\{\{-?(?<body>.*?)-?\}\}")]
    private static partial Regex Action();

    [GeneratedRegex(@"^\.Values\.(?<path>[A-Za-z0-9_.]+)(?<quote>\s*\|\s*quote)?$")]
    private static partial Regex ValuesLookup();
}
