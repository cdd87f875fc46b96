using System.Runtime.InteropServices;

namespace StreamEntropy.Streaming.State;

/// <summary>Replaces files so that a crash leaves either the previous file or the new one whole: the bytes go to a
/// temporary file next to it, which is flushed to disk, renamed over the file, and then the directory is flushed too.</summary>
/// <remarks>A rename is durable only once the directory entry is on disk, hence the last step (on Linux; .NET has no
/// API for it). A crash before the rename leaves <c>path.tmp</c> beside the previous file; the next write replaces it.</remarks>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> with what <paramref name="write"/> writes to the stream it is given.</summary>
    /// <param name="path">The file to replace (or create); its directory must exist.</param>
    /// <param name="write">Writes the whole content; the stream is flushed and closed afterwards.</param>
    /// <param name="beforeRename">For crash tests: run once the temporary file is durable, before it replaces the file.</param>
    /// <exception cref="IOException">Writing failed; the previous file stands.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory or file may not be written; the previous file stands.</exception>
    public static void Write(string path, Action<Stream> write, Action? beforeRename = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            write(stream);
            stream.Flush(flushToDisk: true);
        }

        beforeRename?.Invoke();
        File.Move(temporary, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Flushes the entries of <paramref name="directory"/> to disk; false when it could not be opened or
    /// flushed, or on systems other than Linux (nothing to do there).</summary>
    internal static bool SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        int fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            return false;
        }

        bool synced = Fsync(fd) == 0;
        _ = Close(fd);
        return synced;
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
