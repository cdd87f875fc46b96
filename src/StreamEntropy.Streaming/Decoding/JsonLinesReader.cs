namespace StreamEntropy.Streaming.Decoding;

/// <summary>
/// Reads a JSON-Lines stream one line at a time as UTF-8 bytes, without allocating per line; each
/// line is meant for <see cref="JsonEventDecoder.Decode"/>.
/// </summary>
/// <remarks>
/// Lines end with <c>\n</c>; a <c>\r</c> before it is stripped, a UTF-8 byte order mark at the start is
/// skipped, and lines that are empty or hold only spaces and tabs are skipped (their numbers still
/// count). The last line needs no line break. The reader keeps one buffer (64 KiB, doubled when a
/// single line needs more); the bytes are not validated here.
/// </remarks>
public sealed class JsonLinesReader : IDisposable
{
    private const int InitialBufferBytes = 64 * 1024;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private int _scanned; // bytes after _start already known to hold no '\n'
    private bool _endOfStream;
    private bool _atStart = true;
    private long _nextLine = 1;
    private int _lineStart;
    private int _lineLength;
    private bool _disposed;

    /// <summary>Creates a reader over <paramref name="stream"/>.</summary>
    /// <param name="stream">The JSON-Lines input, UTF-8 encoded.</param>
    /// <param name="leaveOpen">Whether to leave <paramref name="stream"/> open when the reader is disposed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    public JsonLinesReader(Stream stream, bool leaveOpen = false)
        : this(stream, leaveOpen, InitialBufferBytes)
    {
    }

    // Tests use a tiny initial buffer to exercise refills and growth at every position.
    internal JsonLinesReader(Stream stream, bool leaveOpen, int initialBufferBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialBufferBytes);
        _buffer = new byte[initialBufferBytes];
        _stream = stream;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Gets the 1-based physical line number of <see cref="Line"/>; 0 before the first line.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Gets the current line without its line break; valid until the next <see cref="ReadLine"/>.</summary>
    public ReadOnlySpan<byte> Line => _buffer.AsSpan(_lineStart, _lineLength);

    /// <summary>Advances to the next non-blank line.</summary>
    /// <returns><see langword="false"/> at the end of the input.</returns>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    public bool ReadLine()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (true)
        {
            if (!TryTakeLine(out int lineStart, out int lineLength))
            {
                _lineLength = 0;
                return false;
            }

            long lineNumber = _nextLine++;
            ReadOnlySpan<byte> line = _buffer.AsSpan(lineStart, lineLength);
            if (line.IndexOfAnyExcept(" \t"u8) >= 0)
            {
                _lineStart = lineStart;
                _lineLength = lineLength;
                LineNumber = lineNumber;
                return true;
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    // Takes the next physical line out of the buffer (without "\n" or "\r\n"); false at the end.
    private bool TryTakeLine(out int lineStart, out int lineLength)
    {
        while (true)
        {
            if (_atStart && (_end - _start >= 3 || _endOfStream))
            {
                _atStart = false;
                if (_buffer.AsSpan(_start, _end - _start).StartsWith("\uFEFF"u8))
                {
                    _start += 3;
                }
            }

            if (!_atStart)
            {
                int newline = _buffer.AsSpan(_start + _scanned, _end - _start - _scanned).IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    lineStart = _start;
                    lineLength = _scanned + newline;
                    _start += lineLength + 1;
                    _scanned = 0;
                    StripCarriageReturn(lineStart, ref lineLength);
                    return true;
                }

                _scanned = _end - _start;
                if (_endOfStream)
                {
                    // The last line has no line break, or there is nothing left.
                    lineStart = _start;
                    lineLength = _end - _start;
                    _start = _end;
                    _scanned = 0;
                    if (lineLength == 0)
                    {
                        return false;
                    }

                    StripCarriageReturn(lineStart, ref lineLength);
                    return true;
                }
            }

            Fill();
        }
    }

    private void StripCarriageReturn(int lineStart, ref int lineLength)
    {
        if (lineLength > 0 && _buffer[lineStart + lineLength - 1] == (byte)'\r')
        {
            lineLength--;
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, checked(_buffer.Length * 2));
        }

        int read = _stream.Read(_buffer.AsSpan(_end));
        if (read == 0)
        {
            _endOfStream = true;
        }

        _end += read;
    }
}
