using System.Runtime.CompilerServices;

namespace StreamEntropy.Core.Sketches;

/// <summary>A bottom-k sample of distinct keys with their exact counts: the k numerically smallest hashes seen, each
/// with the number of times it occurred (distinct sampling, Gibbons 2001; KMV, Bar-Yossef et al. 2002).</summary>
/// <remarks>
/// <para>Since the keys are hashes, the sample is a uniform random sample of the distinct values, decided by the value
/// itself. The admission threshold (the largest sampled key once full) only decreases, so a key in the sample has been
/// in it since its first occurrence and its count is exact; an evicted key can never come back.</para>
/// <para>It also estimates the number of distinct keys D: exactly while fewer than k were seen, else (k − 1)/U where U
/// is the k-th smallest hash as a fraction of 2⁶⁴ (relative standard error about 1/√(k − 2)). That estimate is
/// probabilistic; nothing certified depends on it.</para>
/// <para>Mergeable without loss: a key among the k smallest of a union is among the k smallest of every part it occurs
/// in, so its merged count is the exact sum. Deletions are not supported. 28–36 bytes per entry.</para>
/// </remarks>
internal sealed class DistinctSample
{
    private readonly ulong[] _keys;
    private readonly long[] _counts;
    private readonly int[] _heap;      // max-heap of entry ids ordered by key
    private readonly KeyIndex _index;
    private int _size;
    private ulong _threshold = ulong.MaxValue; // keys above it are not sampled

    public DistinctSample(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        _keys = new ulong[capacity];
        _counts = new long[capacity];
        _heap = new int[capacity];
        _index = new KeyIndex(_keys);
    }

    public int Capacity => _keys.Length;

    public int Count => _size;

    /// <summary>Gets whether every distinct key seen is in the sample.</summary>
    public bool IsComplete => _size < _keys.Length;

    public ReadOnlySpan<ulong> Keys => _keys.AsSpan(0, _size);

    public ReadOnlySpan<long> Counts => _counts.AsSpan(0, _size);

    public long EstimatedBytes => BytesFor(Capacity);

    /// <summary>The bytes held by a sample of <paramref name="capacity"/> entries: key and count (8 each) and heap slot (4)
    /// per entry, the index, and array and object headers.</summary>
    public static long BytesFor(int capacity) => (3 * 24) + (20L * capacity) + KeyIndex.BytesFor(capacity) + 64;

    /// <summary>Estimates the number of distinct keys D (exact while <see cref="IsComplete"/>).</summary>
    public double DistinctEstimate =>
        IsComplete ? _size : (_keys.Length - 1) / ((_threshold + 1.0) / 18446744073709551616.0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(ulong key)
    {
        if (key > _threshold)
        {
            return; // the common case once full: one comparison
        }

        int id = _index.Find(key);
        if (id >= 0)
        {
            _counts[id]++;
            return;
        }

        AddNew(key, 1);
    }

    /// <summary>Adds <paramref name="count"/> occurrences of <paramref name="key"/> at once.</summary>
    public void Add(ulong key, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (key > _threshold)
        {
            return;
        }

        int id = _index.Find(key);
        if (id >= 0)
        {
            _counts[id] += count;
            return;
        }

        AddNew(key, count);
    }

    public void Merge(DistinctSample other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (int j = 0; j < other._size; j++)
        {
            ulong key = other._keys[j];
            if (key > _threshold)
            {
                continue;
            }

            int id = _index.Find(key);
            if (id >= 0)
            {
                _counts[id] += other._counts[j];
            }
            else
            {
                AddNew(key, other._counts[j]);
            }
        }
    }

    public void Clear()
    {
        _index.Clear();
        _size = 0;
        _threshold = ulong.MaxValue;
    }

    /// <summary>Writes the sampled keys and counts in id order and the heap layout.</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(_size);
        for (int id = 0; id < _size; id++)
        {
            writer.Write(_keys[id]);
            writer.Write(_counts[id]);
        }

        HeapLayout.Write(writer, _heap.AsSpan(0, _size));
    }

    /// <summary>Replaces the contents with a sample written by <see cref="Write"/>, checking every invariant.</summary>
    /// <exception cref="InvalidDataException">The data breaks an invariant (the sample is left empty).</exception>
    public void Read(BinaryReader reader)
    {
        Clear();
        int size = reader.ReadInt32();
        if (size < 0 || size > Capacity)
        {
            throw Corrupt($"size {size} is out of range (capacity {Capacity})");
        }

        for (int id = 0; id < size; id++)
        {
            ulong key = reader.ReadUInt64();
            long count = reader.ReadInt64();
            if (count < 1 || _index.Find(key) >= 0)
            {
                Clear();
                throw Corrupt($"entry {id} has count {count} or repeats a key");
            }

            _keys[id] = key;
            _counts[id] = count;
            _index.Insert(id);
            _size = id + 1; // so that a failure below clears what was inserted
        }

        ulong[] keys = _keys;
        if (HeapLayout.Read(reader, _heap.AsSpan(0, size), (parent, child) => keys[parent] >= keys[child]) is { } problem)
        {
            Clear();
            throw Corrupt(problem);
        }

        _threshold = size == Capacity ? _keys[_heap[0]] : ulong.MaxValue;
    }

    private static InvalidDataException Corrupt(string what) => new($"The distinct sample is corrupt: {what}.");

    private void AddNew(ulong key, long count)
    {
        if (_size < _keys.Length)
        {
            int id = _size++;
            _keys[id] = key;
            _counts[id] = count;
            _heap[id] = id;
            _index.Insert(id);
            SiftUp(id);
            if (_size == _keys.Length)
            {
                _threshold = _keys[_heap[0]];
            }

            return;
        }

        // Full and key < threshold: it replaces the largest sampled key, which leaves for good.
        int top = _heap[0];
        _index.Remove(_keys[top]);
        _keys[top] = key;
        _counts[top] = count;
        _index.Insert(top);
        SiftDown(0);
        _threshold = _keys[_heap[0]];
    }

    private void SiftDown(int position)
    {
        int id = _heap[position];
        ulong value = _keys[id];
        while (true)
        {
            int child = (2 * position) + 1;
            if (child >= _size)
            {
                break;
            }

            int right = child + 1;
            if (right < _size && _keys[_heap[right]] > _keys[_heap[child]])
            {
                child = right;
            }

            int childId = _heap[child];
            if (_keys[childId] <= value)
            {
                break;
            }

            _heap[position] = childId;
            position = child;
        }

        _heap[position] = id;
    }

    private void SiftUp(int position)
    {
        int id = _heap[position];
        ulong value = _keys[id];
        while (position > 0)
        {
            int parent = (position - 1) / 2;
            int parentId = _heap[parent];
            if (_keys[parentId] >= value)
            {
                break;
            }

            _heap[position] = parentId;
            position = parent;
        }

        _heap[position] = id;
    }
}
