using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Unicode;

namespace StreamEntropy.Streaming.Decoding;

/// <summary>
/// Reads RFC 4180 CSV (UTF-8, comma-separated or with another one-byte delimiter, first line a header)
/// from a stream, one record at a time, without allocating per record.
/// </summary>
/// <remarks>
/// <para>
/// Records end with <c>\n</c> or <c>\r\n</c>; a quoted field may contain commas, <c>""</c> (a quote)
/// and line breaks. A UTF-8 byte order mark at the start is skipped, the final line break is
/// optional and one empty line at the very end is ignored. Every record must have as many fields as
/// the header; an empty line elsewhere is therefore an error, unless the header has exactly one
/// column (then it is one empty value). A quote inside an unquoted field, text after a closing
/// quote and an unterminated quoted field are errors, as is invalid UTF-8.
/// </para>
/// <para>
/// The reader keeps one buffer (64 KiB, doubled when a single record needs more, up to
/// <see cref="MaxRecordBytes"/>: a longer record throws <see cref="LineTooLongException"/>), so memory
/// does not grow with the number of records. The header's column names must be distinct. After a <see cref="CsvFormatException"/> for a wrong field count
/// or invalid UTF-8 the reader has skipped that record and can go on; after a quoting error it is
/// faulted and every later <see cref="ReadRecord"/> throws the same error.
/// </para>
/// </remarks>
public sealed class CsvReader : IDisposable
{
    /// <summary>The longest record read (16 MiB): a longer one throws <see cref="LineTooLongException"/>.</summary>
    public const int MaxRecordBytes = 16 * 1024 * 1024;

    private const int InitialBufferBytes = 64 * 1024;
    private const byte Quote = (byte)'"';
    private const byte Comma = (byte)',';

    // The delimiters that detection chooses from, in order of preference when the header has as many of each.
    private static readonly byte[] DetectableDelimiters = [Comma, (byte)';', (byte)'\t', (byte)'|'];
    private const byte LineFeed = (byte)'\n';
    private const byte CarriageReturn = (byte)'\r';

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly int _maxRecordBytes;
    private readonly int _columns; // > 0: no header line; every record has this many fields
    private byte _delimiter;
    private SearchValues<byte> _stops = null!; // delimiter, line feed, quote
    private byte[] _buffer;
    private long _bufferOffset; // the stream offset of _buffer[0]
    private int _validatedTo; // _buffer[.._validatedTo] is known to be valid UTF-8 (whole lines)
    private int _checkEachRecordTo; // invalid UTF-8 lies before this: validate record by record up to here
    private int _start;
    private int _end;
    private bool _endOfStream;
    private long _nextLine = 1;

    // Field i of the current record: _fieldStart[i] >= 0 is an offset into _buffer; a negative value
    // is ~offset into _unescaped (quoted fields that contained "").
    private int[] _fieldStart = new int[16];
    private int[] _fieldLength = new int[16];
    private int _fieldCount;
    private byte[] _unescaped = new byte[256];
    private int _unescapedUsed;

    private ExceptionDispatchInfo? _fault;
    private bool _disposed;

    /// <summary>Creates a reader and reads the header line.</summary>
    /// <param name="stream">The CSV input, UTF-8 encoded.</param>
    /// <param name="leaveOpen">Whether to leave <paramref name="stream"/> open when the reader is disposed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="CsvFormatException">The input is empty or its header line is malformed.</exception>
    public CsvReader(Stream stream, bool leaveOpen = false)
        : this(stream, leaveOpen, InitialBufferBytes)
    {
    }

    /// <summary>Creates a reader with a given delimiter, or one detected from the header line, and reads the header line.</summary>
    /// <param name="stream">The CSV input, UTF-8 encoded.</param>
    /// <param name="delimiter">The field delimiter (an ASCII character other than a quote or a line break), or null to
    /// take from the header line whichever of <c>,</c> <c>;</c> tab <c>|</c> it holds most of outside quotes (a comma
    /// when it holds none).</param>
    /// <param name="leaveOpen">Whether to leave <paramref name="stream"/> open when the reader is disposed.</param>
    /// <exception cref="ArgumentException"><paramref name="delimiter"/> cannot delimit fields.</exception>
    /// <exception cref="CsvFormatException">The input is empty or its header line is malformed.</exception>
    public CsvReader(Stream stream, byte? delimiter, bool leaveOpen = false)
        : this(stream, leaveOpen, InitialBufferBytes, delimiter)
    {
    }

