using System.Text;

namespace StreamEntropy.IntegrationTests.Infrastructure;

/// <summary>
/// A <see cref="TextWriter"/> standing in for a pipe: it keeps everything written, and a reader
/// "sees" a line only once the writer flushes after it, which completes <see cref="FirstFlushedLine"/>.
/// </summary>
internal sealed class LineSignallingWriter : TextWriter
{
    private readonly Lock _gate = new();
    private readonly StringBuilder _text = new();
    private readonly TaskCompletionSource<string> _firstFlushedLine = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>Gets a task that completes with the first line (without its newline) at the first flush after it.</summary>
    /// <remarks>Never completes if the writer never flushes: callers bound the wait.</remarks>
    public Task<string> FirstFlushedLine => _firstFlushedLine.Task;

    public override void Write(char value)
    {
        lock (_gate)
        {
            _text.Append(value);
        }
    }

    public override void Flush()
    {
        lock (_gate)
        {
            string text = _text.ToString();
            int newline = text.IndexOf('\n', StringComparison.Ordinal);
            if (newline >= 0)
            {
                _firstFlushedLine.TrySetResult(text[..newline].TrimEnd('\r'));
            }
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Flush();
        return Task.CompletedTask;
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return _text.ToString();
        }
    }
}
