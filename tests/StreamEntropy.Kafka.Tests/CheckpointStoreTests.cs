using System.Buffers.Binary;
using System.Security.Cryptography;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Kafka.State;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Kafka.Tests;

/// <summary>The checkpoint file: atomic writes, every way a file can be unusable, and the formats written before.</summary>
public sealed class CheckpointStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("se-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The configuration of <c>Fixtures/format-1.checkpoint</c> (written by the code before format 2).</summary>
    internal static EntropyEngine FixtureEngine(string statusField = "status") => new(
        new EventSchema([new FieldDefinition("country", "country"), new FieldDefinition(statusField, "status")], [new PairDefinition("country", statusField)]),
        [new WindowDefinition("all", WindowKind.Cumulative)],
        EntropyEstimator.MaximumLikelihood);

    internal static byte[] EngineState(int events)
    {
        EntropyEngine engine = FixtureEngine();
        for (int i = 0; i < events; i++)
        {
            engine.Process(System.Text.Encoding.UTF8.GetBytes($"{{\"country\":\"c{i % 7}\",\"status\":{i % 3}}}"), 1_764_000_000_000 + i);
        }

        using var state = new MemoryStream();
        engine.Save(state);
        return state.ToArray();
    }

    private static Checkpoint Sample() => new(
        new Dictionary<(string, int), long> { [("events", 0)] = 12, [("events", 3)] = 0, [("other", 1)] = long.MaxValue - 1 },
        EngineState(50))
    {
        DeadLetters = new DeadLetterProgress("dead", new Dictionary<int, long> { [0] = 5, [2] = 99 }),
    };

    [Fact]
    public void SaveLoad_RoundTripsOffsetsDeadLetterProgressAndState()
    {
        var store = new CheckpointStore(_dir, "group/one");
        Checkpoint written = Sample();

        store.Save(written);
        Checkpoint read = store.Load()!;

        Assert.Equal(written.Offsets.OrderBy(o => o.Key), read.Offsets.OrderBy(o => o.Key));
        Assert.Equal(written.EngineState, read.EngineState);
        Assert.Equal("dead", read.DeadLetters!.Topic);
        Assert.Equal(written.DeadLetters!.ScanFrom.OrderBy(p => p.Key), read.DeadLetters.ScanFrom.OrderBy(p => p.Key));
        Assert.Equal(Path.Combine(_dir, "group_one.checkpoint"), store.FilePath); // the name is made safe for a file name
        Assert.False(File.Exists(store.FilePath + ".tmp"));
    }

    [Fact]
    public void SaveLoad_WithoutDeadLetterProgress_ReadsNull()
    {
        var store = new CheckpointStore(_dir, "g");
        store.Save(Sample() with { DeadLetters = null });

        Assert.Null(store.Load()!.DeadLetters);
    }

    [Fact]
    public void Load_NoFile_ReturnsNull() => Assert.Null(new CheckpointStore(_dir, "none").Load());

    [Fact]
    public void Load_Format1FileWrittenByThePreviousVersion_RestoresOffsetsAndCounts()
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "format-1.checkpoint"));
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4))); // really the old format

        Checkpoint checkpoint = CheckpointStore.Deserialize(bytes, "format-1.checkpoint");
        EntropyEngine engine = FixtureEngine();
        engine.Restore(new MemoryStream(checkpoint.EngineState));

        Assert.Equal(6, checkpoint.Offsets[("events", 0)]);
        Assert.Equal(3, checkpoint.Offsets[("events", 1)]);
        Assert.Equal(2, checkpoint.Offsets.Count);
        Assert.Null(checkpoint.DeadLetters); // format 1 did not record it: dead letters are then scanned from the start
        Assert.Equal(8, engine.Processed);
        Assert.Equal(1, engine.Rejected);
        FieldResult country = engine.Snapshot().Single().Fields[0];
        Assert.Equal(4, country.Distinct); // de, fr, it, es
        Assert.Equal(8, country.Count);
    }

    [Fact]
    public void Save_WritesTheCurrentFormat()
    {
        byte[] bytes = CheckpointStore.Serialize(Sample());

        Assert.Equal("SECK"u8.ToArray(), bytes[..4]);
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)));
    }

    [Fact]
    public void Deserialize_WrongMagic_SaysItIsNoCheckpoint()
    {
        byte[] bytes = CheckpointStore.Serialize(Sample());
        bytes[0] = (byte)'X';

        var e = Assert.Throws<InvalidDataException>(() => CheckpointStore.Deserialize(bytes, "f.checkpoint"));
        Assert.Equal("f.checkpoint is not a StreamEntropy checkpoint.", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(int.MaxValue)]
    public void Deserialize_UnknownFormatVersionWithValidChecksum_NamesTheVersion(int version)
    {
        byte[] bytes = WithChecksum(CheckpointStore.Serialize(Sample()), b => BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4), version));

        var e = Assert.Throws<InvalidDataException>(() => CheckpointStore.Deserialize(bytes, "f"));
        Assert.Contains($"format {version}", e.Message, StringComparison.Ordinal);
        Assert.Contains("1 to 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_AnyFlippedBit_IsAChecksumMismatch()
    {
        byte[] original = CheckpointStore.Serialize(Sample());
        for (int i = 4; i < original.Length; i += 7)
        {
            byte[] bytes = (byte[])original.Clone();
            bytes[i] ^= 0x10;
            var e = Assert.Throws<InvalidDataException>(() => CheckpointStore.Deserialize(bytes, "f"));
            Assert.Contains("checksum mismatch", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Deserialize_EveryTruncation_IsRejected()
    {
        byte[] original = CheckpointStore.Serialize(Sample());
        for (int length = 0; length < original.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => CheckpointStore.Deserialize(original[..length], "f"));
        }
    }

    [Fact]
    public void Deserialize_StateLengthBeyondTheBodyWithValidChecksum_IsTruncated()
    {
        // A writer bug rather than a torn file: the checksum matches but the declared state length does not.
        byte[] original = CheckpointStore.Serialize(Sample());
        int stateLengthAt = original.Length - 32 - Sample().EngineState.Length - 4;
        byte[] bytes = WithChecksum(original, b => BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(stateLengthAt), int.MaxValue));

        var e = Assert.Throws<InvalidDataException>(() => CheckpointStore.Deserialize(bytes, "f"));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_StateOfAnotherConfiguration_IsRejectedNamingTheDifference()
    {
        Checkpoint checkpoint = CheckpointStore.Deserialize(CheckpointStore.Serialize(Sample()), "f");
        EntropyEngine foreign = FixtureEngine(statusField: "code");

        var e = Assert.Throws<InvalidDataException>(() => foreign.Restore(new MemoryStream(checkpoint.EngineState)));
        Assert.Contains("status", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_CrashBetweenTempFileAndRename_LeavesThePreviousCheckpointIntact()
    {
        var store = new CheckpointStore(_dir, "g");
        Checkpoint first = Sample();
        store.Save(first);
        store.BeforeRename = () => throw new IOException("simulated crash");

        Checkpoint second = first with { Offsets = new Dictionary<(string, int), long> { [("events", 0)] = 1000 } };
        Assert.Throws<IOException>(() => store.Save(second));

        Assert.Equal(12, store.Load()!.Offsets[("events", 0)]); // the previous one, whole
        Assert.Equal(1000, CheckpointStore.Deserialize(File.ReadAllBytes(store.FilePath + ".tmp"), "tmp").Offsets[("events", 0)]);
        store.BeforeRename = null;
        store.Save(second); // the next write replaces the leftover temporary file
        Assert.Equal(1000, store.Load()!.Offsets[("events", 0)]);
        Assert.False(File.Exists(store.FilePath + ".tmp"));
    }

    [Fact]
    public void EnsureWritable_CreatesTheDirectory()
    {
        string directory = Path.Combine(_dir, "a", "b");
        new CheckpointStore(directory, "g").EnsureWritable();

        Assert.True(Directory.Exists(directory));
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory)); // the probe is gone
    }

    [Fact]
    public void EnsureWritable_PathIsAFile_OneLineNamingIt()
    {
        string file = Path.Combine(_dir, "state");
        File.WriteAllText(file, "");

        var e = Assert.Throws<IOException>(() => new CheckpointStore(file, "g").EnsureWritable());
        Assert.Equal($"the checkpoint directory {file} is a file, not a directory.", e.Message);
    }

    [Fact]
    public void EnsureWritable_DirectoryCannotBeCreated_OneLineNamingIt()
    {
        // Under /proc nothing can be created, not even by root (for whom permission bits are no obstacle).
        const string directory = "/proc/stream-entropy-test/state";

        var e = Assert.Throws<IOException>(() => new CheckpointStore(directory, "g").EnsureWritable());
        Assert.StartsWith($"the checkpoint directory {directory} cannot be written: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Save_TemporaryPathIsADirectory_ThrowsUnauthorizedAccess()
    {
        // How the pipeline's "write failure" tests make a write fail even for root: the caller must treat this like an
        // IOException (a failed checkpoint), not let it escape.
        var store = new CheckpointStore(_dir, "g");
        Directory.CreateDirectory(store.FilePath + ".tmp");

        Assert.Throws<UnauthorizedAccessException>(() => store.Save(Sample()));
        Assert.Null(store.Load());
    }

    private static byte[] WithChecksum(byte[] serialized, Action<byte[]> edit)
    {
        byte[] bytes = (byte[])serialized.Clone();
        edit(bytes);
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)).CopyTo(bytes, bytes.Length - 32);
        return bytes;
    }
}
