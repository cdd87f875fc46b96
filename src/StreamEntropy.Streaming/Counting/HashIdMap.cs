using System.Runtime.CompilerServices;

namespace StreamEntropy.Streaming.Counting;

/// <summary>Dense ids 0, 1, 2, … for 64-bit value hashes, in order of first sight, up to a fixed number of keys.</summary>
/// <remarks>Open addressing with linear probing on the low bits of the key (the keys are <c>StableHash64</c> outputs,
/// already well mixed), load factor at most ½. Starts small and doubles, so a field with few values stays small.
/// Single writer.</remarks>
internal sealed class HashIdMap
{
    private const int InitialSlots = 64;

    private readonly int _limit;
    private ulong[] _slotKeys = new ulong[InitialSlots];
    private int[] _slotIds = new int[InitialSlots]; // id + 1; 0 marks an empty slot
    private ulong[] _keys = new ulong[InitialSlots / 2]; // by id
    private int _count;

    /// <summary>Creates an empty map that holds at most <paramref name="limit"/> keys.</summary>
    public HashIdMap(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        _limit = limit;
    }

    /// <summary>Gets the number of keys.</summary>
    public int Count => _count;

    /// <summary>Gets the keys by id.</summary>
    public ReadOnlySpan<ulong> Keys => _keys.AsSpan(0, _count);

    /// <summary>Forgets every key, keeping the allocated room.</summary>
    public void Clear()
    {
        Array.Clear(_slotIds);
        _count = 0;
    }

    /// <summary>Returns the id of <paramref name="key"/>, adding it if new; −1 when it is new and the map is full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetOrAdd(ulong key)
    {
        ulong[] slotKeys = _slotKeys;
        int[] slotIds = _slotIds;
        int mask = slotIds.Length - 1;
        int slot = (int)key & mask;
        while (true)
        {
            int id = slotIds[slot];
            if (id == 0)
            {
                break;
            }

            if (slotKeys[slot] == key)
            {
                return id - 1;
            }

            slot = (slot + 1) & mask;
        }

        return Add(key, slot);
    }

    private int Add(ulong key, int slot)
    {
        if (_count == _limit)
        {
            return -1;
        }

        int id = _count++;
        if (id == _keys.Length)
        {
            Array.Resize(ref _keys, _keys.Length * 2);
        }

        _keys[id] = key;
        if (_count * 2 > _slotIds.Length)
        {
            Rehash(_slotIds.Length * 2);
        }
        else
        {
            _slotKeys[slot] = key;
            _slotIds[slot] = id + 1;
        }

        return id;
    }

    private void Rehash(int slots)
    {
        var slotKeys = new ulong[slots];
        var slotIds = new int[slots];
        int mask = slots - 1;
        for (int id = 0; id < _count; id++)
        {
            ulong key = _keys[id];
            int slot = (int)key & mask;
            while (slotIds[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            slotKeys[slot] = key;
            slotIds[slot] = id + 1;
        }

        _slotKeys = slotKeys;
        _slotIds = slotIds;
    }
}
