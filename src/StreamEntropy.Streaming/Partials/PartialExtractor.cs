using StreamEntropy.Core.Counting;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Partials;

/// <summary>Turns a window's counts into one <see cref="SubjectPartial"/> per field and per pair, with values as text
/// (ids are private to one engine's interners, text is what shards share); bounded fields and pairs are keyed by
/// value hash already and travel as their serialised bounded counts.</summary>
internal static class PartialExtractor
{
    /// <summary>Copies the counts of <paramref name="counts"/>, described by <paramref name="snapshot"/>, into partials.</summary>
    /// <remarks>O(distinct values and pairs); allocates the copies.</remarks>
    public static void Extract(string source, int shard, WindowSnapshot snapshot, FrequencySet counts, List<SubjectPartial> into)
    {
        if (snapshot.Kind != WindowKind.Cumulative && snapshot.Start is null)
        {
            return; // a tumbling or sliding window that has seen no time yet: nothing to place
        }

        EventEncoder encoder = counts.Encoder;
        EventSchema schema = encoder.Schema;
        for (int f = 0; f < schema.Fields.Count; f++)
        {
            if (counts.BoundedField(f) is { } bounded)
            {
                var summarised = new FieldPartial(schema.Fields[f].Name, counts.Missing(f), counts.Invalid(f), [], [])
                {
                    MaxDistinct = bounded.MaxDistinct,
                    Summary = PartialSummaries.Write(bounded),
                };
                into.Add(Header(source, shard, snapshot) with { Field = summarised });
                continue;
            }

            ValueInterner interner = encoder.Values[f];
            CountSpan table = counts.Field(f).Counts;
            var values = new List<byte[]>();
            var n = new List<long>();
            for (int id = 0; id < table.Length; id++)
            {
                if (table[id] != 0)
                {
                    values.Add(interner.GetValue(id).ToArray());
                    n.Add(table[id]);
                }
            }

            var field = new FieldPartial(schema.Fields[f].Name, counts.Missing(f), counts.Invalid(f), values, n);
            into.Add(Header(source, shard, snapshot) with { Field = field });
        }

        for (int p = 0; p < schema.Pairs.Count; p++)
        {
            PairDefinition definition = schema.Pairs[p];
            if (counts.BoundedPair(p) is { } bounded)
            {
                var summarised = new PairPartial(definition.X, definition.Y, [], [], [])
                {
                    MaxDistinct = schema.PairMaxDistinct(p),
                    Summary = PartialSummaries.Write(bounded),
                };
                into.Add(Header(source, shard, snapshot) with { Pair = summarised });
                continue;
            }

            (int xf, int yf) = schema.PairIndexes(p);
            PairCountTable pairTable = counts.Pair(p);
            CountSpan joint = pairTable.Joint.Counts;
            var xs = new List<byte[]>();
            var ys = new List<byte[]>();
            var n = new List<long>();
            for (int id = 0; id < joint.Length; id++)
            {
                if (joint[id] != 0)
                {
                    (int x, int y) = pairTable.Pairs.GetPair(id);
                    xs.Add(encoder.Values[xf].GetValue(x).ToArray());
                    ys.Add(encoder.Values[yf].GetValue(y).ToArray());
                    n.Add(joint[id]);
                }
            }

            into.Add(Header(source, shard, snapshot) with { Pair = new PairPartial(definition.X, definition.Y, xs, ys, n) });
        }
    }

    private static SubjectPartial Header(string source, int shard, WindowSnapshot s) =>
        new(source, shard, s.Window, s.Kind, s.Start, s.End, s.Closed, s.Events, s.Late, null, null);
}
