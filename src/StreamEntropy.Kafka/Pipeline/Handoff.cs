using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace StreamEntropy.Kafka.Pipeline;

/// <summary>The bounded, ordered hand-off from the consume thread to the counting thread: batches of consumed records,
/// and actions that must run on the counting thread after every record handed off before them (rebalances, the stop).</summary>
/// <remarks>
/// <para>The consume thread fills <see cref="Filling"/> and hands it off with <see cref="Send"/>, which waits while
/// <c>capacity</c> batches are queued: memory stays bounded (at most capacity + 2 batches exist, each of at most its
/// event count and, beyond its byte limit, one more record) and a slow counter slows the polling, never the reverse.
/// <see cref="Invoke{T}"/> hands off what is being filled, queues an action behind it and waits for the counting thread
/// to run it: the counting thread owns the engines, so whatever touches them from a rebalance callback goes this way.</para>
/// <para>The counting thread takes with <see cref="Take"/> (which runs queued actions itself) and gives batches back
/// with <see cref="Return"/>. The consume thread resets the batches given back before each poll
/// (<see cref="ResetReturned"/>), and any it takes up again (<see cref="Send"/>), so the librdkafka messages a batch
/// holds are destroyed on the thread that polled them, soon after they are counted. An exception that ends the counting thread is passed to <see cref="Fail"/> and rethrown
/// on the consume thread at its next <see cref="ThrowIfFaulted"/>, <see cref="Send"/> or <see cref="Invoke{T}"/>.</para>
/// </remarks>
internal sealed class Handoff : IDisposable
{
    private readonly object _gate = new(); // Monitor.Wait/Pulse: both sides wait on it
    private readonly Queue<object> _queue = new(); // HandoffBatch or Action, in the order handed off
    private readonly Stack<HandoffBatch> _free = new();
    private readonly List<HandoffBatch> _all = [];
    private readonly int _capacity;
    private readonly int _maxEvents;
    private readonly int _maxBytes;
    private int _queuedBatches;
    private bool _completed;
    private bool _aborted;
    private bool _senderWaiting;
    private long _senderWaitTicks;
    private long _firstSent;
    private long _lastReturned;
    private bool _returnedUnreset; // a batch was given back since the consume thread last reset the free ones
    private readonly List<HandoffBatch> _resetting = []; // consume thread only (ResetReturned)
    private volatile ExceptionDispatchInfo? _fault;

    /// <param name="capacity">The number of batches queued at most; <see cref="Send"/> waits beyond.</param>
    /// <param name="maxEvents">The records per batch.</param>
    /// <param name="maxBytes">The key and value bytes per batch (a larger record still fits in its own).</param>
    public Handoff(int capacity, int maxEvents, int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _maxEvents = maxEvents;
        _maxBytes = maxBytes;
        Filling = NewBatch();
    }

    /// <summary>Gets the batch the consume thread is filling (consume thread only).</summary>
    public HandoffBatch Filling { get; private set; }

    /// <summary>Gets how many times <see cref="Send"/> found the queue full and waited (back-pressure; for tests and logs).</summary>
    public long SenderWaits { get; private set; }

    /// <summary>Gets how many batches were handed off.</summary>
    public long BatchesSent { get; private set; }

    /// <summary>Gets how many records were handed off.</summary>
    public long RecordsSent { get; private set; }

