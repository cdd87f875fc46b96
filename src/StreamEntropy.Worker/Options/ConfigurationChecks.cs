using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;

namespace StreamEntropy.Worker.Options;

/// <summary>Checks the raw <c>StreamEntropy</c> section before it is bound: keys that no setting has (a misspelt key
/// would otherwise be ignored and its default used), values that do not convert, and lists set empty.</summary>
/// <remarks>Configuration merges lists element by element across its sources, so <c>"Topics": []</c> in a config file
/// cannot remove the <c>events</c> of appsettings.json: binding alone would silently keep the default. An explicitly
/// empty list that another source fills is therefore reported, naming both sources.</remarks>
internal static class ConfigurationChecks
{
    /// <summary>One line per problem, each naming the key; empty when the section is sound.</summary>
    /// <param name="configuration">The whole configuration (its providers are asked where an empty list came from).</param>
    /// <param name="conversionFailed">Set when a value does not convert: binding would fail on it.</param>
    public static IReadOnlyList<string> Check(IConfiguration configuration, out bool conversionFailed)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        var failed = false;
        IConfigurationSection section = configuration.GetSection(StreamEntropyOptions.SectionName);
        CheckObject(section, typeof(StreamEntropyOptions), problems, ref failed);
        if (configuration is IConfigurationRoot root)
        {
            CheckEmptyLists(root, typeof(StreamEntropyOptions), StreamEntropyOptions.SectionName, problems);
        }

