using System.Globalization;
using System.Text.Json;
using StreamEntropy.Worker.Commands;

namespace StreamEntropy.Worker.Tests.Support;

/// <summary>What one in-process invocation of the command line produced.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Gets the non-empty lines written to stderr.</summary>
    public string[] StderrLines => Stderr.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Parses stdout as one JSON document, after checking that the command succeeded.</summary>
    public JsonDocument Json()
    {
        Assert.True(ExitCode == 0, $"exit code {ExitCode}; stderr: {Stderr}");
        Assert.Equal("", Stderr);
        return JsonDocument.Parse(Stdout);
    }

    /// <summary>Asserts a failure: the exit code, nothing on stdout, and exactly one stderr line holding every fact.</summary>
    public void AssertSingleError(int exitCode, params string[] facts)
    {
        Assert.True(ExitCode == exitCode, $"expected exit code {exitCode}, got {ExitCode}; stderr: {Stderr}");
        Assert.Equal("", Stdout);
        string line = Assert.Single(StderrLines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        foreach (string fact in facts)
        {
            Assert.Contains(fact, line, StringComparison.Ordinal);
        }
    }
}

/// <summary>Runs <see cref="CommandLineApp.InvokeAsync"/> with captured writers.</summary>
internal static class Cli
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        int exitCode = await CommandLineApp.InvokeAsync(args, stdout, stderr, CancellationToken.None);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    public static async Task<CliResult> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        int exitCode = await CommandLineApp.InvokeAsync(args, stdout, stderr, cancellationToken);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>Reading the JSON documents of <c>profile</c> and <c>compare</c>.</summary>
internal static class JsonOutput
{
    /// <summary>Gets the element of the <c>fields</c> array whose <c>name</c> is <paramref name="name"/>.</summary>
    public static JsonElement Field(this JsonDocument document, string name)
    {
        foreach (JsonElement f in document.RootElement.GetProperty("fields").EnumerateArray())
        {
            if (f.GetProperty("name").GetString() == name)
            {
                return f;
            }
        }

        throw new Xunit.Sdk.XunitException($"no field named '{name}' in {document.RootElement}");
    }

    /// <summary>Gets the names of the <c>fields</c> array, in order.</summary>
    public static string[] FieldNames(this JsonDocument document) =>
        [.. document.RootElement.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()!)];

    /// <summary>Gets a number member.</summary>
    public static double Number(this JsonElement element, string name) => element.GetProperty(name).GetDouble();
}
