using System.Text.Json;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Kafka.State;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;
using StreamEntropy.Worker.Tests.Support;

namespace StreamEntropy.Worker.Tests.Hosting;

/// <summary><c>stream-entropy run</c> with a checkpoint directory or checkpoint it cannot use: one <c>error:</c> line,
/// exit code 2, before anything connects to Kafka (the broker in these configurations does not exist).</summary>
[Collection(ProcessEnvironmentGroup.Name)]
public sealed class CheckpointStartupTests : IDisposable
{
    // Guards the run: if the check ever passed, the worker would start against a broker that is not there.
    private static readonly TimeSpan RunGuard = TimeSpan.FromSeconds(20);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Run_CheckpointDirectoryIsAFile_ExitsTwoWithOneLine()
    {
        string file = _dir.Write("state", "not a directory");

        CliResult result = await RunAsync(file);

        result.AssertSingleError(2, file, "is a file, not a directory");
    }

    [Fact]
    public async Task Run_CheckpointDirectoryCannotBeCreated_ExitsTwoWithOneLine()
    {
        const string directory = "/proc/stream-entropy-test/state"; // nothing can be created there, not even by root

        CliResult result = await RunAsync(directory);

        result.AssertSingleError(2, directory, "cannot be written");
    }

    [Fact]
    public async Task Run_CorruptCheckpoint_ExitsTwoWithOneLineAndWhatToDo()
    {
        string state = Directory.CreateDirectory(_dir.File("state")).FullName;
        string checkpoint = Path.Combine(state, "g.checkpoint");
        byte[] bytes = CheckpointStore.Serialize(new Checkpoint(new Dictionary<(string, int), long> { [("in", 0)] = 5 }, SavedState("team")));
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(checkpoint, bytes);

        CliResult result = await RunAsync(state);

        result.AssertSingleError(2, checkpoint, "checksum mismatch", "Move it away", "committed offsets", "restore a backup");
    }

    [Fact]
    public async Task Run_CheckpointOfAnotherConfiguration_ExitsTwoNamingTheFileAndTheDifference()
    {
        string state = Directory.CreateDirectory(_dir.File("state")).FullName;
        string checkpoint = Path.Combine(state, "g.checkpoint");
        byte[] bytes = CheckpointStore.Serialize(new Checkpoint(new Dictionary<(string, int), long> { [("in", 0)] = 5 }, SavedState("owner")));
        await File.WriteAllBytesAsync(checkpoint, bytes);

        CliResult result = await RunAsync(state);

        result.AssertSingleError(2, checkpoint, "owner", "Move it away");
    }

    // The engine state of a configuration like the test's, with field <paramref name="field"/> in place of "team".
    private static byte[] SavedState(string field)
    {
        var engine = new EntropyEngine(
            new EventSchema([new FieldDefinition(field, field)], []),
            [new WindowDefinition("1m", WindowKind.Tumbling, TimeSpan.FromMinutes(1))],
            EntropyEstimator.MaximumLikelihood);
        engine.Process("{\"team\":\"a\"}"u8, 1_764_000_000_000);
        using var stream = new MemoryStream();
        engine.Save(stream);
        return stream.ToArray();
    }

    private async Task<CliResult> RunAsync(string checkpointDirectory)
    {
        string config = _dir.Write("config.json", JsonSerializer.Serialize(new
        {
            StreamEntropy = new
            {
                Kafka = new { BootstrapServers = "127.0.0.1:1", GroupId = "g", Topics = new[] { "in" } },
                Fields = new[] { new { Name = "team" } },
                Windows = new[] { new { Name = "1m", Kind = "Tumbling", Size = "00:01:00" } },
                Checkpoint = new { Directory = checkpointDirectory },
            },
        }));
        using var guard = new CancellationTokenSource(RunGuard);
        return await Cli.RunAsync(guard.Token, "run", "--config", config, "--urls", "http://127.0.0.1:0");
    }
}
