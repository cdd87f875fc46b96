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

    private const int NotMatched = -1; // left out on purpose: no rule takes it
    private const int Refused = -2;    // a rule would take it but may not: its values are counted as dropped

    private readonly EventSchema _schema;
    private readonly JsonLeafScanner _scanner = new(DiscoveryRule.MaxPathBytes);
    private readonly ValueInterner _paths = new();
    private int[] _fate = new int[64]; // by path id: the field index, NotMatched or Refused
    private readonly HashSet<DiscoveryOutcome> _noted = [];

    public FieldDiscovery(EventSchema schema) => _schema = schema;

    /// <summary>Gets how many leaf values were not counted because their path was refused.</summary>
    public long Dropped { get; private set; }

    /// <summary>Gets the scanner holding the last event's leaves.</summary>
    public JsonLeafScanner Leaves => _scanner;

    /// <summary>Lists the leaves of an accepted event; false if it cannot be read (then nothing is discovered in it).</summary>
    /// <param name="utf8Json">The event.</param>
    /// <param name="notices">Receives a notice the first time a path is too long.</param>
    public bool Scan(ReadOnlySpan<byte> utf8Json, List<DiscoveryNotice> notices)
    {
        if (!_scanner.Scan(utf8Json))
        {
            return false;
        }

        if (_scanner.LongPaths > 0)
        {
            Dropped += _scanner.LongPaths;
            Note(string.Empty, DiscoveryOutcome.TooLong, notices);
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
            if (known == Refused)
            {
                Dropped++;
            }

            return Math.Max(known, -1);
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

        int fate = outcome switch
        {
            DiscoveryOutcome.Added => field,
            DiscoveryOutcome.NotMatched => NotMatched,
            _ => Refused,
        };
        if (fate >= 0 || _paths.Count < MaxRememberedPaths)
        {
            Remember(path, fate);
        }

        return Math.Max(fate, -1);
    }

    /// <summary>Takes <paramref name="path"/> as a field again (restoring a saved state), in the order it was found.</summary>
    /// <returns>The field's index; −1 when no rule takes it now.</returns>
    public int Rediscover(string path)
    {
        if (_schema.TryDiscover(path, out int field) != DiscoveryOutcome.Added)
        {
            return -1;
        }

        Remember(Encoding.UTF8.GetBytes(path), field);
        return field;
    }

    private void Note(string path, DiscoveryOutcome outcome, List<DiscoveryNotice> notices)
    {
        if (_noted.Add(outcome))
        {
            notices.Add(new DiscoveryNotice(path, outcome));
        }
    }

    private void Remember(ReadOnlySpan<byte> path, int fate)
    {
        int id = _paths.GetOrAdd(path);
        if (id >= _fate.Length)
        {
            Array.Resize(ref _fate, _fate.Length * 2);
        }

        _fate[id] = fate;
    }
}
