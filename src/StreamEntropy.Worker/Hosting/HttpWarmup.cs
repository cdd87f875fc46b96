using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace StreamEntropy.Worker.Hosting;

/// <summary>Right after the server starts listening, the worker sends itself one request to each endpoint that is
/// polled all the time: the Prometheus scrape and the liveness probe.</summary>
/// <remarks>
/// <para>The first request to an endpoint pays for work done once: ASP.NET builds its route table, and the request path
/// and OpenTelemetry's exporter are compiled. That is about 0.24 s of CPU time on thread-pool threads. Without the
/// warm-up, the first scrape pays it, and that scrape usually comes while the worker counts its first records. On a
/// 2-core machine, perf showed it taking about a third of the CPU from the consume and counting threads for as long as
/// it ran. With the warm-up, the cost falls while the consumer joins its group, when the cores mostly wait for the
/// broker. <c>/readyz</c> is left out: before the partitions are assigned it answers 503, which ASP.NET's health-check
/// service logs as a failure, and a start that prints a failure for nothing would mislead whoever reads the log.</para>
/// <para>The requests go over loopback to the first plain-http address the server listens on. A worker that listens
/// only on https or on a Unix socket skips the warm-up. A failure is logged and changes nothing else: the warm-up only
/// moves work earlier. The requests are plain HTTP/1.1 with <c>Connection: close</c>, written by hand, so the warm-up
/// does not pay for compiling an HTTP client.</para>
/// </remarks>
internal static class HttpWarmup
{
    /// <summary>The endpoints warmed, in order.</summary>
    internal static readonly string[] Paths = ["/metrics", "/healthz"];

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Starts the warm-up in the background; returns at once.</summary>
    public static void Start(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("StreamEntropy.Worker.Hosting.HttpWarmup");
        ICollection<string> addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        CancellationToken stopping = app.Lifetime.ApplicationStopping;
        _ = Task.Run(() => RunAsync(addresses, logger, stopping), CancellationToken.None);
    }

    /// <summary>Sends one GET to each of <see cref="Paths"/> and logs what came back.</summary>
    /// <returns>The status code of each request, in <see cref="Paths"/>' order; empty when there was nowhere to send
    /// them or a request failed.</returns>
    internal static async Task<IReadOnlyList<int>> RunAsync(IEnumerable<string> addresses, ILogger logger, CancellationToken cancellationToken)
    {
        if (Target(addresses) is not { } target)
        {
            logger.HttpWarmupSkipped("the server listens on no plain-http address");
            return [];
        }

        long started = Stopwatch.GetTimestamp();
        var statuses = new List<int>(Paths.Length);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            foreach (string path in Paths)
            {
                statuses.Add(await GetAsync(target, path, timeout.Token).ConfigureAwait(false));
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or FormatException)
        {
            logger.HttpWarmupFailed(target, e.Message);
            return [];
        }

        if (logger.IsEnabled(LogLevel.Information))
        {
            string answers = string.Join(", ", Paths.Select((path, i) => $"{path} {statuses[i].ToString(CultureInfo.InvariantCulture)}"));
            logger.HttpWarmedUp(answers, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return statuses;
    }

    /// <summary>The loopback end point to reach the server on: the first plain-http address, with an address that
    /// listens on every interface (<c>0.0.0.0</c>, <c>[::]</c>, <c>*</c>, <c>+</c>, a host name) or on
    /// <c>localhost</c> replaced by the loopback address of its family.</summary>
    /// <returns>Null when no address is plain http over TCP.</returns>
    internal static IPEndPoint? Target(IEnumerable<string> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        foreach (string url in addresses)
        {
            BindingAddress address;
            try
            {
                address = BindingAddress.Parse(url);
            }
            catch (FormatException)
            {
                continue;
            }

            if (address.IsUnixPipe || address.IsNamedPipe || address.Scheme != "http" || address.Port is <= 0 or > IPEndPoint.MaxPort)
            {
                continue;
            }

            IPAddress host = IPAddress.TryParse(address.Host.Trim('[', ']'), out IPAddress? ip) ? ip : IPAddress.Loopback;
            if (host.Equals(IPAddress.Any))
            {
                host = IPAddress.Loopback;
            }
            else if (host.Equals(IPAddress.IPv6Any))
            {
                host = IPAddress.IPv6Loopback;
            }

            return new IPEndPoint(host, address.Port);
        }

        return null;
    }

    // One HTTP/1.1 GET on its own connection; reads the whole answer (the server closes it) and returns its status code.
    private static async Task<int> GetAsync(IPEndPoint target, string path, CancellationToken cancellationToken)
    {
        using var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
        string host = target.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{target.Address}]:{target.Port}" : target.ToString();
        byte[] request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: stream-entropy-warm-up\r\nConnection: close\r\n\r\n");
        await socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);

        byte[] buffer = new byte[16 * 1024];
        int head = 0; // bytes kept of the answer's start, for its status line
        while (true)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(head), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            head = Math.Min(head + read, 64); // the rest of the body is read and dropped
        }

        return StatusOf(buffer.AsSpan(0, head));
    }

    /// <summary>The status code of an HTTP/1.x status line (<c>HTTP/1.1 200 OK</c>).</summary>
    /// <exception cref="FormatException">The answer does not start with one.</exception>
    internal static int StatusOf(ReadOnlySpan<byte> answer)
    {
        if (answer.Length >= 12 && answer.StartsWith("HTTP/1."u8) && answer[8] == (byte)' '
            && int.TryParse(answer.Slice(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out int status))
        {
            return status;
        }

        throw new FormatException("the answer is not an HTTP/1.x response");
    }
}
