using YamlDotNet.RepresentationModel;

namespace StreamEntropy.Worker.Tests.Deploy;

/// <summary>Reads the deployment files' YAML with YamlDotNet into plain nodes that tests can walk by path.</summary>
/// <remarks>Mappings are <see cref="Dictionary{TKey,TValue}"/> of string to node, sequences <see cref="List{T}"/> of
/// nodes, scalars strings (no typing: <c>8080</c>, <c>true</c> and <c>00:00:05</c> all stay text, so a test compares
/// what the file says), and a plain empty, <c>~</c> or <c>null</c> value <see langword="null"/>. A file must hold one
/// document at most.</remarks>
internal static class Yaml
{
    public static object? Parse(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count switch
        {
            0 => null,
            1 => ToNode(stream.Documents[0].RootNode),
            int n => throw new FormatException($"expected one YAML document, found {n}"),
        };
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

    private static object? ToNode(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(
            e => ((YamlScalarNode)e.Key).Value ?? throw new FormatException($"an empty mapping key at {e.Key.Start}"),
            e => ToNode(e.Value),
            StringComparer.Ordinal),
        YamlSequenceNode seq => seq.Children.Select(ToNode).ToList(),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" } => null,
        YamlScalarNode scalar => scalar.Value ?? "",
        _ => throw new FormatException($"unsupported YAML node {node.NodeType} at {node.Start}"),
    };
}
