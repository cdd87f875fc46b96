using System.Globalization;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Tests.Drift;

/// <summary>A seeded synthetic stream of many independent fields <c>f000</c>, <c>f001</c>, … for the tests of many
/// subjects scored at once: each field has values v0..v(n−1), v0 with a 10 % share (30 % in the first
/// <c>shifted</c> fields of a window) and the others uniform.</summary>
internal sealed class ManyFieldsStream
{
    private readonly int[][] _ids; // per field: value index → encoder id
    private ulong _state;

    public ManyFieldsStream(int fields, int values, ulong seed)
    {
        Encoder = new EventEncoder(new EventSchema([.. Enumerable.Range(0, fields).Select(f => new FieldDefinition(Name(f), Name(f)))], []));
        _ids = [.. Enumerable.Range(0, fields).Select(f => Enumerable.Range(0, values).Select(v => Encoder.Values[f].GetOrAdd(string.Create(CultureInfo.InvariantCulture, $"v{v}"))).ToArray())];
        _state = seed;
    }

    public EventEncoder Encoder { get; }

    public static string Name(int field) => string.Create(CultureInfo.InvariantCulture, $"f{field:D3}");

    // SplitMix64, seeded: the same stream on every run.
    public static double NextDouble(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>A window of <paramref name="count"/> events in which the first <paramref name="shiftedFields"/> fields have v0 at 30 %.</summary>
    public FrequencySet Window(int count, int shiftedFields)
    {
        var set = new FrequencySet(Encoder);
        int[] row = new int[_ids.Length];
        for (int i = 0; i < count; i++)
        {
            for (int f = 0; f < _ids.Length; f++)
            {
                int values = _ids[f].Length;
                double first = f < shiftedFields ? 0.3 : 0.1;
                double u = NextDouble(ref _state);
                // v0 with its share, else v1..v(n−1) uniformly.
                int v = u < first ? 0 : 1 + Math.Min(values - 2, (int)((u - first) / (1 - first) * (values - 1)));
                row[f] = _ids[f][v];
            }

            set.Add(row);
        }

        return set;
    }
}