    // Tests use a tiny initial buffer to exercise refills and growth at every position, and a small record limit.
    // With columns > 0 the reader starts at streamOffset in the middle of a file, on a record boundary, with no header
    // (a part of a file counted in parallel): line numbers then count from startLine.
    internal CsvReader(
        Stream stream,
        bool leaveOpen,
        int initialBufferBytes,
        byte? delimiter = Comma,
        int maxRecordBytes = MaxRecordBytes,
        int columns = 0,
        long streamOffset = 0,
        long startLine = 1)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialBufferBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecordBytes);
        if (delimiter is byte d && !IsValidDelimiter(d))
        {
            throw new ArgumentException($"A CSV delimiter must be an ASCII character other than a quote or a line break, not 0x{d:X2}.", nameof(delimiter));
        }

        _buffer = new byte[Math.Min(initialBufferBytes, Math.Max(maxRecordBytes, 16))];
        _stream = stream;
        _leaveOpen = leaveOpen;
        _maxRecordBytes = maxRecordBytes;
        _columns = columns;
        _bufferOffset = streamOffset;
        _nextLine = startLine;
        if (delimiter is byte known)
        {
            SetDelimiter(known);
        }

        try
        {
            if (columns > 0)
            {
                Header = new string[columns];
                return;
            }

            if (delimiter is null)
            {
                SetDelimiter(DetectDelimiter());
            }

            Header = ReadHeader();
        }
        catch
        {
            // The caller never gets the reader to dispose it.
            Dispose();
            throw;
        }
    }

    /// <summary>Gets the column names from the first line.</summary>
    public IReadOnlyList<string> Header { get; } = [];

    /// <summary>Gets the field delimiter in use (given, or detected from the header line).</summary>
    public byte Delimiter => _delimiter;

    /// <summary>Gets the stream offset at which the next record starts (after the one just read).</summary>
    internal long NextRecordOffset => _bufferOffset + _start;

    /// <summary>Gets the 1-based physical line on which the next record starts.</summary>
    internal long NextLine => _nextLine;

    /// <summary>Gets whether <paramref name="delimiter"/> can delimit CSV fields: ASCII, not a quote, CR or LF.</summary>
    public static bool IsValidDelimiter(byte delimiter) =>
        delimiter is > 0 and < 0x80 and not (Quote or LineFeed or CarriageReturn);

    /// <summary>Gets the 1-based physical line on which the current record (initially the header) starts.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Gets the number of fields of the current record; equal to the header's after a successful <see cref="ReadRecord"/>.</summary>
    public int FieldCount => _fieldCount;

    /// <summary>Advances to the next record.</summary>
    /// <returns><see langword="false"/> at the end of the input.</returns>
    /// <exception cref="CsvFormatException">The record is malformed; the message and <see cref="CsvFormatException.LineNumber"/> name the line.</exception>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    public bool ReadRecord()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _fault?.Throw();
        if (!ReadNextRecord())
        {
            _fieldCount = 0;
            return false;
        }

        if (_fieldCount != Header.Count)
        {
            int found = _fieldCount;
            _fieldCount = 0;
            string reason = found == 1 && _fieldLength[0] == 0 && _fieldStart[0] >= 0
                ? $"expected {Header.Count} fields, found an empty line"
                : $"expected {Header.Count} fields, found {found}";
            throw new CsvFormatException(LineNumber, reason);
        }

        return true;
    }

    /// <summary>Gets the text of a field of the current record.</summary>
    /// <param name="index">The 0-based column.</param>
    /// <returns>The cell's UTF-8 text as written, without enclosing quotes and with <c>""</c> as <c>"</c>; valid until the next <see cref="ReadRecord"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="FieldCount"/>.</exception>
    public ReadOnlySpan<byte> GetField(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _fieldCount);
        int start = _fieldStart[index];
        return start >= 0
            ? _buffer.AsSpan(start, _fieldLength[index])
            : _unescaped.AsSpan(~start, _fieldLength[index]);
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

    private string[] ReadHeader()
    {
        // Skip a UTF-8 byte order mark.
        while (_end < 3 && !_endOfStream)
        {
            Fill();
        }

        if (_buffer.AsSpan(0, _end).StartsWith("\uFEFF"u8))
        {
            _start = 3;
        }

        if (!ReadNextRecord())
        {
            throw new CsvFormatException(1, "the input is empty; expected a header line");
        }

        var header = new string[_fieldCount];
        var seen = new Dictionary<string, int>(_fieldCount, StringComparer.Ordinal);
        for (int i = 0; i < header.Length; i++)
        {
            header[i] = Encoding.UTF8.GetString(GetField(i));
            if (!seen.TryAdd(header[i], i))
            {
                // A field is chosen by its column's name: two columns of one name would make that choice arbitrary.
                throw new CsvFormatException(LineNumber, $"the column name '{header[i]}' occurs twice (columns {seen[header[i]] + 1} and {i + 1})");
            }
        }

        return header;
    }

    private void SetDelimiter(byte delimiter)
    {
        _delimiter = delimiter;
        _stops = SearchValues.Create(delimiter, LineFeed, Quote);
    }

    // Picks the delimiter from the first line (read into the buffer, up to the record limit): the candidate that occurs
    // most often outside quotes, a comma on a tie or when none occurs.
    private byte DetectDelimiter()
    {
        while (true)
        {
            int newline = _buffer.AsSpan(0, _end).IndexOf(LineFeed);
            if (newline >= 0 || _endOfStream)
            {
                ReadOnlySpan<byte> line = newline >= 0 ? _buffer.AsSpan(0, newline) : _buffer.AsSpan(0, _end);
                Span<int> counts = stackalloc int[DetectableDelimiters.Length];
                bool quoted = false;
                foreach (byte b in line)
                {
                    if (b == Quote)
                    {
                        quoted = !quoted;
                    }
                    else if (!quoted)
                    {
                        int candidate = Array.IndexOf(DetectableDelimiters, b);
                        if (candidate >= 0)
                        {
                            counts[candidate]++;
                        }
                    }
                }

                int best = 0;
                for (int i = 1; i < counts.Length; i++)
                {
                    best = counts[i] > counts[best] ? i : best;
                }

                return DetectableDelimiters[best];
            }

            Fill();
        }
    }

    // Parses the next record into the field arrays, refilling the buffer as needed; false at the end.
    private bool ReadNextRecord()
    {
        while (true)
        {
            ParseResult result = TryParseRecord(out int recordEnd, out int lineBreaks);
            switch (result)
            {
                case ParseResult.EndOfData:
                    return false;
                case ParseResult.NeedMoreData:
                    Fill();
                    continue;
            }

            LineNumber = _nextLine;
            int recordStart = _start;
            _start = recordEnd;
            _nextLine += lineBreaks;

            // ASCII delimiters cannot split a multi-byte sequence, so the raw record is valid UTF-8
            // exactly when every cell is.
            if (recordEnd > _validatedTo && !IsValidUtf8(recordStart, recordEnd))
            {
                _fieldCount = 0;
                throw InvalidUtf8(_buffer.AsSpan(recordStart, recordEnd - recordStart));
            }

            return true;
        }
    }

    // Validates the record [start, end) — in practice every whole line buffered from start on, in one vectorised pass,
    // so that short records do not pay a call each. Where that finds invalid bytes, records up to the last line end
    // checked are validated one at a time instead, so the error names the right record.
    private bool IsValidUtf8(int start, int end)
    {
        if (end > _checkEachRecordTo)
        {
            int lastLineEnd = _buffer.AsSpan(start, _end - start).LastIndexOf(LineFeed) + start + 1;
            if (lastLineEnd >= end)
            {
                if (Utf8.IsValid(_buffer.AsSpan(start, lastLineEnd - start)))
                {
                    _validatedTo = lastLineEnd;
                    return true;
                }

                _checkEachRecordTo = lastLineEnd;
            }
        }

        return Utf8.IsValid(_buffer.AsSpan(start, end - start));
    }

    private CsvFormatException InvalidUtf8(ReadOnlySpan<byte> record)
    {
        int position = 0;
        while (Rune.DecodeFromUtf8(record[position..], out _, out int consumed) == System.Buffers.OperationStatus.Done)
        {
            position += consumed;
        }

        ReadOnlySpan<byte> before = record[..position];
        int column = before.Count(_delimiter) + 1; // approximate when a quoted field before it holds delimiters
        long line = LineNumber + before.Count(LineFeed);
        return new CsvFormatException(line, $"invalid UTF-8 near column {column}");
    }

    // Reads at least one more byte into the buffer, or notes the end of the stream. Reads until the
    // buffer is full so that a record that spans refills is re-parsed O(log length) times, not once
    // per (possibly tiny) chunk the stream returns.
    private void Fill()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _bufferOffset += _start;
            _validatedTo = Math.Max(_validatedTo - _start, 0);
            _checkEachRecordTo = Math.Max(_checkEachRecordTo - _start, 0);
            _start = 0;
        }

        if (_end >= _maxRecordBytes)
        {
            // The buffer holds one unfinished record (or header line) of at least the limit.
            throw FaultTooLong();
        }

        if (_end > _buffer.Length / 2)
        {
            Array.Resize(ref _buffer, (int)Math.Min(_buffer.Length * 2L, _maxRecordBytes + 2L));
        }

        while (_end < _buffer.Length)
        {
            int read = _stream.Read(_buffer.AsSpan(_end));
            if (read == 0)
            {
                _endOfStream = true;
                return;
            }

            _end += read;
        }
    }

    // Parses the record at _start. NeedMoreData is never returned once the stream has ended.
    // Restartable: it writes only the field arrays and _unescaped, never the buffer.
    private ParseResult TryParseRecord(out int recordEnd, out int lineBreaks)
    {
        ReadOnlySpan<byte> data = _buffer.AsSpan(0, _end);
        bool isFinal = _endOfStream;
        int pos = _start;
        recordEnd = 0;
        lineBreaks = 0;
        _fieldCount = 0;
        _unescapedUsed = 0;

        ReadOnlySpan<byte> rest = data[pos..];
        if (rest.IsEmpty || (rest.Length <= 2 && (rest.SequenceEqual("\n"u8) || rest.SequenceEqual("\r\n"u8) || rest.SequenceEqual("\r"u8))))
        {
            // Nothing, or one empty line, before the end: is it the last line? Then it is ignored.
            return !isFinal ? ParseResult.NeedMoreData : ParseResult.EndOfData;
        }

        while (true)
        {
            if (pos < _end && data[pos] == Quote)
            {
                int contentStart = pos + 1;
                int scan = contentStart;
                bool hasEscapedQuotes = false;
                int closingQuote;
                while (true)
                {
                    int found = data[scan..].IndexOf(Quote);
                    if (found < 0)
                    {
                        if (isFinal)
                        {
                            throw Fault(_nextLine + lineBreaks, "unterminated quoted field");
                        }

                        return ParseResult.NeedMoreData;
                    }

                    int quote = scan + found;
                    if (quote + 1 == _end && !isFinal)
                    {
                        return ParseResult.NeedMoreData; // is it "" or the closing quote?
                    }

                    if (quote + 1 < _end && data[quote + 1] == Quote)
                    {
                        hasEscapedQuotes = true;
                        scan = quote + 2;
                        continue;
                    }

                    closingQuote = quote;
                    break;
                }

                ReadOnlySpan<byte> content = data[contentStart..closingQuote];
                long fieldLine = _nextLine + lineBreaks;
                lineBreaks += content.Count(LineFeed);
                if (hasEscapedQuotes)
                {
                    AddUnescapedField(content);
                }
                else
                {
                    AddField(contentStart, content.Length);
                }

                pos = closingQuote + 1;
                if (pos == _end)
                {
                    recordEnd = pos; // isFinal holds here, see above
                    return ParseResult.Complete;
                }

                byte after = data[pos];
                if (after == _delimiter)
                {
                    pos++;
                    continue;
                }

                switch (after)
                {
                    case LineFeed:
                        recordEnd = pos + 1;
                        lineBreaks++;
                        return ParseResult.Complete;
                    case CarriageReturn when pos + 1 == _end:
                        if (!isFinal)
                        {
                            return ParseResult.NeedMoreData;
                        }

                        recordEnd = _end;
                        return ParseResult.Complete;
                    case CarriageReturn when data[pos + 1] == LineFeed:
                        recordEnd = pos + 2;
                        lineBreaks++;
                        return ParseResult.Complete;
                    default:
                        throw Fault(_nextLine + lineBreaks, $"unexpected character after the closing quote of the field that starts on line {fieldLine}");
                }
            }

            int delimiter = IndexOfStop(data, pos);
            if (delimiter < 0)
            {
                if (!isFinal)
                {
                    return ParseResult.NeedMoreData;
                }

                // The last record has no line break.
                int length = _end - pos;
                if (length > 0 && data[_end - 1] == CarriageReturn)
                {
                    length--;
                }

                AddField(pos, length);
                recordEnd = _end;
                return ParseResult.Complete;
            }

            int at = pos + delimiter;
            byte stop = data[at];
            if (stop == _delimiter)
            {
                AddField(pos, at - pos);
                pos = at + 1;
                continue;
            }

            switch (stop)
            {
                case LineFeed:
                    int end = at > pos && data[at - 1] == CarriageReturn ? at - 1 : at;
                    AddField(pos, end - pos);
                    recordEnd = at + 1;
                    lineBreaks++;
                    return ParseResult.Complete;
                default:
                    throw Fault(_nextLine + lineBreaks, "quote inside an unquoted field (quote the whole field and double the quote)");
            }
        }
    }

    // The offset from pos of the first delimiter, line feed or quote in data, or −1: data[pos..].IndexOfAny(_stops).
    // Most cells are a few bytes long, shorter than what a call to the search costs to set up: one 16-byte vector
    // compare inline settles them, and only a cell longer than that goes on with the search.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int IndexOfStop(ReadOnlySpan<byte> data, int pos)
    {
        if (!Vector128.IsHardwareAccelerated || pos > data.Length - Vector128<byte>.Count)
        {
            return data[pos..].IndexOfAny(_stops);
        }

        Vector128<byte> v = Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(data), (nuint)(uint)pos);
        Vector128<byte> stops = Vector128.Equals(v, Vector128.Create(_delimiter))
            | Vector128.Equals(v, Vector128.Create(LineFeed))
            | Vector128.Equals(v, Vector128.Create(Quote));
        uint mask = stops.ExtractMostSignificantBits();
        if (mask != 0)
        {
            return BitOperations.TrailingZeroCount(mask);
        }

        int rest = data[(pos + Vector128<byte>.Count)..].IndexOfAny(_stops);
        return rest < 0 ? -1 : rest + Vector128<byte>.Count;
    }

    private void AddField(int start, int length)
    {
        EnsureFieldCapacity();
        _fieldStart[_fieldCount] = start;
        _fieldLength[_fieldCount] = length;
        _fieldCount++;
    }

    private void AddUnescapedField(ReadOnlySpan<byte> content)
    {
        EnsureFieldCapacity();
        if (_unescapedUsed + content.Length > _unescaped.Length)
        {
            Array.Resize(ref _unescaped, Math.Max(_unescapedUsed + content.Length, _unescaped.Length * 2));
        }

        // Copy runs between "" pairs, keeping one quote of each pair.
        Span<byte> destination = _unescaped.AsSpan(_unescapedUsed);
        int written = 0;
        while (true)
        {
            int quote = content.IndexOf(Quote);
            if (quote < 0)
            {
                content.CopyTo(destination[written..]);
                written += content.Length;
                break;
            }

            content[..(quote + 1)].CopyTo(destination[written..]);
            written += quote + 1;
            content = content[(quote + 2)..];
        }

        _fieldStart[_fieldCount] = ~_unescapedUsed;
        _fieldLength[_fieldCount] = written;
        _fieldCount++;
        _unescapedUsed += written;
    }

    private void EnsureFieldCapacity()
    {
        if (_fieldCount == _fieldStart.Length)
        {
            Array.Resize(ref _fieldStart, _fieldStart.Length * 2);
            Array.Resize(ref _fieldLength, _fieldLength.Length * 2);
        }
    }

    private LineTooLongException FaultTooLong()
    {
        _fieldCount = 0;
        var exception = new LineTooLongException(_nextLine, _maxRecordBytes);
        _fault = ExceptionDispatchInfo.Capture(exception);
        return exception;
    }

    // Quoting errors leave no reliable place to resume, so the reader stays faulted.
    private CsvFormatException Fault(long line, string reason)
    {
        _fieldCount = 0;
        var exception = new CsvFormatException(line, reason);
        _fault = ExceptionDispatchInfo.Capture(exception);
        return exception;
    }

    private enum ParseResult
    {
        Complete,
        NeedMoreData,
        EndOfData,
    }
}
