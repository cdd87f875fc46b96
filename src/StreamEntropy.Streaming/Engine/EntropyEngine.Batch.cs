using System.Runtime.CompilerServices;
using StreamEntropy.Core.Counting;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Engine;

// The batch path: ProcessMany, the same as Process per event, in runs.
public sealed partial class EntropyEngine
{
    private readonly bool _dropsLate; // some window drops late events (tumbling, sliding)

    /// <summary>Gets or sets the distinct values (or pairs) from which a field's (or pair's) values of a run are interned
    /// in one prefetched group; below, the table is small enough to stay in the cache, and interning each value as it is
    /// decoded costs less than setting values aside and gathering them. Either way gives the same ids (tests vary it).</summary>
    internal int GroupInternAt { get; set; } = 4096;

    private BatchBuffers? _batch;

    /// <summary>Decodes and counts several events, in order: exactly what one <see cref="Process"/> per event does
    /// (the same ids, counts, totals, watermark, closed windows and saved state, to the last bit), faster.</summary>
    /// <param name="events">The events' bytes; event i is <c>events[starts[i] .. starts[i] + lengths[i]]</c>, a UTF-8
    /// JSON object (an empty event is rejected, as by <see cref="Process"/>).</param>
    /// <param name="starts">Where each event starts in <paramref name="events"/>.</param>
    /// <param name="lengths">Each event's length.</param>
    /// <param name="timestampsMs">Each event's time in Unix milliseconds.</param>
    /// <param name="results">Gets each event's result, as <see cref="Process"/> returns it.</param>
    /// <param name="errorDetails">Empty, or gets each rejected event's <see cref="LastErrorDetail"/> (entries of
    /// accepted events are left as they are).</param>
    /// <remarks>
    /// <para>Events are decoded one by one and counted in runs (up to <see cref="BatchBuffers.Rows"/> events): the
    /// values of a field with many distinct values (see <see cref="GroupInternAt"/>) are copied aside and interned
    /// together per run, smaller fields' as each event is decoded, and each table counts the run's ids together, so
    /// that with 10⁵–10⁶ distinct values the cache misses of a run overlap instead of following one another. A run ends before an event that moves the watermark to where a window closes, moves
    /// or starts: that event's values are interned, then the windows move (seeing every earlier event counted, as
    /// with <see cref="Process"/>), then it is counted with the next run.</para>
    /// <para>With discovery rules every event takes <see cref="Process"/> (fields found in an event must exist before
    /// its values are counted). See "The batch path" in the Streaming README.</para>
    /// </remarks>
    /// <exception cref="ArgumentException">The spans do not have one entry per event.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ProcessMany(ReadOnlySpan<byte> events, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths, ReadOnlySpan<long> timestampsMs, Span<DecodeError> results, Span<string?> errorDetails = default)
    {
        int n = starts.Length;
        if (lengths.Length != n || timestampsMs.Length != n || results.Length < n || (!errorDetails.IsEmpty && errorDetails.Length < n))
        {
            throw new ArgumentException("starts, lengths, timestamps, results (and error details, if given) need one entry per event.", nameof(starts));
        }

        if (_discovery is not null)
        {
            for (int i = 0; i < n; i++)
            {
                results[i] = Process(events.Slice(starts[i], lengths[i]), timestampsMs[i]);
                if (results[i] != DecodeError.None && !errorDetails.IsEmpty)
                {
                    errorDetails[i] = _decoder.LastErrorDetail;
                }
            }

            return;
        }

        BatchBuffers batch = _batch ??= new BatchBuffers();
        batch.Prepare(Schema.Fields.Count, Schema.Pairs.Count);
        batch.ClearWaiting(); // nothing waits between calls, even after one that threw
        for (int f = 0; f < batch.Fields; f++)
        {
            batch.Deferred[f] = _encoder.InternsMany(f) && _encoder.Values[f].Count >= GroupInternAt;
            batch.Direct[f] = !batch.Deferred[f] && _encoder.InternsMany(f) && !_encoder.NeedsHash(f) ? _encoder.Values[f] : null;
        }

        JsonEventDecoder decoder = _decoder;
        long nextAdvance = NextAdvanceMs();
        int rows = 0;
        for (int i = 0; i < n; i++)
        {
            DecodeError error = decoder.Decode(events.Slice(starts[i], lengths[i]));
            results[i] = error;
            if (error != DecodeError.None)
            {
                Rejected++;
                if (!errorDetails.IsEmpty)
                {
                    errorDetails[i] = decoder.LastErrorDetail;
                }

                continue;
            }

            long t = EventTime.Clamp(timestampsMs[i]);
            bool advances = t > _watermark && (t >= nextAdvance || _watermark == NoWatermark);
            if (advances || rows == BatchBuffers.Rows)
            {
                CountRun(batch, rows);
                rows = 0;
            }

            batch.Times[rows] = t;
            TakeValues(batch, decoder, rows);
            rows++;
            if (advances)
            {
                // As in Process: the event's values are interned before the windows move, and it is counted after.
                InternWaiting(batch);
                MoveWatermark(t);
                nextAdvance = NextAdvanceMs();
            }
            else if (t > _watermark)
            {
                _watermark = t; // no window changes below nextAdvance: Advance would do nothing
            }
        }

        CountRun(batch, rows);
    }

