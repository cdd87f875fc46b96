using System.Security.Cryptography;
using System.Text;
using StreamEntropy.Streaming.State;

namespace StreamEntropy.Kafka.State;

/// <summary>Writes and reads checkpoint files atomically (<see cref="AtomicFile"/>: temp file, fsync, rename, fsync of the directory).</summary>
/// <remarks>
/// <para>Layout: "SECK", format version, the offsets, (format 2) the dead-letter progress, the engine state, then a
/// SHA-256 of everything before it. A torn or corrupted file is detected on load and reported, never half-applied.</para>
/// <para>Format 2 added the dead-letter progress; format 1 files are still read (their <see cref="Checkpoint.DeadLetters"/>
/// is null). Writing always uses the newest format.</para>
/// </remarks>
public sealed class CheckpointStore
{
    private const int FormatVersion = 2;
    private const int FirstFormatVersion = 1;
    private static ReadOnlySpan<byte> Magic => "SECK"u8;

    /// <summary>Creates a store for the file <paramref name="name"/> in <paramref name="directory"/> (created by
    /// <see cref="EnsureWritable"/> or the first <see cref="Save"/>; nothing is touched here).</summary>
    public CheckpointStore(string directory, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        DirectoryPath = Path.GetFullPath(directory);
        FilePath = Path.Combine(DirectoryPath, Sanitize(name) + ".checkpoint");
    }

    /// <summary>Gets the full path of the checkpoint file.</summary>
    public string FilePath { get; }

    /// <summary>Gets the full path of the directory of the checkpoint file.</summary>
    public string DirectoryPath { get; }

    /// <summary>Gets or sets, for crash tests, code run after the temporary file is durable and before it replaces the
    /// checkpoint (the window in which a crash leaves a <c>.tmp</c> file and the previous checkpoint).</summary>
    internal Action? BeforeRename { get; set; }