    /// <summary>Gets how long the consume thread waited for room in the queue in all (the counting thread was the slower).</summary>
    public TimeSpan SenderWaitTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _senderWaitTicks));

    /// <summary>Gets the time from the first hand-off to the last batch given back (zero before).</summary>
    public TimeSpan ActiveTime
    {
        get
        {
            lock (_gate)
            {
                return _firstSent == 0 || _lastReturned < _firstSent ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_firstSent, _lastReturned);
            }
        }
    }

    /// <summary>Gets a value indicating whether the consume thread is waiting for room in the queue now.</summary>
    public bool SenderWaiting
    {
        get => Volatile.Read(ref _senderWaiting);
        private set => Volatile.Write(ref _senderWaiting, value);
    }

    /// <summary>Hands <see cref="Filling"/> off if it holds a record, waiting while the queue is full (consume thread).</summary>
    public void Send()
    {
        if (Filling.Count == 0)
        {
            return;
        }

        HandoffBatch next;
        lock (_gate)
        {
            if (_queuedBatches >= _capacity)
            {
                SenderWaits++;
                SenderWaiting = true;
                long waitedFrom = Stopwatch.GetTimestamp();
                while (_queuedBatches >= _capacity && _fault is null && !_aborted)
                {
                    Monitor.Wait(_gate);
                }

                Interlocked.Add(ref _senderWaitTicks, Stopwatch.GetTimestamp() - waitedFrom);
                SenderWaiting = false;
            }

            ThrowIfFaulted();
            ObjectDisposedException.ThrowIf(_aborted || _completed, this);
            _queue.Enqueue(Filling);
            _queuedBatches++;
            BatchesSent++;
            if (_firstSent == 0)
            {
                _firstSent = Stopwatch.GetTimestamp();
            }

            RecordsSent += Filling.Count;
            Monitor.PulseAll(_gate);
            next = _free.Count > 0 ? _free.Pop() : NewBatch();
        }

        next.Reset(); // outside the lock: destroys the messages of its last use
        Filling = next;
    }

    /// <summary>Hands off what is being filled, then runs <paramref name="action"/> on the counting thread once it has
    /// counted every record handed off before, and waits for it (consume thread).</summary>
    /// <returns>What the action returned.</returns>
    /// <exception cref="ObjectDisposedException">The counting thread was stopped: the action did not run.</exception>
    /// <remarks>An exception of the action is rethrown here and leaves the counting thread running.</remarks>
    public T Invoke<T>(Func<T> action)
    {
        Send();
        T result = default!;
        ExceptionDispatchInfo? error = null;
        bool done = false;
        void Run()
        {
            try
            {
                result = action();
            }
            catch (Exception e)
            {
                error = ExceptionDispatchInfo.Capture(e);
            }

            lock (_gate)
            {
                done = true;
                Monitor.PulseAll(_gate);
            }
        }

        lock (_gate)
        {
            ThrowIfFaulted();
            ObjectDisposedException.ThrowIf(_aborted || _completed, this);
            _queue.Enqueue((Action)Run);
            Monitor.PulseAll(_gate);
            while (!done && _fault is null && !_aborted)
            {
                Monitor.Wait(_gate);
            }

            if (!done)
            {
                ThrowIfFaulted();
                throw new ObjectDisposedException(nameof(Handoff));
            }
        }

        error?.Throw();
        return result;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for a batch, running the actions queued before it (counting thread).</summary>
    /// <param name="timeout">How long to wait for something to do.</param>
    /// <param name="batch">The next batch; null when the wait ended without one (timed out, or actions ran).</param>
    /// <returns>False once the hand-off is complete and empty, or aborted: the counting thread ends.</returns>
    public bool Take(TimeSpan timeout, out HandoffBatch? batch)
    {
        batch = null;
        while (true)
        {
            Action? action;
            lock (_gate)
            {
                if (_queue.Count == 0 && !_completed && !_aborted)
                {
                    Monitor.Wait(_gate, timeout);
                }

                if (_aborted || (_queue.Count == 0 && _completed))
                {
                    return false;
                }

                if (!_queue.TryDequeue(out object? item))
                {
                    return true; // timed out: time for the periodic work
                }

                if (item is HandoffBatch b)
                {
                    _queuedBatches--;
                    Monitor.PulseAll(_gate); // room for the sender
                    batch = b;
                    return true;
                }

                action = (Action)item;
            }

            action(); // outside the lock: the action may take long (a final checkpoint)
            timeout = TimeSpan.Zero; // then see at once whether more was handed off
        }
    }

    /// <summary>Gives a counted batch back for reuse (counting thread); the consume thread resets it when it takes it up.</summary>
    public void Return(HandoffBatch batch)
    {
        lock (_gate)
        {
            _free.Push(batch);
            _returnedUnreset = true;
            _lastReturned = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>Resets the batches given back and not yet taken up again (consume thread, before each poll): the
    /// librdkafka messages they hold, and the fetch buffers those keep alive, go as soon as they are counted.</summary>
    public void ResetReturned()
    {
        lock (_gate)
        {
            if (!_returnedUnreset)
            {
                return;
            }

            _returnedUnreset = false;
            _resetting.AddRange(_free);
        }

        foreach (HandoffBatch batch in _resetting)
        {
            batch.Reset(); // outside the lock: only the consume thread takes batches from _free, so none is in use
        }

        _resetting.Clear();
    }

    /// <summary>Records the exception that ended the counting thread; the consume thread rethrows it.</summary>
    public void Fail(Exception error)
    {
        lock (_gate)
        {
            _fault ??= ExceptionDispatchInfo.Capture(error);
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Gets a value indicating whether the counting thread ended with an exception.</summary>
    public bool Faulted => _fault is not null;

    /// <summary>Rethrows, on the consume thread, the exception that ended the counting thread, if any.</summary>
    public void ThrowIfFaulted() => _fault?.Throw();

    /// <summary>Hands off what is being filled and lets the counting thread end once it has counted everything handed off.</summary>
    public void Complete()
    {
        if (_fault is null && !_aborted)
        {
            Send();
        }

        lock (_gate)
        {
            _completed = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Ends the counting thread at once, without counting what is still queued (a crash, or a failure of the
    /// consume thread); waiting senders and callers of <see cref="Invoke{T}"/> give up.</summary>
    public void Abort()
    {
        lock (_gate)
        {
            _aborted = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Destroys the librdkafka messages the batches hold and returns their arenas to the pool (once both
    /// threads are done with them, and before the consumer the messages came from is destroyed); a second call does
    /// nothing.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (HandoffBatch batch in _all)
            {
                batch.Dispose();
            }

            _all.Clear();
            _free.Clear();
            _queue.Clear();
        }
    }

    private HandoffBatch NewBatch()
    {
        var batch = new HandoffBatch(_maxEvents, _maxBytes);
        _all.Add(batch);
        return batch;
    }
}
