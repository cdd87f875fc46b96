using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace StreamEntropy.Kafka.State;

/// <summary>Writes and reads checkpoint files atomically: temp file, fsync, rename, fsync of the directory.</summary>
/// <remarks>Layout: "SECK", format version, the offsets, the engine state, then a SHA-256 of everything before it.
/// A torn or corrupted file is detected on load and reported, never half-applied.</remarks>
public sealed class CheckpointStore
{
    private const int FormatVersion = 1;
    private static ReadOnlySpan<byte> Magic => "SECK"u8;

    /// <summary>Creates a store for the file <paramref name="name"/> in <paramref name="directory"/> (created if needed).</summary>
    public CheckpointStore(string directory, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Directory.CreateDirectory(directory);
        DirectoryPath = Path.GetFullPath(directory);
        FilePath = Path.Combine(DirectoryPath, Sanitize(name) + ".checkpoint");
    }

    /// <summary>Gets the full path of the checkpoint file.</summary>
    public string FilePath { get; }

    private string DirectoryPath { get; }

    /// <summary>Writes <paramref name="checkpoint"/> durably, replacing the previous one only once the new one is complete.</summary>
    public void Save(Checkpoint checkpoint)
    {
        byte[] bytes = Serialize(checkpoint);
        string temp = FilePath + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, FilePath, overwrite: true);
        SyncDirectory(DirectoryPath);
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
            if (version != FormatVersion)
            {
                throw new InvalidDataException($"{source} has checkpoint format {version}; this version reads {FormatVersion}.");
            }

            int count = r.ReadInt32();
            var offsets = new Dictionary<(string, int), long>(count);
            for (int i = 0; i < count; i++)
            {
                string topic = r.ReadString();
                int partition = r.ReadInt32();
                offsets[(topic, partition)] = r.ReadInt64();
            }

            int length = r.ReadInt32();
            byte[] state = r.ReadBytes(length);
            if (state.Length != length)
            {
                throw new InvalidDataException($"{source} is truncated.");
            }

            return new Checkpoint(offsets, state);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{source} is truncated.", e);
        }
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

    // A rename is durable only once the directory entry is on disk; .NET has no API for fsync of a directory.
    private static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        int fd = Open(directory, 0 /* O_RDONLY */);
        if (fd >= 0)
        {
            _ = Fsync(fd);
            _ = Close(fd);
        }
    }

#pragma warning disable SYSLIB1054, CA5392 // plain DllImport keeps this project free of unsafe code; libc is resolved by the loader
    [DllImport("libc", EntryPoint = "open", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int Open(string path, int flags);

    [DllImport("libc", EntryPoint = "fsync")]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
#pragma warning restore SYSLIB1054, CA5392
}