        conversionFailed = failed;
        return problems;
    }

    /// <summary>The known setting closest to <paramref name="key"/> by edit distance (case ignored).</summary>
    public static string Nearest(string key, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(key);
        string[] names = [.. known];
        string? extension = names // "Bin" for BinWidth: a known key that begins with what was written
            .Where(k => key.Length >= 2 && k.StartsWith(key, StringComparison.OrdinalIgnoreCase))
            .MinBy(k => k.Length);
        return extension ?? names.MinBy(k => Distance(key.ToUpperInvariant(), k.ToUpperInvariant())) ?? "";
    }

    private static void CheckObject(IConfigurationSection section, Type type, List<string> problems, ref bool failed)
    {
        Dictionary<string, PropertyInfo> properties = Properties(type);
        foreach (IConfigurationSection child in section.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out PropertyInfo? property))
            {
                string nearest = Nearest(child.Key, properties.Keys);
                problems.Add($"{child.Path} is not a setting; did you mean {ParentPath(child)}{nearest}?");
                continue;
            }

            CheckValue(child, property.PropertyType, problems, ref failed);
        }

        if (section.Value is { Length: > 0 } value && !section.GetChildren().Any())
        {
            problems.Add($"{section.Path} is a section of settings, not a value ('{value}').");
        }
    }

    private static void CheckValue(IConfigurationSection section, Type type, List<string> problems, ref bool failed)
    {
        Type target = Nullable.GetUnderlyingType(type) ?? type;
        if (target.IsGenericType && target.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            return; // Kafka:Client: any librdkafka setting
        }

        if (target.IsGenericType && target.GetGenericTypeDefinition() == typeof(List<>))
        {
            Type element = target.GetGenericArguments()[0];
            foreach (IConfigurationSection item in section.GetChildren())
            {
                if (!int.TryParse(item.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    string example = element == typeof(string) ? $"{section.Path}:0" : $"{section.Path}:0:{Properties(element).Keys.First()}";
                    problems.Add($"{item.Path} is not a setting: {section.Key} is a list, so its entries are numbered ({example}).");
                    continue;
                }

                CheckValue(item, element, problems, ref failed);
            }

            return;
        }

        if (target.IsClass && target != typeof(string))
        {
            CheckObject(section, target, problems, ref failed);
            return;
        }

        if (section.GetChildren().Any())
        {
            problems.Add($"{section.Path} takes a single value, not a section (found {string.Join(", ", section.GetChildren().Select(c => c.Path))}).");
            return;
        }

        string? text = section.Value;
        if (string.IsNullOrEmpty(text) || Converts(text, target))
        {
            return; // an empty value leaves the default, as the binder does
        }

        failed = true;
        problems.Add($"{section.Path}: '{text}' is not {Describe(target)}.");
    }

    // The same parsing as the configuration binder, so nothing it accepts is reported.
    private static bool Converts(string text, Type type) => type switch
    {
        _ when type == typeof(string) => true,
        _ when type == typeof(int) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        _ when type == typeof(double) => double.TryParse(text, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out _),
        _ when type == typeof(bool) => bool.TryParse(text, out _),
        _ when type == typeof(TimeSpan) => TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out _),
        _ when type.IsEnum => Enum.TryParse(type, text, ignoreCase: true, out _),
        _ => true,
    };

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(int) => "a whole number",
        _ when type == typeof(double) => "a number",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(TimeSpan) => "a duration ([d.]hh:mm:ss[.fff], e.g. 00:00:05)",
        _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type)),
        _ => "valid here",
    };

    private static void CheckEmptyLists(IConfigurationRoot root, Type type, string path, List<string> problems)
    {
        foreach ((string name, PropertyInfo property) in Properties(type))
        {
            string key = $"{path}:{name}";
            Type target = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (target.IsGenericType && target.GetGenericTypeDefinition() == typeof(List<>))
            {
                CheckEmptyList(root, key, problems);
            }
            else if (target.IsClass && target != typeof(string) && !target.IsGenericType)
            {
                CheckEmptyLists(root, target, key, problems);
            }
        }
    }

    // The highest-precedence source that mentions the list decides what the user meant; if it says [] (or an empty
    // value) while the merged configuration still has elements, the elements come from a lower source.
    private static void CheckEmptyList(IConfigurationRoot root, string key, List<string> problems)
    {
        foreach (IConfigurationProvider provider in root.Providers.Reverse())
        {
            bool hasElements = provider.GetChildKeys([], key).Any();
            if (hasElements)
            {
                return;
            }

            if (provider.TryGet(key, out string? value) && string.IsNullOrEmpty(value))
            {
                int elements = root.GetSection(key).GetChildren().Count();
                IConfigurationProvider? from = root.Providers.LastOrDefault(p => p.GetChildKeys([], key).Any());
                string merged = elements == 0 ? "" : $" (lists are merged element by element, so the {elements} from {(from is null ? "another source" : Name(from))} would silently be used)";
                if (key.EndsWith(":Kafka:Topics", StringComparison.Ordinal))
                {
                    problems.Add($"{key} is an empty list in {Name(provider)}; list at least one input topic{merged}.");
                }
                else if (elements > 0)
                {
                    problems.Add($"{key} is an empty list in {Name(provider)}, but it cannot empty the list{merged}; list the entries you want there, or remove them from {(from is null ? "the other source" : Name(from))}.");
                }

                return;
            }
        }
    }

    private static string Name(IConfigurationProvider provider) => provider switch
    {
        JsonConfigurationProvider json => json.Source.Path ?? "a JSON file",
        CommandLineConfigurationProvider => "the command line",
        EnvironmentVariablesConfigurationProvider => "the environment",
        _ => "the built-in settings",
    };

    private static string ParentPath(IConfigurationSection section)
    {
        int colon = section.Path.LastIndexOf(':');
        return colon < 0 ? "" : section.Path[..(colon + 1)];
    }

    // By configuration key. Two properties may share a key (PairOptions' X and XFields: one value or a list); the list
    // is checked then, since a list accepts both shapes here (numbered children, or a value the scalar takes).
    private static Dictionary<string, PropertyInfo> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && (p.SetMethod?.IsPublic == true || p.PropertyType.IsGenericType)) // the binder sets public setters only
            .GroupBy(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? p.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(p => p.PropertyType.IsGenericType).First(), StringComparer.OrdinalIgnoreCase);

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
