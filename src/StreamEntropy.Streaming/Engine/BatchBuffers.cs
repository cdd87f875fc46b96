using StreamEntropy.Core.Counting;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.Streaming.Engine;

/// <summary>The reused buffers of <see cref="EntropyEngine.ProcessMany"/>: the events of one run (at most
/// <see cref="Rows"/>) with their ids, hashes, pair ids and times, and each field's values waiting to be interned.</summary>
/// <remarks>A decoded value lives in the decoder's buffer only until the next decode, so the values of a run are copied
/// into one arena (a few bytes each) and interned field by field when the run is counted. Allocation-free once the
/// longest run of values has been seen.</remarks>
internal sealed class BatchBuffers
{
    /// <summary>The most events counted as one run: a field's values of a run are interned in one prefetched group,
    /// whose slots (12 bytes each) stay in the first-level cache between the passes.</summary>
    public const int Rows = 256;

    private byte[] _arena = new byte[Rows * 16];

    /// <summary>Gets the number of fields per event.</summary>
    public int Fields { get; private set; } = -1;

    /// <summary>Gets the number of pairs per event.</summary>
    public int Pairs { get; private set; } = -1;

    /// <summary>Gets each event's value ids, <see cref="Fields"/> per event.</summary>
    public int[] Ids { get; private set; } = [];

    /// <summary>Gets each event's value hashes, <see cref="Fields"/> per event.</summary>
    public ulong[] Hashes { get; private set; } = [];

    /// <summary>Gets each event's pair ids, <see cref="Pairs"/> per event (−1: not counted).</summary>
    public int[] PairIds { get; private set; } = [];

    /// <summary>Gets each event's time.</summary>
    public long[] Times { get; } = new long[Rows];

    /// <summary>Gets whether some window counts each event (its pairs are interned only then, as events one by one).</summary>
    public bool[] Counted { get; } = new bool[Rows];

    /// <summary>Gets, per field, whether its values wait to be interned with the run's (a large interner, whose slots are
    /// worth prefetching), rather than interned as each event is decoded (a small one, in the cache anyway).</summary>
    public bool[] Deferred { get; private set; } = [];

    /// <summary>Gets, per field interned as each event is decoded, its interner when the value is all there is to it
    /// (categorical, not counted by hash, no hash needed for a bounded pair), so that the id is one call away; null for
    /// the others, which go through <see cref="EventEncoder.Encode(int, ReadOnlySpan{byte}, out ulong)"/>.</summary>
    public ValueInterner?[] Direct { get; private set; } = [];

    /// <summary>Gets, per field, where each waiting value lies in <see cref="Arena"/>.</summary>
    public int[][] Starts { get; private set; } = [];

    /// <summary>Gets, per field, each waiting value's length.</summary>
    public int[][] Lengths { get; private set; } = [];

    /// <summary>Gets, per field, each waiting value's event (row).</summary>
    public int[][] RowsOf { get; private set; } = [];

    /// <summary>Gets, per field, the number of values waiting.</summary>
    public int[] Waiting { get; private set; } = [];

    /// <summary>Gets room for one group's ids (values or pairs).</summary>
    public int[] GroupIds { get; } = new int[Rows];

    /// <summary>Gets room for one group's hashes.</summary>
    public ulong[] GroupHashes { get; } = new ulong[Rows];

    /// <summary>Gets room for one group's x ids.</summary>
    public int[] Xs { get; } = new int[Rows];

    /// <summary>Gets room for one group's y ids.</summary>
    public int[] Ys { get; } = new int[Rows];

    /// <summary>Gets the waiting values' bytes.</summary>
    public ReadOnlySpan<byte> Arena => _arena.AsSpan(0, ArenaUsed);

    /// <summary>Gets the bytes of <see cref="Arena"/> in use.</summary>
    public int ArenaUsed { get; private set; }

    /// <summary>Sizes the buffers for <paramref name="fields"/> fields and <paramref name="pairs"/> pairs (nothing is
    /// waiting between calls of <see cref="EntropyEngine.ProcessMany"/>).</summary>
    public void Prepare(int fields, int pairs)
    {
        if (fields == Fields && pairs == Pairs)
        {
            return;
        }

        Fields = fields;
        Pairs = pairs;
        Ids = new int[Rows * fields];
        Hashes = new ulong[Rows * fields];
        PairIds = new int[Rows * pairs];
        Starts = new int[fields][];
        Lengths = new int[fields][];
        RowsOf = new int[fields][];
        for (int f = 0; f < fields; f++)
        {
            Starts[f] = new int[Rows];
            Lengths[f] = new int[Rows];
            RowsOf[f] = new int[Rows];
        }

        Waiting = new int[fields];
        Deferred = new bool[fields];
        Direct = new ValueInterner?[fields];
        ArenaUsed = 0;
    }

    /// <summary>Queues field <paramref name="field"/>'s value <paramref name="text"/> of event <paramref name="row"/>.</summary>
    public void Add(int field, int row, ReadOnlySpan<byte> text)
    {
        if (_arena.Length - ArenaUsed < text.Length)
        {
            Array.Resize(ref _arena, (int)Math.Min(Math.Max(2L * _arena.Length, (long)ArenaUsed + text.Length), Array.MaxLength));
        }

        text.CopyTo(_arena.AsSpan(ArenaUsed));
        int k = Waiting[field]++;
        Starts[field][k] = ArenaUsed;
        Lengths[field][k] = text.Length;
        RowsOf[field][k] = row;
        ArenaUsed += text.Length;
    }

    /// <summary>Forgets the waiting values (once interned).</summary>
    public void ClearWaiting()
    {
        Array.Clear(Waiting);
        ArenaUsed = 0;
    }
}
