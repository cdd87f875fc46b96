using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace StreamEntropy.Streaming.Demo;

/// <summary>Generates a model's input events for the wide demo: 50 features in four groups and a binary label, with
/// known dependence on the label, and an event id that a monitor should leave out.</summary>
/// <remarks>
/// <para>The label is 1 for about 30 % of events. Features, by how much they tell about it: <c>account.tier</c>,
/// <c>account.plan</c>, <c>behaviour.sessions</c> and <c>behaviour.cart_value</c> follow it closely (each agrees with a
/// label-specific value 70–85 % of the time); <c>behaviour.f04</c>…<c>f13</c> lean on it a little; the other 36
/// (<c>context.*</c>, <c>device.*</c>) are independent noise of 2 to 200 values. Every feature is present in every
/// event except <c>device.f40</c>…<c>f49</c>, each missing one time in five.</para>
/// <para>The drift (<see cref="Drifted"/>) breaks a join and leaks the label: <c>account.tier</c> becomes independent
/// of the label (its mutual information collapses to about 0) and <c>context.f20</c> starts copying the label (its
/// mutual information jumps from 0 to H(label)). Deterministic for a given seed.</para>
/// </remarks>
public sealed class WideDemoEventGenerator : IDemoEvents
{
    /// <summary>The number of features (the label and the event id come on top).</summary>
    public const int FeatureCount = 50;

    private readonly Random _random;
    private readonly ArrayBufferWriter<byte> _buffer = new(2048);
    private readonly (string Group, string Name, int Cardinality, double Agreement)[] _features;
    private long _id;

    /// <summary>Creates a generator.</summary>
    public WideDemoEventGenerator(int seed = 42)
    {
        _random = new Random(seed);
        _features = new (string, string, int, double)[FeatureCount];
        string[] strong = ["tier", "plan", "sessions", "cart_value"];
        for (int i = 0; i < FeatureCount; i++)
        {
            (string group, string name, int cardinality, double agreement) = i switch
            {
                < 2 => ("account", strong[i], 4 + (i * 2), 0.85 - (i * 0.05)),
                < 4 => ("behaviour", strong[i], 6 + (i * 3), 0.80 - ((i - 2) * 0.05)),
                < 14 => ("behaviour", $"f{i:00}", 3 + i, 0.15 + ((13 - i) * 0.02)),
                < 30 => ("context", $"f{i:00}", 2 + ((i * 7) % 40), 0),
                _ => ("device", $"f{i:00}", 2 + ((i * 13) % 200), 0),
            };
            _features[i] = (group, name, cardinality, agreement);
        }
    }

    /// <inheritdoc/>
    public bool Drifted { get; set; }

    /// <summary>Gets the paths of the features, as discovery names them.</summary>
    public IEnumerable<string> FeaturePaths => _features.Select(f => $"{f.Group}.{f.Name}");

    /// <summary>Writes the next event as UTF-8 and returns it; the span is valid until the next call.</summary>
    public ReadOnlySpan<byte> Next()
    {
        _buffer.ResetWrittenCount();
        int label = _random.NextDouble() < 0.3 ? 1 : 0;
        using (var w = new Utf8JsonWriter(_buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("event_id", ++_id);
            foreach (string group in (ReadOnlySpan<string>)["account", "behaviour", "context", "device"])
            {
                w.WriteStartObject(group);
                for (int i = 0; i < _features.Length; i++)
                {
                    (string g, string name, int cardinality, double agreement) = _features[i];
                    if (g != group || (i >= 40 && _random.Next(5) == 0))
                    {
                        continue;
                    }

                    w.WriteString(name, Value(i, label, cardinality, agreement));
                }

                w.WriteEndObject();
            }

            w.WriteNumber("label", label);
            w.WriteEndObject();
        }

        return _buffer.WrittenSpan;
    }

    private string Value(int feature, int label, int cardinality, double agreement)
    {
        if (Drifted && feature == 20)
        {
            return label == 1 ? "yes" : "no"; // leakage: the label itself
        }

        if (Drifted && feature == 0)
        {
            agreement = 0; // a broken join: no longer related to the label
        }

        // With probability `agreement` the label's own value (0 or 1 of the feature's values), else any value.
        int value = _random.NextDouble() < agreement ? label : _random.Next(cardinality);
        return string.Create(CultureInfo.InvariantCulture, $"v{value}");
    }

    /// <inheritdoc/>
    ReadOnlySpan<byte> IDemoEvents.NextEvent() => Next();
}
