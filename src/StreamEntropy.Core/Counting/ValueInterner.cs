using System.Text;

namespace StreamEntropy.Core.Counting;

/// <summary>Interns one field's values (UTF-8 text) to dense ids 0, 1, 2, … in order of first sight.</summary>
/// <remarks>A lookup of a known value allocates nothing; a new value is copied once. Ids are never reused, so every
/// <see cref="CountTable"/> of the field (one per window) indexes its counts by the same ids. Single writer.</remarks>
public sealed class ValueInterner
{
    private readonly Dictionary<byte[], int> _ids;
    private readonly Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private readonly List<byte[]> _values = [];

    /// <summary>Creates an empty dictionary.</summary>
    public ValueInterner()
    {
        _ids = new Dictionary<byte[], int>(ByteSequenceComparer.Instance);
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>Gets the number of distinct values interned so far.</summary>
    public int Count => _values.Count;

    /// <summary>Returns the id of <paramref name="value"/>, adding it if it is new.</summary>
    public int GetOrAdd(ReadOnlySpan<byte> value)
    {
        if (_lookup.TryGetValue(value, out int id))
        {
            return id;
        }

        byte[] copy = value.ToArray();
        id = _values.Count;
        _ids.Add(copy, id);
        _values.Add(copy);
        return id;
    }

    /// <summary>Returns the id of <paramref name="value"/>, adding it if it is new.</summary>
    public int GetOrAdd(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return GetOrAdd(Encoding.UTF8.GetBytes(value));
    }

    /// <summary>Looks a value up without adding it.</summary>
    public bool TryGetId(ReadOnlySpan<byte> value, out int id) => _lookup.TryGetValue(value, out id);

    /// <summary>Gets the UTF-8 text of the value with id <paramref name="id"/>.</summary>
    public ReadOnlySpan<byte> GetValue(int id) => _values[id];

    /// <summary>Gets the value with id <paramref name="id"/> as a string (allocates; not for hot paths).</summary>
    public string GetString(int id) => Encoding.UTF8.GetString(_values[id]);
}