    /// <summary>Creates the directory if needed and proves that a file can be created, written and removed in it.</summary>
    /// <exception cref="IOException">The path is a file, or the directory cannot be created or written; the message
    /// names the directory and the reason in one line.</exception>
    public void EnsureWritable()
    {
        if (File.Exists(DirectoryPath))
        {
            throw new IOException($"the checkpoint directory {DirectoryPath} is a file, not a directory.");
        }

        string probe = Path.Combine(DirectoryPath, $".write-probe-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(DirectoryPath);
            using (var file = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
                file.WriteByte(0);
                file.Flush(flushToDisk: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"the checkpoint directory {DirectoryPath} cannot be written: {e.Message}", e);
        }
    }

    /// <summary>Writes <paramref name="checkpoint"/> durably, replacing the previous one only once the new one is complete.</summary>
    /// <exception cref="IOException">Writing failed (the previous checkpoint stands).</exception>
    /// <exception cref="UnauthorizedAccessException">The directory or file may not be written (the previous checkpoint stands).</exception>
    public void Save(Checkpoint checkpoint)
    {
        byte[] bytes = Serialize(checkpoint);
        Directory.CreateDirectory(DirectoryPath); // deleted while running: write it again rather than fail every checkpoint
        AtomicFile.Write(FilePath, file => file.Write(bytes), BeforeRename);
    }

    /// <summary>Reads the checkpoint, or returns null when there is none yet.</summary>
    /// <exception cref="InvalidDataException">The file exists but is truncated, corrupted or of another format.</exception>
    public Checkpoint? Load() => File.Exists(FilePath) ? Deserialize(File.ReadAllBytes(FilePath), FilePath) : null;

    /// <summary>Encodes a checkpoint: the bytes of a checkpoint file, also the value of a state-topic record.</summary>
    public static byte[] Serialize(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write(checkpoint.Offsets.Count);
            foreach (((string topic, int partition), long offset) in checkpoint.Offsets.OrderBy(o => o.Key.Topic, StringComparer.Ordinal).ThenBy(o => o.Key.Partition))
            {
                w.Write(topic);
                w.Write(partition);
                w.Write(offset);
            }

            WriteDeadLetters(w, checkpoint.DeadLetters);
            w.Write(checkpoint.EngineState.Length);
            w.Write(checkpoint.EngineState);
            w.Write(SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length)));
        }

        return body.ToArray();
    }

    /// <summary>Decodes the bytes written by <see cref="Serialize"/>.</summary>
    /// <param name="bytes">The encoded checkpoint.</param>
    /// <param name="source">Where the bytes come from, for messages (a path or a topic key).</param>
    /// <exception cref="InvalidDataException">Truncated, corrupted or of another format.</exception>
    public static Checkpoint Deserialize(byte[] bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length < Magic.Length + 4 + 32 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{source} is not a StreamEntropy checkpoint.");
        }

        ReadOnlySpan<byte> body = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
        {
            throw new InvalidDataException($"{source} is corrupted (checksum mismatch).");
        }

        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, 0, body.Length), Encoding.UTF8);
            r.ReadBytes(Magic.Length);
            int version = r.ReadInt32();
            if (version is < FirstFormatVersion or > FormatVersion)
            {
                throw new InvalidDataException($"{source} has checkpoint format {version}; this version reads formats {FirstFormatVersion} to {FormatVersion}.");
            }

            int count = r.ReadInt32();
            if (count < 0)
            {
                throw new InvalidDataException($"{source} is corrupted (negative partition count).");
            }

            var offsets = new Dictionary<(string, int), long>(count);
            for (int i = 0; i < count; i++)
            {
                string topic = r.ReadString();
                int partition = r.ReadInt32();
                offsets[(topic, partition)] = r.ReadInt64();
            }

            DeadLetterProgress? deadLetters = version >= 2 ? ReadDeadLetters(r, source) : null;
            int length = r.ReadInt32();
            if (length < 0)
            {
                throw new InvalidDataException($"{source} is corrupted (negative state length).");
            }

            if (length > body.Length - r.BaseStream.Position)
            {
                throw new InvalidDataException($"{source} is truncated."); // checked before allocating a declared length
            }

            byte[] state = r.ReadBytes(length);

            if (r.BaseStream.Position != body.Length)
            {
                throw new InvalidDataException($"{source} is corrupted ({body.Length - r.BaseStream.Position} unexpected bytes after the state).");
            }

            return new Checkpoint(offsets, state) { DeadLetters = deadLetters };
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{source} is truncated.", e);
        }
        catch (Exception e) when (e is IOException or FormatException or ArgumentException or DecoderFallbackException)
        {
            throw new InvalidDataException($"{source} is corrupted ({e.Message}).", e);
        }
    }

    // Format 2: a flag, then the dead-letter topic and its scan positions by partition, in partition order.
    private static void WriteDeadLetters(BinaryWriter w, DeadLetterProgress? progress)
    {
        w.Write(progress is not null);
        if (progress is null)
        {
            return;
        }

        w.Write(progress.Topic);
        w.Write(progress.ScanFrom.Count);
        foreach ((int partition, long offset) in progress.ScanFrom.OrderBy(p => p.Key))
        {
            w.Write(partition);
            w.Write(offset);
        }
    }

    private static DeadLetterProgress? ReadDeadLetters(BinaryReader r, string source)
    {
        if (!r.ReadBoolean())
        {
            return null;
        }

        string topic = r.ReadString();
        int count = r.ReadInt32();
        if (count < 0)
        {
            throw new InvalidDataException($"{source} is corrupted (negative dead-letter partition count).");
        }

        var scanFrom = new Dictionary<int, long>();
        for (int i = 0; i < count; i++)
        {
            int partition = r.ReadInt32();
            scanFrom[partition] = r.ReadInt64();
        }

        return new DeadLetterProgress(topic, scanFrom);
    }

    private static string Sanitize(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        return sb.ToString();
    }
}
