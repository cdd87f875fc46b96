using System.Collections.Concurrent;
using System.Diagnostics;

namespace StreamEntropy.IntegrationTests.Infrastructure;

/// <summary>The real `stream-entropy run` as a child process, with the last lines it logged (both pipes are drained,
/// so a chatty worker never blocks on a full pipe). Dispose kills it if it still runs.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly ConcurrentQueue<string> _lines = new();

    private WorkerProcess(string name, Process process)
    {
        Name = name;
        Process = process;
    }

    public string Name { get; }

    public Process Process { get; }

    /// <summary>Starts <c>stream-entropy run --config <paramref name="config"/></c> on a free loopback port.</summary>
    /// <param name="config">The configuration file.</param>
    /// <param name="name">A name for messages.</param>
    /// <param name="environment">Extra environment variables (test hooks).</param>
    public static WorkerProcess Start(string config, string name, IReadOnlyDictionary<string, string>? environment = null)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "stream-entropy.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach ((string variable, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[variable] = value;
        }

        foreach (string arg in new[] { dll, "run", "--config", config, "--urls", "http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(arg);
        }

        var worker = new WorkerProcess(name, Process.Start(start) ?? throw new InvalidOperationException("could not start the worker"));
        worker.Process.OutputDataReceived += (_, e) => worker.Keep(e.Data);
        worker.Process.ErrorDataReceived += (_, e) => worker.Keep(e.Data);
        worker.Process.BeginOutputReadLine();
        worker.Process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Whether the worker's latest assignment (eager rebalancing: each one replaces the last) includes a
    /// partition of <paramref name="topic"/>.</summary>
    public bool OwnsInput(string topic) =>
        _lines.LastOrDefault(l => l.Contains("Partitions assigned", StringComparison.Ordinal)) is { } last && last.Contains(topic, StringComparison.Ordinal);

    /// <summary>Gets the HTTP address the worker logged ("Now listening on: …"), or null before it did.</summary>
    public Uri? ListeningOn() =>
        _lines.FirstOrDefault(l => l.Contains("Now listening on: ", StringComparison.Ordinal)) is { } line
            ? new Uri(line[(line.IndexOf("Now listening on: ", StringComparison.Ordinal) + "Now listening on: ".Length)..].Trim().TrimEnd('/') + "/")
            : null;

    /// <summary>Kills the process and its children with SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync();
    }

    /// <summary>Sends SIGTERM, as systemd, Docker and Kubernetes do to stop a service.</summary>
    public async Task TerminateAsync()
    {
        ChildProcess.Result result = await ChildProcess.RunAsync("kill", ["-TERM", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], stdin: null, TimeSpan.FromSeconds(10));
        Assert.True(result.ExitCode == 0, $"kill -TERM failed: {result.Stderr}");
    }

    /// <summary>Waits until the process has exited and every line it wrote was read (false if it still runs after
    /// <paramref name="timeout"/>).</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!Process.WaitForExit(timeout))
        {
            return false;
        }

        Process.WaitForExit(); // with a timeout, WaitForExit does not wait for the end of the redirected output
        return true;
    }

    /// <summary>Whether any line logged so far contains <paramref name="text"/>.</summary>
    public bool Logged(string text) => _lines.Any(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>Gets the lines logged so far that contain <paramref name="text"/>.</summary>
    public IReadOnlyList<string> Lines(string text) => [.. _lines.Where(l => l.Contains(text, StringComparison.Ordinal))];

    public string Tail() => string.Join(" / ", _lines.TakeLast(12));

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }

        Process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        while (_lines.Count > 400)
        {
            _lines.TryDequeue(out _);
        }
    }

    /// <summary>Polls <paramref name="probe"/> every 250 ms until it returns a value, failing after
    /// <paramref name="timeout"/> or as soon as the worker exits (with its last lines).</summary>
    public async Task<T> PollAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what)
        where T : class
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Xunit.Assert.False(Process.HasExited, $"{Name} exited: {Tail()}");
            if (await probe() is { } value)
            {
                return value;
            }

            Xunit.Assert.True(DateTime.UtcNow < deadline, $"waited {timeout.TotalSeconds:0} s for {what}: {Tail()}");
            await timer.WaitForNextTickAsync();
        }
    }
}
