using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using StreamEntropy.Worker.Options;

namespace StreamEntropy.Worker.Tests.Deploy;

/// <summary>Binds deployment configuration (environment variables, JSON) the way the worker does, validates it with
/// the worker's own rules, and checks that every key names a setting that exists on the options classes.</summary>
internal static class OptionsConfiguration
{
    /// <summary>Environment variables as the .NET environment-variables provider reads them: "__" becomes ":".</summary>
    public static Dictionary<string, string?> FromEnvironment(IEnumerable<KeyValuePair<string, string?>> variables) =>
        variables.ToDictionary(kv => kv.Key.Replace("__", ":", StringComparison.Ordinal), kv => kv.Value, StringComparer.OrdinalIgnoreCase);

    /// <summary>Binds the <c>StreamEntropy</c> section from the worker's appsettings.json overlaid with <paramref name="settings"/>,
    /// as the host layers them.</summary>
    public static StreamEntropyOptions Bind(IDictionary<string, string?> settings, bool withAppSettings = true)
    {
        var builder = new ConfigurationBuilder();
        if (withAppSettings)
        {
            builder.AddJsonFile(DeployFiles.WorkerAppSettings, optional: false, reloadOnChange: false);
        }

        IConfigurationRoot configuration = builder.AddInMemoryCollection(settings).Build();
        return configuration.GetSection(StreamEntropyOptions.SectionName).Get<StreamEntropyOptions>()
            ?? throw new InvalidOperationException("the StreamEntropy section is empty");
    }

    /// <summary>Flattens a JSON configuration document into configuration keys, as the JSON provider does.</summary>
    public static Dictionary<string, string?> FromJson(string json)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        IConfigurationRoot root = new ConfigurationBuilder().AddJsonStream(stream).Build();
        return root.AsEnumerable().Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Fails with every problem the app's validator finds, as ValidateOnStart runs it.</summary>
    public static void AssertValid(StreamEntropyOptions options, string source)
    {
        ValidateOptionsResult result = new StreamEntropyOptionsValidator().Validate(null, options);
        Assert.True(!result.Failed, $"{source}: {string.Join(" | ", result.Failures ?? [])}");
    }

    /// <summary>The keys (":"-separated) under StreamEntropy that do not name a settable option.</summary>
    public static List<string> UnknownKeys(IEnumerable<string> keys)
    {
        var unknown = new List<string>();
        foreach (string key in keys)
        {
            string[] segments = key.Split(':');
            if (!segments[0].Equals(StreamEntropyOptions.SectionName, StringComparison.OrdinalIgnoreCase) || !Resolves(typeof(StreamEntropyOptions), segments.AsSpan(1)))
            {
                unknown.Add(key);
            }
        }

        return unknown;
    }

    private static bool Resolves(Type type, ReadOnlySpan<string> segments)
    {
        if (segments.IsEmpty)
        {
            return IsLeaf(type);
        }

        if (IsLeaf(type))
        {
            return false;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            return Resolves(type.GetGenericArguments()[1], segments[1..]);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            return int.TryParse(segments[0], out int index) && index >= 0 && Resolves(type.GetGenericArguments()[0], segments[1..]);
        }

        PropertyInfo? property = type.GetProperty(segments[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (property is null || !(property.CanWrite || typeof(IEnumerable).IsAssignableFrom(property.PropertyType) || !IsLeaf(property.PropertyType)))
        {
            return false;
        }

        return Resolves(property.PropertyType, segments[1..]);
    }

    private static bool IsLeaf(Type type)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan) || t == typeof(DateTimeOffset) || t == typeof(DateTime);
    }
}
