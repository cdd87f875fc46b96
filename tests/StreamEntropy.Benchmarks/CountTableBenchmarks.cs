using BenchmarkDotNet.Attributes;
using StreamEntropy.Core.Counting;

namespace StreamEntropy.Benchmarks;

/// <summary>Update throughput of the counting tables: ns per update (Mean) ⇒ updates/s = 1e9 / Mean.</summary>
/// <remarks>
/// <para>Each invocation replays the same precomputed Zipf stream of 1 M updates into tables that keep growing, as a
/// cumulative window would; OperationsPerInvoke makes Mean the cost of one update. GlobalSetup replays the stream once
/// first, so every id, pair and value already has its slot and the measured steady state must allocate nothing.</para>
/// <para>Because the tables are never cleared, frequent values soon pass <c>CountFunctionTables.Limit</c> (1024): for a
/// handful of distinct values almost every update takes the "large count" path, which is what a long window of a
/// low-cardinality field sees in production.</para>
/// </remarks>
[MemoryDiagnoser]
public class CountTableBenchmarks
{
    private const int Updates = 1_000_000;

    // Events per call of the batch entry points, as BatchCounts groups a file's rows.
    private const int Batch = 64;

    private int[] _ids = [];
    private int[] _ys = [];
    private byte[][] _texts = [];
    private CountTable _table = new();
    private PairCountTable _pairs = new(new PairInterner());
    private ValueInterner _interner = new();
    private CountTable _internedTable = new();
    private CountTable _freshTable = new();
    private PairCountTable _pairsMany = new(new PairInterner());
    private ValueInterner _internerMany = new();
    private CountTable _internedTableMany = new();
    private byte[] _textBytes = [];
    private int[] _textStarts = [];
    private int[] _textLengths = [];
    private int[] _batchIds = new int[Batch];

    /// <summary>The number of distinct values in the stream (small, vector-straddling, cache-sized, cache-busting).</summary>
    [Params(7, 64, 4_096, 1_000_000)]
    public int Distinct { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _ids = Workloads.ZipfIds(Distinct, Updates, seed: 1);
        _ys = Workloads.ZipfIds(Math.Max(2, Distinct / 8), Updates, seed: 2);
        var values = new byte[Distinct][];
        for (int v = 0; v < values.Length; v++)
        {
            values[v] = Workloads.ValueText("u", v);
        }

        // One reference per update, as a decoder hands the interner a span per event.
        _texts = new byte[Updates][];
        for (int i = 0; i < Updates; i++)
        {
            _texts[i] = values[_ids[i]];
        }

        _table = new CountTable();
        _pairs = new PairCountTable(new PairInterner());
        _interner = new ValueInterner();
        _internedTable = new CountTable();
        _freshTable = new CountTable(Distinct);
        _pairsMany = new PairCountTable(new PairInterner());
        _internerMany = new ValueInterner();
        _internedTableMany = new CountTable();
        _textBytes = [.. _texts.SelectMany(t => t)];
        _textStarts = new int[Updates];
        _textLengths = new int[Updates];
        for (int i = 0, offset = 0; i < Updates; offset += _texts[i].Length, i++)
        {
            _textStarts[i] = offset;
            _textLengths[i] = _texts[i].Length;
        }
        PreInterned();
        PreInternedFreshWindow();
        Pair();
        RawUtf8();
        PairMany();
        RawUtf8Many();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Updates)]
    public long PreInterned()
    {
        CountTable table = _table;
        foreach (int id in _ids)
        {
            table.Add(id);
        }

        return table.Total;
    }

    /// <summary>The same stream into a table cleared first, as at the start of a tumbling window: counts stay small,
    /// so most updates take the tabulated path. Includes one <see cref="CountTable.Clear"/> (O(distinct)) per 1 M updates.</summary>
    [Benchmark(OperationsPerInvoke = Updates)]
    public long PreInternedFreshWindow()
    {
        CountTable table = _freshTable;
        table.Clear();
        foreach (int id in _ids)
        {
            table.Add(id);
        }

        return table.Total;
    }

    [Benchmark(OperationsPerInvoke = Updates)]
    public long Pair()
    {
        PairCountTable pairs = _pairs;
        int[] xs = _ids;
        int[] ys = _ys;
        for (int i = 0; i < xs.Length; i++)
        {
            pairs.Add(xs[i], ys[i]);
        }

        return pairs.Total;
    }

    [Benchmark(OperationsPerInvoke = Updates)]
    public long RawUtf8()
    {
        ValueInterner interner = _interner;
        CountTable table = _internedTable;
        foreach (byte[] text in _texts)
        {
            table.Add(interner.GetOrAdd(new ReadOnlySpan<byte>(text)));
        }

        return table.Total;
    }

    /// <summary>The stream of <see cref="Pair"/> through <see cref="PairCountTable.AddMany"/>, 64 events a call.</summary>
    [Benchmark(OperationsPerInvoke = Updates)]
    public long PairMany()
    {
        PairCountTable pairs = _pairsMany;
        for (int i = 0; i < Updates; i += Batch)
        {
            int n = Math.Min(Batch, Updates - i);
            pairs.AddMany(_ids.AsSpan(i, n), _ys.AsSpan(i, n));
        }

        return pairs.Total;
    }

    /// <summary>The stream of <see cref="RawUtf8"/> through <see cref="ValueInterner.GetOrAddMany"/> and
    /// <see cref="CountTable.AddMany"/>, 64 values a call.</summary>
    [Benchmark(OperationsPerInvoke = Updates)]
    public long RawUtf8Many()
    {
        ValueInterner interner = _internerMany;
        CountTable table = _internedTableMany;
        int[] ids = _batchIds;
        for (int i = 0; i < Updates; i += Batch)
        {
            int n = Math.Min(Batch, Updates - i);
            interner.GetOrAddMany(_textBytes, _textStarts.AsSpan(i, n), _textLengths.AsSpan(i, n), ids);
            table.AddMany(ids.AsSpan(0, n));
        }

        return table.Total;
    }
}
