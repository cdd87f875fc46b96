using System.Text;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Partials;

/// <summary>The binary form of a <see cref="SubjectPartial"/> as engines exchange it: compact and versioned.</summary>
/// <remarks>
/// Layout (BinaryWriter, little-endian, strings length-prefixed UTF-8): <c>"SEPA"</c> · byte version · source ·
/// int32 shard · window · byte kind · bool has-start · int64 start ms · int64 end ms · bool closed ·
/// int64 events · int64 late · byte subject (1 field, 2 pair, 3 bounded field, 4 bounded pair) · then for a field:
/// name · int64 missing · int64 invalid · int32 n · n × (bytes value · int64 count); for a pair: x · y · int32 n ·
/// n × (bytes x · bytes y · int64 count); for a bounded field: name · int64 missing · int64 invalid · int32 budget ·
/// bytes counts; for a bounded pair: x · y · int32 budget · bytes counts; where bytes is an int32 length and the raw
/// bytes (UTF-8 text, or the serialised bounded counts). A reader rejects other versions, so a format change is a new
/// version.
/// </remarks>
public static class PartialCodec
{
    /// <summary>The format version written.</summary>
    public const byte FormatVersion = 1;

    private const byte FieldSubject = 1;
    private const byte PairSubject = 2;
    private const byte BoundedFieldSubject = 3;
    private const byte BoundedPairSubject = 4;
    private const int MaxValueBytes = 1 << 20;
    private const int MaxSummaryBytes = int.MaxValue;

    private static ReadOnlySpan<byte> Magic => "SEPA"u8;

    /// <summary>Serialises <paramref name="partial"/>.</summary>
    public static byte[] Write(SubjectPartial partial)
    {
        ArgumentNullException.ThrowIfNull(partial);
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write(partial.Source);
            w.Write(partial.Shard);
            w.Write(partial.Window);
            w.Write((byte)partial.Kind);
            w.Write(partial.Start.HasValue);
            w.Write(partial.Start?.ToUnixTimeMilliseconds() ?? 0);
            w.Write(partial.End.ToUnixTimeMilliseconds());
            w.Write(partial.Closed);
            w.Write(partial.Events);
            w.Write(partial.Late);
            if (partial.Field is { Summary: { } fieldSummary } boundedField)
            {
                w.Write(BoundedFieldSubject);
                w.Write(boundedField.Name);
                w.Write(boundedField.Missing);
                w.Write(boundedField.Invalid);
                w.Write(boundedField.MaxDistinct);
                WriteBytes(w, fieldSummary);
            }
            else if (partial.Pair is { Summary: { } pairSummary } boundedPair)
            {
                w.Write(BoundedPairSubject);
                w.Write(boundedPair.X);
                w.Write(boundedPair.Y);
                w.Write(boundedPair.MaxDistinct);
                WriteBytes(w, pairSummary);
            }
            else if (partial.Field is { } field)
            {
                w.Write(FieldSubject);
                w.Write(field.Name);
                w.Write(field.Missing);
                w.Write(field.Invalid);
                w.Write(field.Counts.Count);
                for (int i = 0; i < field.Counts.Count; i++)
                {
                    WriteBytes(w, field.Values[i]);
                    w.Write(field.Counts[i]);
                }
            }
            else
            {
                PairPartial pair = partial.Pair ?? throw new ArgumentException("A partial needs a field or a pair.", nameof(partial));
                w.Write(PairSubject);
                w.Write(pair.X);
                w.Write(pair.Y);
                w.Write(pair.Counts.Count);
                for (int i = 0; i < pair.Counts.Count; i++)
                {
                    WriteBytes(w, pair.XValues[i]);
                    WriteBytes(w, pair.YValues[i]);
                    w.Write(pair.Counts[i]);
                }
            }
        }

