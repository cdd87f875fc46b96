using System.Text.Json;
using StreamEntropy.IntegrationTests.Infrastructure;

namespace StreamEntropy.IntegrationTests.Commands;

/// <summary><c>stream-entropy profile</c> as a child process reading a pipe: <c>-</c>, <c>/dev/stdin</c> and bash's
/// process substitution <c>&lt;(…)</c>, each of which can be read once only (issue 14, item 8).</summary>
[Trait("Category", "Integration")]
public sealed class ProfileStdinTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly string Csv = "country,device\nDE,ios\nFR,ios\nDE,android\nDE,ios\nIT,web\n";

    private readonly string _dir = Directory.CreateTempSubdirectory("stream-entropy-stdin-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("-")]
    [InlineData("/dev/stdin")]
    public async Task Profile_PipedStdin_CountsLikeTheFile(string argument)
    {
        string file = Path.Combine(_dir, "events.csv");
        await File.WriteAllTextAsync(file, Csv);
        string dll = Path.Combine(AppContext.BaseDirectory, "stream-entropy.dll");

        ChildProcess.Result fromFile = await ChildProcess.RunAsync("dotnet", [dll, "profile", file, "--pair", "country,device", "--format", "json"], null, Timeout);
        ChildProcess.Result fromPipe = await ChildProcess.RunAsync("dotnet", [dll, "profile", argument, "--pair", "country,device", "--format", "json"], Csv, Timeout);

        Assert.True(fromPipe.ExitCode == 0, $"exit {fromPipe.ExitCode}: {fromPipe.Stderr}");
        Assert.Equal(0, fromFile.ExitCode);
        using JsonDocument json = JsonDocument.Parse(fromPipe.Stdout);
        Assert.Equal(5, json.RootElement.GetProperty("rows").GetInt64());
        Assert.Equal(fromFile.Stdout, fromPipe.Stdout);
    }

    [Fact]
    public async Task Profile_ProcessSubstitution_CountsLikeTheFile()
    {
        string file = Path.Combine(_dir, "events.csv");
        await File.WriteAllTextAsync(file, Csv);
        string dll = Path.Combine(AppContext.BaseDirectory, "stream-entropy.dll");

        ChildProcess.Result fromFile = await ChildProcess.RunAsync("dotnet", [dll, "profile", file, "--format", "json"], null, Timeout);
        ChildProcess.Result substituted = await ChildProcess.RunAsync(
            "bash", ["-c", "dotnet \"$1\" profile <(cat \"$2\") --format json", "bash", dll, file], null, Timeout);

        Assert.True(substituted.ExitCode == 0, $"exit {substituted.ExitCode}: {substituted.Stderr}");
        Assert.Equal(fromFile.Stdout, substituted.Stdout);
    }
}
