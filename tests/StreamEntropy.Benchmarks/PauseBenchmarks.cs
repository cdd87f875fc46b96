using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Kafka.State;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Output;
using StreamEntropy.Streaming.State;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Benchmarks;

/// <summary>How long the worker's counting thread stops counting for a publication and for a checkpoint when a field
/// holds 10⁶ distinct values: each step timed as one operation (the pause it causes, not a throughput).</summary>
/// <remarks>
/// <para>The engine is the worker's with two fields, <c>user</c> (10⁶ distinct values) and <c>country</c> (50), the pair
/// of both (10⁶ distinct pairs), and a cumulative window; GlobalSetup counts one event per user.</para>
/// <para>What runs on the counting thread, step by step: <see cref="Publish"/> (a snapshot of every window and its
/// output records) and <see cref="TakeState"/> (<c>EntropyEngine.TakeState</c>: the counts copied and the tables put in
/// canonical form at one point of the event sequence; <see cref="TakeStateAfterRestore"/> is the same in an engine
/// just restored, whose first save also sums the length of every dictionary value once). On a pool thread:
/// <see cref="FrameState"/> (the taken state's payload built from those copies and the dictionaries, its frame and
/// SHA-256), then
/// <see cref="CheckpointFile"/> (Standalone: the file from those bytes: encode, SHA-256, write, fsync, rename) or
/// <see cref="CheckpointRecord"/> (Group mode: the state-topic record's encoding and SHA-256, on the counting thread for
/// states up to 1 MiB). <see cref="CheckpointState"/> is <c>EntropyEngine.Save</c>, payload and frame in one call, all
/// of which ran on the counting thread before.</para>
/// </remarks>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
[MemoryDiagnoser]
public class PauseBenchmarks
{
    private readonly string _dir = Directory.CreateTempSubdirectory("se-pause-").FullName;
    private EntropyEngine _engine = null!;
    private CheckpointStore _store = null!;
    private byte[] _state = [];
    private TakenState _taken = null!;
    private EntropyEngine _restored = null!;
    private int _extra;

    [Params(100_000, 1_000_000)]
    public int Distinct { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _engine = CreateEngine();
        long t0 = 1_764_000_000_000;
        for (int i = 0; i < Distinct; i++)
        {
            byte[] json = Encoding.UTF8.GetBytes(FormattableString.Invariant($$"""{"user":"u{{i:D7}}","country":"c{{i % 50:D2}}"}"""));
            if (_engine.Process(json, t0 + i) != DecodeError.None)
            {
                throw new InvalidOperationException("A generated event was rejected.");
            }
        }

        _store = new CheckpointStore(_dir, "pause");
        _state = CheckpointStateGrown();
        _taken = _engine.TakeState();
        Console.WriteLine($"// engine state: {_state.Length} bytes for {Distinct} distinct values");
        Console.WriteLine($"// engine state SHA-256: {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(_state))}");
    }

    private static EntropyEngine CreateEngine() => new(
        new EventSchema([new FieldDefinition("user", "user"), new FieldDefinition("country", "country")], [new PairDefinition("user", "country")]),
        [new WindowDefinition("all", WindowKind.Cumulative)],
        EntropyEstimator.MaximumLikelihood);

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    /// <summary>A publication: every window's snapshot and its output records (JSON), as the pipeline produces them.</summary>
    [Benchmark]
    public int Publish()
    {
        int bytes = 0;
        DateTimeOffset now = DateTimeOffset.UnixEpoch.AddMilliseconds(1_764_000_000_000);
        foreach (WindowSnapshot window in _engine.Snapshot())
        {
            foreach (OutputRecord record in SnapshotRecords.Build(window, LogBase.Bits, now))
            {
                bytes += record.Json.Length;
            }
        }

        return bytes;
    }

    [IterationSetup(Target = nameof(PublishAfterCounting))]
    public void CountOneMore()
    {
        byte[] json = Encoding.UTF8.GetBytes(FormattableString.Invariant($$"""{"user":"v{{_extra}}","country":"c00"}"""));
        if (_engine.Process(json, 1_764_000_000_000 + Distinct + _extra++) != DecodeError.None)
        {
            throw new InvalidOperationException("A generated event was rejected.");
        }
    }

    /// <summary><see cref="Publish"/> after an event was counted since the last one, as in a running worker: the pairs'
    /// marginals, derived from the joint counts when read after a change, are derived again (O(distinct pairs)).</summary>
    [Benchmark]
    public int PublishAfterCounting() => Publish();

    [IterationSetup(Target = nameof(PublishAfterTakeState))]
    public void CountOneMoreAndTake()
    {
        CountOneMore();
        _ = _engine.TakeState().ToArray();
    }

    /// <summary><see cref="Publish"/> right after a checkpoint that followed counting: the pairs' marginals, out of date
    /// when the state was taken, are owed by it and derived here in their normalized form (in bulk), where before the
    /// checkpoint derived them.</summary>
    [Benchmark]
    public int PublishAfterTakeState() => Publish();

    /// <summary>The state taken on the counting thread at one point of the sequence (counts copied, tables put in
    /// canonical form, dictionary sizes noted): the counting thread's share of a checkpoint.</summary>
    [Benchmark]
    public TakenState TakeState() => _taken = _engine.TakeState();

    /// <summary>Builds the state taken, as the pool thread does before the next checkpoint: that returns its copies of
    /// the counts to the pool, where the next <see cref="TakeState"/> finds them.</summary>
    [IterationCleanup(Target = nameof(TakeState))]
    public void BuildTaken() => _ = _taken.ToArray();

    [IterationSetup(Target = nameof(TakeStateAfterRestore))]
    public void RestoreFresh()
    {
        _restored = CreateEngine();
        _restored.Restore(new MemoryStream(_state));
    }

    /// <summary>The first <see cref="TakeState"/> of an engine just restored (or that never saved): it also sums the
    /// length of every dictionary value once, which later saves do for the values added since only.</summary>
    [Benchmark]
    public TakenState TakeStateAfterRestore() => _restored.TakeState();

    [IterationSetup(Target = nameof(FrameState))]
    public void TakeFresh() => _taken = _engine.TakeState();

    /// <summary>A taken state built (dictionaries and (id, count) lists written from what was taken), framed and
    /// hashed (SHA-256) into the bytes <c>Save</c> writes: on the pool thread.</summary>
    [Benchmark]
    public byte[] FrameState() => _taken.ToArray();

    /// <summary><c>EntropyEngine.Save</c>: payload and frame in one call, into a buffer sized from the previous state
    /// (what the counting thread did before the frame moved off it).</summary>
    [Benchmark]
    public byte[] CheckpointState()
    {
        using var state = new MemoryStream(_state.Length + (_state.Length / 8));
        _engine.Save(state);
        return state.ToArray();
    }

    /// <summary>The same into a buffer grown by doubling, as before the size hint.</summary>
    [Benchmark]
    public byte[] CheckpointStateGrown()
    {
        using var state = new MemoryStream();
        _engine.Save(state);
        return state.ToArray();
    }

    /// <summary>The checkpoint file written from state bytes already taken: encode, SHA-256, write, fsync, rename.</summary>
    [Benchmark]
    public void CheckpointFile() =>
        _store.Save(new Checkpoint(new Dictionary<(string, int), long> { [("events", 0)] = Distinct }, _state));

    /// <summary>The same encoding as a state-topic record (Group mode), without the file.</summary>
    [Benchmark]
    public int CheckpointRecord() =>
        CheckpointStore.Serialize(new Checkpoint(new Dictionary<(string, int), long> { [("events", 0)] = Distinct }, _state)).Length;
}