        return stream.ToArray();
    }

    /// <summary>Parses a partial written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">Not a partial, another format version, truncated, inconsistent, or
    /// followed by other bytes; the message says which.</exception>
    public static SubjectPartial Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Magic.Length + 1 || !bytes[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not a StreamEntropy partial (the magic bytes are missing).");
        }

        if (bytes[Magic.Length] != FormatVersion)
        {
            throw new InvalidDataException($"The partial has format version {bytes[Magic.Length]}; this version reads {FormatVersion}.");
        }

        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        using var r = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            stream.Position = Magic.Length + 1;
            string source = r.ReadString();
            int shard = NonNegative(r.ReadInt32(), "source partition"); // the message is unchanged since the first version
            string window = r.ReadString();
            var kind = (WindowKind)r.ReadByte();
            if (kind is not (WindowKind.Cumulative or WindowKind.Tumbling or WindowKind.Sliding))
            {
                throw new InvalidDataException($"Window '{window}' has kind {(int)kind}, which has no partials.");
            }

            bool hasStart = r.ReadBoolean();
            long startMs = r.ReadInt64();
            long endMs = r.ReadInt64();
            DateTimeOffset? start = hasStart ? Time(startMs) : null;
            DateTimeOffset end = Time(endMs);
            bool closed = r.ReadBoolean();
            long events = NonNegative(r.ReadInt64(), "event count");
            long late = NonNegative(r.ReadInt64(), "late count");
            FieldPartial? field = null;
            PairPartial? pair = null;
            byte subject = r.ReadByte();
            if (subject == FieldSubject)
            {
                string name = r.ReadString();
                long missing = NonNegative(r.ReadInt64(), "missing count");
                long invalid = NonNegative(r.ReadInt64(), "invalid count");
                int n = Length(r.ReadInt32(), stream);
                var values = new byte[n][];
                var counts = new long[n];
                for (int i = 0; i < n; i++)
                {
                    values[i] = ReadBytes(r);
                    counts[i] = Positive(r.ReadInt64());
                }

                field = new FieldPartial(name, missing, invalid, values, counts);
            }
            else if (subject == PairSubject)
            {
                string x = r.ReadString();
                string y = r.ReadString();
                int n = Length(r.ReadInt32(), stream);
                var xs = new byte[n][];
                var ys = new byte[n][];
                var counts = new long[n];
                for (int i = 0; i < n; i++)
                {
                    xs[i] = ReadBytes(r);
                    ys[i] = ReadBytes(r);
                    counts[i] = Positive(r.ReadInt64());
                }

                pair = new PairPartial(x, y, xs, ys, counts);
            }
            else if (subject == BoundedFieldSubject)
            {
                string name = r.ReadString();
                long missing = NonNegative(r.ReadInt64(), "missing count");
                long invalid = NonNegative(r.ReadInt64(), "invalid count");
                int budget = r.ReadInt32();
                byte[] summary = ReadBytes(r, MaxSummaryBytes);
                _ = PartialSummaries.ReadField(summary, budget); // checked here, so that a merge never meets a corrupt one
                field = new FieldPartial(name, missing, invalid, [], []) { MaxDistinct = budget, Summary = summary };
            }
            else if (subject == BoundedPairSubject)
            {
                string x = r.ReadString();
                string y = r.ReadString();
                int budget = r.ReadInt32();
                byte[] summary = ReadBytes(r, MaxSummaryBytes);
                _ = PartialSummaries.ReadPair(summary, budget);
                pair = new PairPartial(x, y, [], [], []) { MaxDistinct = budget, Summary = summary };
            }
            else
            {
                throw new InvalidDataException($"Unknown subject kind {subject}.");
            }

            if (stream.Position != stream.Length)
            {
                throw new InvalidDataException($"{stream.Length - stream.Position} unexpected bytes follow the partial.");
            }

            return new SubjectPartial(source, shard, window, kind, start, end, closed, events, late, field, pair);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or DecoderFallbackException or ArgumentOutOfRangeException)
        {
            throw new InvalidDataException($"The partial is truncated or corrupt: {e.Message}", e);
        }
    }

    private static void WriteBytes(BinaryWriter w, byte[] value)
    {
        w.Write(value.Length);
        w.Write(value);
    }

    private static byte[] ReadBytes(BinaryReader r, int maxBytes = MaxValueBytes)
    {
        int length = r.ReadInt32();
        if (length < 0 || length > maxBytes)
        {
            throw new InvalidDataException($"A value length of {length} bytes is out of range.");
        }

        byte[] value = r.ReadBytes(length);
        return value.Length == length ? value : throw new EndOfStreamException("The partial ends inside a value.");
    }

    private static DateTimeOffset Time(long ms) =>
        ms >= EventTime.MinMs && ms <= EventTime.MaxMs
            ? EventTime.ToTime(ms)
            : throw new InvalidDataException($"The time {ms} ms is out of range.");

    private static int Length(int n, MemoryStream stream) =>
        n >= 0 && n <= stream.Length - stream.Position ? n : throw new InvalidDataException($"An entry count of {n} is out of range.");

    private static long NonNegative(long value, string what) =>
        value >= 0 ? value : throw new InvalidDataException($"The {what} {value} is negative.");

    private static int NonNegative(int value, string what) =>
        value >= 0 ? value : throw new InvalidDataException($"The {what} {value} is negative.");

    private static long Positive(long count) =>
        count > 0 ? count : throw new InvalidDataException($"A count of {count} is not positive.");
}