    private long NextAdvanceMs()
    {
        long next = long.MaxValue;
        foreach (EntropyWindow window in _windows)
        {
            next = Math.Min(next, window.NextAdvanceMs);
        }

        return next;
    }

    // Interns the decoded event's values of small fields now, as Process does, and copies those of large ones aside (the
    // decoder reuses its buffer) to be interned with the run's; sets the ids of the values it lacks.
    // Part of the batch path: compiled fully optimized at its first call (see "Per-event path and tiering" in the
    // Streaming README).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void TakeValues(BatchBuffers batch, JsonEventDecoder decoder, int row)
    {
        int[] slots = _slots;
        int[] ids = batch.Ids;
        int width = batch.Fields;
        for (int f = 0; f < slots.Length; f++)
        {
            int slot = slots[f];
            if (slot < 0)
            {
                continue; // a tuple: composed below from its components
            }

            if (decoder.TryGetValue(slot, out ReadOnlySpan<byte> text))
            {
                Take(batch, f, row, text);
            }
            else
            {
                ids[(row * width) + f] = EventEncoder.Missing;
                _missingTotals[f]++;
            }
        }

        if (_tuples is { } tuples)
        {
            var texts = new DecodedFieldTexts(decoder, _slots);
            foreach (int t in tuples.Tuples)
            {
                int status = tuples.Compose(t, texts, out ReadOnlySpan<byte> value);
                if (status == TupleComposer.Composed)
                {
                    Take(batch, t, row, value);
                    continue;
                }

                ids[(row * width) + t] = status;
                if (status == EventEncoder.Missing)
                {
                    _missingTotals[t]++;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Take(BatchBuffers batch, int field, int row, ReadOnlySpan<byte> text)
    {
        if (batch.Deferred[field])
        {
            batch.Add(field, row, text);
        }
        else if (batch.Direct[field] is { } interner)
        {
            // What Encode does for such a field, without its checks of the field's kind.
            int at = (row * batch.Fields) + field;
            batch.Ids[at] = interner.GetOrAdd(text);
            batch.Hashes[at] = 0;
        }
        else
        {
            int at = (row * batch.Fields) + field;
            batch.Ids[at] = _encoder.Encode(field, text, out batch.Hashes[at]);
        }
    }

    // Interns the waiting values field by field (a field's ids depend only on the order of its own values).
    // Part of the batch path: compiled fully optimized at its first call (see "Per-event path and tiering" in the
    // Streaming README).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void InternWaiting(BatchBuffers batch)
    {
        int width = batch.Fields;
        int[] ids = batch.Ids;
        ulong[] hashes = batch.Hashes;
        bool budgets = Schema.HasBudgets;
        ReadOnlySpan<byte> arena = batch.Arena;
        for (int f = 0; f < width; f++)
        {
            int k = batch.Waiting[f];
            if (k == 0)
            {
                continue;
            }

            Span<int> groupIds = batch.GroupIds.AsSpan(0, k);
            Span<ulong> groupHashes = budgets ? batch.GroupHashes.AsSpan(0, k) : default;
            _encoder.EncodeMany(f, arena, batch.Starts[f].AsSpan(0, k), batch.Lengths[f].AsSpan(0, k), groupIds, groupHashes);
            int[] rowsOf = batch.RowsOf[f];
            for (int j = 0; j < k; j++)
            {
                int at = (rowsOf[j] * width) + f;
                ids[at] = groupIds[j];
                if (budgets)
                {
                    hashes[at] = groupHashes[j];
                }
            }
        }

        batch.ClearWaiting();
    }

    // Counts events 0 .. rows − 1 of the batch in every window; no window moves among them.
    // Part of the batch path: compiled fully optimized at its first call (see "Per-event path and tiering" in the
    // Streaming README).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CountRun(BatchBuffers batch, int rows)
    {
        if (rows == 0)
        {
            return;
        }

        InternWaiting(batch);
        InternPairs(batch, rows);
        int fields = batch.Fields;
        int pairs = batch.Pairs;
        var run = new EncodedEvents(
            batch.Ids.AsSpan(0, rows * fields),
            Schema.HasBudgets ? batch.Hashes.AsSpan(0, rows * fields) : default,
            batch.PairIds.AsSpan(0, rows * pairs),
            batch.Times.AsSpan(0, rows),
            fields,
            pairs);
        foreach (EntropyWindow window in _windows)
        {
            window.AddMany(run);
        }

        Processed += rows;
    }

    // Interns the pairs of the run once for every window, in event order, of the events some window counts (an event
    // every window drops as late interns nothing, as with Process), so that the windows count pair ids.
    // Part of the batch path: compiled fully optimized at its first call (see "Per-event path and tiering" in the
    // Streaming README).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void InternPairs(BatchBuffers batch, int rows)
    {
        int pairs = batch.Pairs;
        if (pairs == 0)
        {
            return;
        }

        bool[] counted = batch.Counted;
        for (int r = 0; r < rows && _dropsLate; r++)
        {
            bool any = false;
            foreach (EntropyWindow window in _windows)
            {
                if (window.Accepts(batch.Times[r]))
                {
                    any = true;
                    break;
                }
            }

            counted[r] = any;
        }

        if (!_dropsLate)
        {
            Array.Fill(counted, true, 0, rows);
        }

        const int Group = 64;
        int width = batch.Fields;
        int[] ids = batch.Ids;
        int[] pairIds = batch.PairIds;
        int[] xs = batch.Xs;
        int[] ys = batch.Ys;
        int[] rowsOf = batch.RowsOf[0]; // free once the values are interned
        Span<int> groupIds = batch.GroupIds;
        EventSchema schema = Schema;
        for (int p = 0; p < pairs; p++)
        {
            (int xf, int yf) = schema.PairIndexes(p);
            bool bounded = schema.IsBoundedPair(p);
            PairInterner interner = _encoder.Pairs[p];
            if (interner.Count < GroupInternAt)
            {
                // Small: in the cache anyway; each pair as Process would intern it.
                for (int r = 0; r < rows; r++)
                {
                    int x = ids[(r * width) + xf];
                    int y = ids[(r * width) + yf];
                    pairIds[(r * pairs) + p] = !bounded && counted[r] && (x | y) >= 0 ? interner.GetOrAdd(x, y) : -1;
                }

                continue;
            }

            int k = 0;
            for (int r = 0; r < rows; r++)
            {
                int x = ids[(r * width) + xf];
                int y = ids[(r * width) + yf];
                pairIds[(r * pairs) + p] = -1;
                if (!bounded && counted[r] && (x | y) >= 0)
                {
                    xs[k] = x;
                    ys[k] = y;
                    rowsOf[k++] = r;
                }
            }

            for (int from = 0; from < k; from += Group)
            {
                int m = Math.Min(Group, k - from);
                interner.GetOrAddMany(xs.AsSpan(from, m), ys.AsSpan(from, m), groupIds[..m]);
                for (int j = 0; j < m; j++)
                {
                    pairIds[(rowsOf[from + j] * pairs) + p] = groupIds[j];
                }
            }
        }
    }
}
