using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace StreamEntropy.Core.Sketches;

/// <summary>SpaceSaving heavy hitters (Metwally, Agrawal and El Abbadi 2005) over 64-bit keys, with deterministic per-key
/// count intervals and the mergeable extension of Agarwal et al. (2012).</summary>
/// <remarks>
/// <para>Invariants (deterministic, checked by brute force in the tests), with n(v) the true count of key v:</para>
/// <list type="bullet">
/// <item>each tracked key i has <c>Counts[i] − Errors[i] ≤ n(i) ≤ Counts[i]</c>;</item>
/// <item>each untracked key has <c>n(v) ≤ UntrackedBound</c>, and <c>UntrackedBound ≤ min Counts</c>;</item>
/// <item><see cref="Total"/> is the exact number of additions; while <see cref="UntrackedBound"/> is 0 every count is exact.</item>
/// </list>
/// <para>Update: a tracked key's count and its lower bound both grow by one. A new key, when full, takes over a counter
/// with the minimum count c: it gets count c + 1 and error c (its earlier occurrences, if any, were untracked and so
/// at most UntrackedBound ≤ c), and the evicted key, now untracked, had at most c, so UntrackedBound becomes c.</para>
/// <para>Storage: a min-heap of counter ids by count (an increment sifts down, which is O(1) for the heavy keys that
/// sit at the leaves) and a <see cref="KeyIndex"/>; 40–48 bytes per counter. No allocation after construction except in
/// <see cref="Merge"/>. Deletions are not supported: SpaceSaving's bounds do not survive a decrement.</para>
/// </remarks>
internal sealed class SpaceSavingCounters
{
    private readonly ulong[] _keys;
    private readonly long[] _counts;
    private readonly long[] _errors;
    private readonly int[] _heap;      // min-heap of counter ids ordered by _counts
    private readonly int[] _heapIndex; // counter id → its position in _heap
    private readonly KeyIndex _index;
    private int _size;
    private long _total;
    private long _untrackedBound;

    public SpaceSavingCounters(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _keys = new ulong[capacity];
        _counts = new long[capacity];
        _errors = new long[capacity];
        _heap = new int[capacity];
        _heapIndex = new int[capacity];
        _index = new KeyIndex(_keys);
    }

    public int Capacity => _keys.Length;

    /// <summary>Gets the number of tracked keys.</summary>
    public int Count => _size;

    /// <summary>Gets the exact number of additions N.</summary>
    public long Total => _total;

    /// <summary>Gets m: every untracked key has a true count of at most m (0 while nothing was ever evicted).</summary>
    public long UntrackedBound => _untrackedBound;

    public ReadOnlySpan<ulong> Keys => _keys.AsSpan(0, _size);

    /// <summary>Gets the upper bounds c of the tracked keys' counts.</summary>
    public ReadOnlySpan<long> Counts => _counts.AsSpan(0, _size);

    /// <summary>Gets the errors e: the lower bounds are c − e.</summary>
    public ReadOnlySpan<long> Errors => _errors.AsSpan(0, _size);

    public long EstimatedBytes => BytesFor(Capacity);

    /// <summary>The bytes held by a summary of <paramref name="capacity"/> counters: key, count and error (8 each), heap
    /// slot and heap position (4 each) per counter, the index, and array and object headers.</summary>
    public static long BytesFor(int capacity) => (5 * 24) + (32L * capacity) + KeyIndex.BytesFor(capacity) + 96;

    /// <summary>Returns the id of a tracked key, or −1.</summary>
    public int Find(ulong key) => _index.Find(key);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(ulong key)
    {
        _total++;
        int id = _index.Find(key);
        if (id >= 0)
        {
            _counts[id]++;
            SiftDown(_heapIndex[id]);
            return;
        }

        AddNew(key, 1);
    }

