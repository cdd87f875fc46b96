using System.Text;
using StreamEntropy.Core.Counting;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Decoding;

namespace StreamEntropy.Streaming.Engine;

/// <summary>Maps the leaves of each event to discovered fields, adding fields to the schema as new paths are taken.</summary>
/// <remarks>
/// <para>Each path's fate is decided once and remembered by its bytes: a field index, or "not counted" (not matched,
/// excluded, refused). Refusals are remembered up to <see cref="MaxRememberedPaths"/> paths, so a producer that sends a
/// new path in every event costs a string per leaf but no memory; fields are always remembered (at most the rules'
/// MaxFields).</para>
/// <para>Leaf values of refused paths (a rule's MaxFields reached, the path too long, its name taken by a configured
/// field) are counted in <see cref="Dropped"/>; the first refusal of each kind is noted once for the log. Single writer.</para>
/// </remarks>
internal sealed class FieldDiscovery
{
    /// <summary>The most refused paths remembered.</summary>
    public const int MaxRememberedPaths = 1 << 16;

    private const int NotCounted = -1;

    private readonly EventSchema _schema;
    private readonly JsonLeafScanner _scanner = new(DiscoveryRule.MaxPathBytes);
    private readonly ValueInterner _paths = new();
    private int[] _fate = new int[64]; // by path id: the field index, or NotCounted
    private bool[] _refused = new bool[64]; // by path id: refused (dropped on every sight) rather than not matched
    private readonly HashSet<DiscoveryOutcome> _noted = [];
    private List<DiscoveryNotice>? _pendingNotes; // noted while scanning, before FieldOf is given a list

    public FieldDiscovery(EventSchema schema) => _schema = schema;

    /// <summary>Gets how many leaf values were not counted because their path was refused.</summary>
    public long Dropped { get; private set; }

    /// <summary>Gets the scanner holding the last event's leaves.</summary>
    public JsonLeafScanner Leaves => _scanner;

    /// <summary>Lists the leaves of an accepted event; false if it cannot be read (then nothing is discovered in it).</summary>
    public bool Scan(ReadOnlySpan<byte> utf8Json)
    {
        if (!_scanner.Scan(utf8Json))
        {
            return false;
        }

        if (_scanner.LongPaths > 0)
        {
            Dropped += _scanner.LongPaths;
            Note(string.Empty, DiscoveryOutcome.TooLong, null);
        }

        return true;
    }

    /// <summary>Gets the field of leaf <paramref name="leaf"/> of the last scan, adding it to the schema if a rule takes
    /// it now; −1 when the leaf is not counted.</summary>
    /// <param name="leaf">The leaf's index in <see cref="Leaves"/>.</param>
    /// <param name="notices">Receives a notice for a field added and for the first refusal of each kind.</param>
    public int FieldOf(int leaf, List<DiscoveryNotice> notices)
    {
        ReadOnlySpan<byte> path = _scanner.Path(leaf);
        if (_paths.TryGetId(path, out int id))
        {
            int known = _fate[id];
            if (known == NotCounted && IsRefusal(id))
            {
                Dropped++;
            }

            return known;
        }

        string name = Encoding.UTF8.GetString(path);
        DiscoveryOutcome outcome = _schema.TryDiscover(name, out int field);
        if (outcome == DiscoveryOutcome.Added)
        {
            notices.Add(new DiscoveryNotice(name, outcome));
        }
        else if (outcome != DiscoveryOutcome.NotMatched)
        {
            Dropped++;
            Note(name, outcome, notices);
        }

        if (outcome == DiscoveryOutcome.Added || _paths.Count < MaxRememberedPaths)
        {
            Remember(path, outcome == DiscoveryOutcome.Added ? field : NotCounted, outcome != DiscoveryOutcome.NotMatched);
        }

        return outcome == DiscoveryOutcome.Added ? field : NotCounted;
    }

    /// <summary>Takes <paramref name="path"/> as a field again (restoring a saved state), in the order it was found.</summary>
    /// <returns>The field's index; −1 when no rule takes it now.</returns>
    public int Rediscover(string path)
    {
        if (_schema.TryDiscover(path, out int field) != DiscoveryOutcome.Added)
        {
            return -1;
        }

        Remember(Encoding.UTF8.GetBytes(path), field, refused: false);
        return field;
    }

    private void Note(string path, DiscoveryOutcome outcome, List<DiscoveryNotice>? notices)
    {
        if (_noted.Add(outcome))
        {
            (notices ?? (_pendingNotes ??= [])).Add(new DiscoveryNotice(path, outcome));
        }
    }

    /// <summary>Moves notes made outside <see cref="FieldOf"/> (a too-long path seen while scanning) to <paramref name="notices"/>.</summary>
    public void TakePendingNotes(List<DiscoveryNotice> notices)
    {
        if (_pendingNotes is { Count: > 0 })
        {
            notices.AddRange(_pendingNotes);
            _pendingNotes.Clear();
        }
    }

    private bool IsRefusal(int id) => _refused[id];

    private void Remember(ReadOnlySpan<byte> path, int fate, bool refused)
    {
        int id = _paths.GetOrAdd(path);
        if (id >= _fate.Length)
        {
            Array.Resize(ref _fate, _fate.Length * 2);
            Array.Resize(ref _refused, _fate.Length);
        }

        _fate[id] = fate;
        _refused[id] = refused && fate == NotCounted;
    }
}
