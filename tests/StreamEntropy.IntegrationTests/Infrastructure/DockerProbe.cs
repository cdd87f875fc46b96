using System.Net;
using System.Net.Sockets;
using System.Text;

namespace StreamEntropy.IntegrationTests.Infrastructure;

/// <summary>Answers "is a Docker engine reachable?" within a short timeout, without throwing.</summary>
internal static class DockerProbe
{
    private const string DefaultSocket = "/var/run/docker.sock";

    /// <summary>Sends <c>GET /_ping</c> to <c>DOCKER_HOST</c> (unix:// or tcp://), else to the default or the rootless socket.</summary>
    /// <remarks>TLS endpoints (<c>DOCKER_TLS_VERIFY</c>) are not probed and count as absent: the fallback is
    /// the mock cluster, never a hang. Any failure, including a timeout, means "no Docker".</remarks>
    public static async Task<bool> EngineAnswersAsync(TimeSpan timeout)
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_TLS_VERIFY")))
        {
            return false;
        }

        string? dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (!string.IsNullOrEmpty(dockerHost))
        {
            return ParseEndPoint(dockerHost) is { } endPoint && await PingAsync(endPoint, timeout);
        }

        if (await PingAsync(new UnixDomainSocketEndPoint(DefaultSocket), timeout))
        {
            return true;
        }

        string? runtimeDirectory = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR"); // rootless Docker
        return !string.IsNullOrEmpty(runtimeDirectory)
            && await PingAsync(new UnixDomainSocketEndPoint(Path.Combine(runtimeDirectory, "docker.sock")), timeout);
    }

    private static async Task<bool> PingAsync(EndPoint endPoint, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            using var socket = endPoint is UnixDomainSocketEndPoint
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(endPoint, cts.Token);
            await socket.SendAsync(Encoding.ASCII.GetBytes("GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n"), cts.Token);
            var buffer = new byte[64];
            int read = await socket.ReceiveAsync(buffer, cts.Token);
            string status = Encoding.ASCII.GetString(buffer, 0, read);
            return status.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) || status.StartsWith("HTTP/1.0 200", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            return false; // unreachable, refused or too slow: treat as "no Docker engine"
        }
    }

    private static EndPoint? ParseEndPoint(string dockerHost)
    {
        if (dockerHost.StartsWith("unix://", StringComparison.Ordinal))
        {
            return new UnixDomainSocketEndPoint(dockerHost["unix://".Length..]);
        }

        if (Uri.TryCreate(dockerHost, UriKind.Absolute, out Uri? uri) && uri.Scheme == "tcp" && uri.Port > 0)
        {
            return new DnsEndPoint(uri.Host, uri.Port);
        }

        return null; // npipe://, ssh:// and the like: not probed
    }
}
