using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Drift;

/// <summary>Writes and reads the parts of a drift state that single engines and Group-mode merges share: alert state
/// machines (streaks and raised alerts) and alert events.</summary>
internal static class DriftStateCodec
{
    // Strings read from a state are bounded by its payload, which the envelope's hash has verified; counts of items
    // are bounded so that a corrupt length cannot allocate much before the read fails.
    private const int MaxItems = 1 << 24;

    public static void WriteTracks(BinaryWriter writer, IReadOnlyList<TrackState> tracks)
    {
        writer.Write(tracks.Count);
        foreach (TrackState t in tracks)
        {
            writer.Write(t.Rule);
            writer.Write(t.Window);
            writer.Write(t.Subject);
            writer.Write(t.Streak);
            writer.Write(t.RaisedBy is not null);
            if (t.RaisedBy is { } raised)
            {
                WriteAlert(writer, raised);
            }
        }
    }

    public static List<TrackState> ReadTracks(BinaryReader reader)
    {
        int count = TableFormat.ReadCount(reader, MaxItems);
        var tracks = new List<TrackState>(Math.Min(count, 1024));
        for (int i = 0; i < count; i++)
        {
            string rule = reader.ReadString();
            string window = reader.ReadString();
            string subject = reader.ReadString();
            int streak = reader.ReadInt32();
            if (streak < 0)
            {
                throw new InvalidDataException($"Alert state {rule} of {window}/{subject} has a negative streak ({streak}).");
            }

            AlertEvent? raised = reader.ReadBoolean() ? ReadAlert(reader) : null;
            if (raised is not null && (raised.State != AlertState.Raised || raised.Rule != rule || raised.Window != window || raised.Subject != subject))
            {
                throw new InvalidDataException($"Alert state {rule} of {window}/{subject} holds the raise event of another alert ({raised.Key}).");
            }

            tracks.Add(new TrackState(rule, window, subject, streak, raised));
        }

        return tracks;
    }

    public static void WriteCalibrations(BinaryWriter writer, IReadOnlyList<(string Rule, string Window, string Subject, ThresholdCalibration Calibration)> calibrations)
    {
        writer.Write(calibrations.Count);
        foreach ((string rule, string window, string subject, ThresholdCalibration calibration) in calibrations)
        {
            writer.Write(rule);
            writer.Write(window);
            writer.Write(subject);
            writer.Write(calibration.Chunks);
            writer.Write(calibration.Scores.Length);
            foreach (double score in calibration.Scores)
            {
                writer.Write(score);
            }
        }
    }

    public static List<(string Rule, string Window, string Subject, ThresholdCalibration Calibration)> ReadCalibrations(BinaryReader reader)
    {
        int count = TableFormat.ReadCount(reader, MaxItems);
        var calibrations = new List<(string, string, string, ThresholdCalibration)>(Math.Min(count, 1024));
        for (int i = 0; i < count; i++)
        {
            string rule = reader.ReadString();
            string window = reader.ReadString();
            string subject = reader.ReadString();
            int chunks = TableFormat.ReadCount(reader, DriftScoring.MaxAutoReferenceWindows);
            int scored = TableFormat.ReadCount(reader, chunks);
            double[] scores = new double[scored];
            for (int k = 0; k < scored; k++)
            {
                scores[k] = reader.ReadDouble();
                if (!double.IsFinite(scores[k]))
                {
                    throw new InvalidDataException($"The auto threshold of {rule} on {window}/{subject} has a score that is not finite.");
                }
            }

            calibrations.Add((rule, window, subject, new ThresholdCalibration(scores, chunks)));
        }

        return calibrations;
    }

    public static void WriteAlert(BinaryWriter writer, AlertEvent alert)
    {
        writer.Write((byte)alert.State);
        writer.Write(alert.Rule);
        writer.Write(alert.Window);
        WriteOptional(writer, alert.Field);
        WriteOptional(writer, alert.Pair?.X);
        WriteOptional(writer, alert.Pair?.Y);
        writer.Write(alert.Metric);
        writer.Write(alert.Value);
        writer.Write(alert.Threshold);
        writer.Write(alert.Consecutive);
        writer.Write(alert.TimestampMs);
    }

    public static AlertEvent ReadAlert(BinaryReader reader)
    {
        byte state = reader.ReadByte();
        if (!Enum.IsDefined((AlertState)state))
        {
            throw new InvalidDataException($"An alert event has the unknown state {state}.");
        }

        string rule = reader.ReadString();
        string window = reader.ReadString();
        string? field = ReadOptional(reader);
        string? x = ReadOptional(reader);
        string? y = ReadOptional(reader);
        if ((field is null) == (x is null) || (x is null) != (y is null))
        {
            throw new InvalidDataException($"The alert event {window}/{rule} must name either a field or a pair.");
        }

        return new AlertEvent(
            (AlertState)state,
            rule,
            window,
            field,
            x is null ? null : new PairDefinition(x, y!),
            reader.ReadString(),
            reader.ReadDouble(),
            reader.ReadDouble(),
            reader.ReadInt32(),
            reader.ReadInt64());
    }

    public static void WriteOptional(BinaryWriter writer, string? value)
    {
        writer.Write(value is not null);
        if (value is not null)
        {
            writer.Write(value);
        }
    }

    public static string? ReadOptional(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;
}
