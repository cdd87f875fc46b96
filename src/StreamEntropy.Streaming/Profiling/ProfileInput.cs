namespace StreamEntropy.Streaming.Profiling;

/// <summary>The input of <c>profile</c> or <c>compare</c>: a regular file, read as often as needed, or a pipe, FIFO,
/// terminal or standard input (<c>-</c>), read exactly once.</summary>
/// <remarks>
/// <para>Telling the format, reading a CSV header and counting are separate passes. A regular file is simply opened
/// again for each. A stream that cannot seek is opened once: the bytes that format detection and the header pass
/// look at are kept (<see cref="ReplayStream"/>) and handed back first to the counting pass, which reads the rest.</para>
/// <para>Only discovering the fields of JSON Lines (no <c>--field</c>) needs the whole input twice; from a pipe the
/// input is then copied to a temporary file, deleted when this object is disposed.</para>
/// </remarks>
public sealed class ProfileInput : IDisposable
{
    private string? _path; // a seekable file, opened anew for each pass
    private Stream? _pipe; // the one stream of a non-seekable input
    private byte[] _kept = new byte[4096]; // bytes read ahead from _pipe, replayed by the counting pass
    private int _keptLength;
    private bool _pipeHandedOut;
    private string? _spoolPath;
    private bool _disposed;

    private ProfileInput(string name, string? path, Stream? pipe, long? length)
    {
        Name = name;
        _path = path;
        _pipe = pipe;
        Length = length;
    }

    /// <summary>Gets the name errors use: the path as given, or <c>stdin</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the size in bytes of a regular file; null for a stream.</summary>
    public long? Length { get; private set; }

    /// <summary>Gets whether the input can be read more than once (a regular file, or a stream copied to one).</summary>
    public bool IsSeekable => _path is not null;

    /// <summary>Opens a path for reading: <c>-</c> is standard input.</summary>
    /// <exception cref="InputDataException">The path does not exist, is a directory or cannot be read.</exception>
    public static ProfileInput Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path == "-")
        {
            return new ProfileInput("stdin", null, Console.OpenStandardInput(), null);
        }

        if (Directory.Exists(path))
        {
            throw new InputDataException($"{path}: is a directory, not a file.");
        }

        if (!File.Exists(path))
        {
            throw new InputDataException($"{path}: no such file.");
        }

        FileStream stream = OpenFile(path, path);
        if (stream.CanSeek)
        {
            long length = stream.Length;
            stream.Dispose();
            return new ProfileInput(path, path, null, length);
        }

        // A FIFO, a pipe such as /dev/stdin or <(…), a character device: it can be read once only.
        return new ProfileInput(path, null, stream, null);
    }

    /// <summary>Opens a stream over the whole input for a counting pass. A non-seekable input gives its one stream
    /// (with any bytes looked at before), once.</summary>
    internal Stream OpenRead()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_path is not null)
        {
            return OpenFile(_path, Name);
        }

        if (_pipeHandedOut)
        {
            throw new InvalidOperationException($"{Name} can be read once only.");
        }

        _pipeHandedOut = true;
        return new ReplayStream(this, recording: false);
    }

    /// <summary>Opens a stream over the input for a look at its start (format, CSV header): from a pipe, every byte it
    /// reads is kept and given again by <see cref="OpenRead"/>.</summary>
    internal Stream OpenPeek()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _path is not null ? OpenFile(_path, Name) : new ReplayStream(this, recording: true);
    }

    /// <summary>Copies a non-seekable input to a temporary file (deleted on dispose), so it can be read more than once.</summary>
    internal void MakeSeekable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_path is not null)
        {
            return;
        }

        string spool = Path.Combine(Path.GetTempPath(), $"stream-entropy-{Environment.ProcessId}-{Guid.NewGuid():N}.input");
        try
        {
            using (var target = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (Stream source = OpenRead())
            {
                source.CopyTo(target, 1 << 16);
                Length = target.Length;
            }
        }
        catch (IOException e)
        {
            File.Delete(spool);
            throw new InputDataException($"{Name}: cannot copy the input to a temporary file: {e.Message}", e);
        }

        _spoolPath = spool;
        _path = spool;
        _pipe?.Dispose();
        _pipe = null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _pipe?.Dispose();
        if (_spoolPath is not null)
        {
            try
            {
                File.Delete(_spoolPath);
            }
            catch (IOException)
            {
                // A temporary file left behind is harmless.
            }
        }
    }

    private static FileStream OpenFile(string path, string name)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputDataException($"{name}: cannot read: {e.Message}", e);
        }
    }

    private int ReadPipe(Span<byte> destination)
    {
        try
        {
            return _pipe!.Read(destination);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputDataException($"{Name}: cannot read: {e.Message}", e);
        }
    }

    /// <summary>Reads a non-seekable input: first the kept bytes, then the pipe; a recording stream keeps what it reads
    /// from the pipe, so that a later pass sees it again.</summary>
    private sealed class ReplayStream(ProfileInput owner, bool recording) : Stream
    {
        private int _position; // into owner._kept

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position < owner._keptLength)
            {
                int n = Math.Min(buffer.Length, owner._keptLength - _position);
                owner._kept.AsSpan(_position, n).CopyTo(buffer);
                _position += n;
                if (!recording && _position == owner._keptLength)
                {
                    owner._kept = []; // replayed: no longer needed
                    owner._keptLength = 0;
                    _position = int.MaxValue;
                }

                return n;
            }

            if (!recording)
            {
                return owner.ReadPipe(buffer);
            }

            int read = owner.ReadPipe(buffer);
            if (owner._keptLength + read > owner._kept.Length)
            {
                Array.Resize(ref owner._kept, Math.Max(owner._kept.Length * 2, owner._keptLength + read));
            }

            buffer[..read].CopyTo(owner._kept.AsSpan(owner._keptLength));
            owner._keptLength += read;
            _position = owner._keptLength;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
