namespace StreamEntropy.Streaming.Decoding;

/// <summary>
/// Reads a JSON-Lines stream one line at a time as UTF-8 bytes, without allocating per line; each
/// line is meant for <see cref="JsonEventDecoder.Decode"/>.
/// </summary>
/// <remarks>
/// Lines end with <c>\n</c>; a <c>\r</c> before it is stripped, a UTF-8 byte order mark at the start is
/// skipped, and lines that are empty or hold only spaces and tabs are skipped (their numbers still
/// count). The last line needs no line break. The reader keeps one buffer (64 KiB, doubled when a
/// single line needs more, up to <see cref="MaxLineBytes"/>: a longer line throws
/// <see cref="LineTooLongException"/>); the bytes are not validated here.
/// </remarks>
public sealed class JsonLinesReader : IDisposable
{
    /// <summary>The longest line read (16 MiB): a longer one throws <see cref="LineTooLongException"/>.</summary>
    public const int MaxLineBytes = 16 * 1024 * 1024;

    private const int InitialBufferBytes = 64 * 1024;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly int _maxLineBytes;
    private long _bufferOffset; // the stream offset of _buffer[0]
    private LineTooLongException? _fault;
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

    // Tests use a tiny initial buffer to exercise refills and growth at every position, and a small line limit. A
    // reader that starts at streamOffset > 0 (a part of a file counted in parallel) starts on a line boundary, skips no
    // byte order mark and numbers lines from startLine.
    internal JsonLinesReader(
        Stream stream, bool leaveOpen, int initialBufferBytes, int maxLineBytes = MaxLineBytes, long streamOffset = 0, long startLine = 1)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialBufferBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLineBytes);
        _buffer = new byte[Math.Min(initialBufferBytes, Math.Max(maxLineBytes, 16))];
        _stream = stream;
        _leaveOpen = leaveOpen;
        _maxLineBytes = maxLineBytes;
        _bufferOffset = streamOffset;
        _atStart = streamOffset == 0;
        _nextLine = startLine;
    }

    /// <summary>Gets the 1-based physical line number of <see cref="Line"/>; 0 before the first line.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Gets the current line without its line break; valid until the next <see cref="ReadLine()"/>.</summary>
    public ReadOnlySpan<byte> Line => _buffer.AsSpan(_lineStart, _lineLength);

    /// <summary>Advances to the next non-blank line.</summary>
    /// <returns><see langword="false"/> at the end of the input.</returns>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    /// <exception cref="LineTooLongException">The next line is longer than <see cref="MaxLineBytes"/>.</exception>
    public bool ReadLine() => ReadLine(long.MaxValue);

    /// <summary>Gets the stream offset at which the next line starts.</summary>
    internal long NextLineOffset => _bufferOffset + _start;

    /// <summary>Gets the 1-based physical line number of the next line.</summary>
    internal long NextLine => _nextLine;

    /// <summary>Advances to the next non-blank line that starts before stream offset <paramref name="stopAt"/>.</summary>
    internal bool ReadLine(long stopAt)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_fault is not null)
        {
            throw _fault;
        }

        while (true)
        {
            if (NextLineOffset >= stopAt || !TryTakeLine(out int lineStart, out int lineLength))
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
            _bufferOffset += _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_end >= _maxLineBytes)
            {
                // The buffer holds one unfinished line of at least the limit.
                _fault = new LineTooLongException(_nextLine, _maxLineBytes);
                throw _fault;
            }

            Array.Resize(ref _buffer, (int)Math.Min(_buffer.Length * 2L, _maxLineBytes + 2L));
        }

        int read = _stream.Read(_buffer.AsSpan(_end));
        if (read == 0)
        {
            _endOfStream = true;
        }

        _end += read;
    }
}