    /// <summary>Adds <paramref name="count"/> occurrences of <paramref name="key"/> at once (weighted SpaceSaving).</summary>
    /// <remarks>The invariants hold as for <paramref name="count"/> unit additions in a row: a tracked key's count and
    /// lower bound both grow by <paramref name="count"/>; a new key taking over the minimum counter c gets count
    /// c + <paramref name="count"/> and error c. O(log capacity).</remarks>
    public void Add(ulong key, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        _total += count;
        int id = _index.Find(key);
        if (id >= 0)
        {
            _counts[id] += count;
            SiftDown(_heapIndex[id]);
            return;
        }

        AddNew(key, count);
    }

    /// <summary>Merges <paramref name="other"/> into this summary, keeping this capacity.</summary>
    /// <remarks>
    /// Candidate intervals: a key tracked by both gets [l₁ + l₂, c₁ + c₂]; a key tracked by one only gets its interval
    /// there plus [0, m] of the other summary, whose untracked keys have at most m. The <see cref="Capacity"/> keys with
    /// the largest upper bounds are kept. A key untracked afterwards was either untracked in both (≤ m₁ + m₂) or dropped
    /// (≤ the largest dropped upper bound), so the new m is the larger of the two; every kept upper bound is ≥ both,
    /// which preserves m ≤ min Counts.
    /// </remarks>
    public void Merge(SpaceSavingCounters other)
    {
        ArgumentNullException.ThrowIfNull(other);
        int n = _size + other._size;
        var keys = new ulong[n];
        var uppers = new long[n];
        var lowers = new long[n];
        int count = 0;
        for (int i = 0; i < _size; i++)
        {
            int j = other._index.Find(_keys[i]);
            keys[count] = _keys[i];
            uppers[count] = _counts[i] + (j >= 0 ? other._counts[j] : other._untrackedBound);
            lowers[count] = _counts[i] - _errors[i] + (j >= 0 ? other._counts[j] - other._errors[j] : 0);
            count++;
        }

        for (int j = 0; j < other._size; j++)
        {
            if (_index.Find(other._keys[j]) < 0)
            {
                keys[count] = other._keys[j];
                uppers[count] = other._counts[j] + _untrackedBound;
                lowers[count] = other._counts[j] - other._errors[j];
                count++;
            }
        }

        long untracked = _untrackedBound + other._untrackedBound;
        long total = _total + other._total;
        var order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        if (count > Capacity)
        {
            // Descending by upper bound; ties by key so that the result does not depend on the merge order.
            Array.Sort(order, (x, y) => uppers[x] != uppers[y] ? uppers[y].CompareTo(uppers[x]) : keys[x].CompareTo(keys[y]));
            for (int i = Capacity; i < count; i++)
            {
                untracked = Math.Max(untracked, uppers[order[i]]);
            }

            count = Capacity;
        }

        Clear();
        for (int i = 0; i < count; i++)
        {
            int k = order[i];
            _keys[i] = keys[k];
            _counts[i] = uppers[k];
            _errors[i] = uppers[k] - lowers[k];
            _heap[i] = i;
            _heapIndex[i] = i;
            _index.Insert(i);
        }

        _size = count;
        for (int i = (_size / 2) - 1; i >= 0; i--)
        {
            SiftDown(i);
        }

        _total = total;
        _untrackedBound = untracked;
    }

    public void Clear()
    {
        _index.Clear();
        _size = 0;
        _total = 0;
        _untrackedBound = 0;
    }

    /// <summary>Writes the counters in id order and the heap layout, so that <see cref="Read"/> rebuilds a summary that
    /// behaves bit-for-bit like this one (the heap decides which of several minimum counters is evicted).</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(_size);
        writer.Write(_total);
        writer.Write(_untrackedBound);
        for (int id = 0; id < _size; id++)
        {
            writer.Write(_keys[id]);
            writer.Write(_counts[id]);
            writer.Write(_errors[id]);
        }

        HeapLayout.Write(writer, _heap.AsSpan(0, _size));
    }

    /// <summary>Replaces the contents with counters written by <see cref="Write"/>, checking every invariant.</summary>
    /// <exception cref="InvalidDataException">The data breaks an invariant (the summary is left empty).</exception>
    public void Read(BinaryReader reader)
    {
        Clear();
        int size = reader.ReadInt32();
        long total = reader.ReadInt64();
        long untracked = reader.ReadInt64();
        if (size < 0 || size > Capacity || total < 0 || untracked < 0)
        {
            throw Corrupt($"size {size} (capacity {Capacity}), total {total} or untracked bound {untracked} is out of range");
        }

        long sumLower = 0;
        long sumUpper = 0;
        for (int id = 0; id < size; id++)
        {
            ulong key = reader.ReadUInt64();
            long count = reader.ReadInt64();
            long error = reader.ReadInt64();
            if (count < 1 || error < 0 || error > count || count < untracked)
            {
                throw Corrupt($"counter {id} has count {count} and error {error} (untracked bound {untracked})");
            }

            if (_index.Find(key) >= 0)
            {
                throw Corrupt($"counter {id} repeats a key");
            }

            _keys[id] = key;
            _counts[id] = count;
            _errors[id] = error;
            _index.Insert(id);
            _size = id + 1; // so that a failure below clears what was inserted
            sumLower += count - error;
            sumUpper += count;
        }

        if (sumLower > total || (untracked == 0 && (sumUpper != total || sumLower != total)))
        {
            Clear();
            throw Corrupt($"the counters (lower bounds {sumLower}, upper bounds {sumUpper}) do not fit the total {total}");
        }

        long[] counts = _counts;
        if (HeapLayout.Read(reader, _heap.AsSpan(0, size), (parent, child) => counts[parent] <= counts[child]) is { } problem)
        {
            Clear();
            throw Corrupt(problem);
        }

        for (int i = 0; i < size; i++)
        {
            _heapIndex[_heap[i]] = i;
        }

        _total = total;
        _untrackedBound = untracked;
    }

    private static InvalidDataException Corrupt(string what) => new($"The heavy-hitter counters are corrupt: {what}.");

    private void AddNew(ulong key, long count)
    {
        int id;
        if (_size < _keys.Length)
        {
            id = _size++;
            _keys[id] = key;
            _counts[id] = count;
            _errors[id] = 0;
            _heap[id] = id;
            _heapIndex[id] = id;
            _index.Insert(id);
            SiftUp(id);
            return;
        }

        id = _heap[0];
        long min = _counts[id];
        Debug.Assert(_untrackedBound <= min, "m ≤ min count");
        _index.Remove(_keys[id]);
        _untrackedBound = min;
        _keys[id] = key;
        _errors[id] = min;
        _counts[id] = min + count;
        _index.Insert(id);
        SiftDown(0);
    }

    private void SiftDown(int position)
    {
        int[] heap = _heap;
        long[] counts = _counts;
        int id = heap[position];
        long value = counts[id];
        int size = _size;
        while (true)
        {
            int child = (2 * position) + 1;
            if (child >= size)
            {
                break;
            }

            int right = child + 1;
            if (right < size && counts[heap[right]] < counts[heap[child]])
            {
                child = right;
            }

            int childId = heap[child];
            if (counts[childId] >= value)
            {
                break;
            }

            heap[position] = childId;
            _heapIndex[childId] = position;
            position = child;
        }

        heap[position] = id;
        _heapIndex[id] = position;
    }

    private void SiftUp(int position)
    {
        int id = _heap[position];
        long value = _counts[id];
        while (position > 0)
        {
            int parent = (position - 1) / 2;
            int parentId = _heap[parent];
            if (_counts[parentId] <= value)
            {
                break;
            }

            _heap[position] = parentId;
            _heapIndex[parentId] = position;
            position = parent;
        }

        _heap[position] = id;
        _heapIndex[id] = position;
    }
}
