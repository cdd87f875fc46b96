using System.Net;
using System.Net.Sockets;

namespace StreamEntropy.Worker.Hosting;

/// <summary>Checks <c>--urls</c> before anything starts: each address must parse, its port must be 0–65535, and the
/// port must be free. Kestrel would find all three only when it binds, after the pipeline has started, and report
/// them with a stack trace.</summary>
internal static class ListenAddresses
{
    /// <summary>One line per address that does not parse or whose port is out of range; empty when all are sound.</summary>
    /// <param name="urls">The <c>urls</c> setting: addresses separated by <c>;</c>.</param>
    public static IReadOnlyList<string> Check(string urls) => Check(urls, probe: false);

    /// <summary>Like <see cref="Check(string)"/>, and also tries to listen on each fixed port: one line per port in use.</summary>
    public static IReadOnlyList<string> CheckFree(string urls) => Check(urls, probe: true);

    private static List<string> Check(string urls, bool probe)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var problems = new List<string>();
        foreach (string url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            BindingAddress address;
            try
            {
                address = BindingAddress.Parse(url);
            }
            catch (FormatException)
            {
                problems.Add($"--urls: '{url}' is not an address to listen on; use scheme://host:port, e.g. {WorkerHost.DefaultUrls}.");
                continue;
            }

            if (address.IsUnixPipe || address.IsNamedPipe)
            {
                continue;
            }

            if (address.Scheme is not ("http" or "https"))
            {
                problems.Add($"--urls: '{url}' has scheme '{address.Scheme}'; use http or https.");
            }
            else if (address.Port is < 0 or > IPEndPoint.MaxPort)
            {
                problems.Add($"--urls: '{url}': port {address.Port} is out of range; use 1 to 65535 (0 picks a free one).");
            }
            else if (probe && address.Port > 0 && InUse(address) is { } reason)
            {
                problems.Add($"--urls: cannot listen on '{url}': {reason}.");
            }
        }

        return problems;
    }

    // Best effort: the port may still be taken between this check and Kestrel's bind; starting reports that too.
    private static string? InUse(BindingAddress address)
    {
        IPAddress[] hosts = address.Host switch
        {
            "localhost" => [IPAddress.Loopback],
            _ when IPAddress.TryParse(address.Host.Trim('[', ']'), out IPAddress? ip) => [ip],
            _ => [IPAddress.Any], // *, + or a host name: Kestrel listens on every interface
        };
        foreach (IPAddress host in hosts)
        {
            using var socket = new Socket(host.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true); // as Kestrel does on Unix
            try
            {
                socket.Bind(new IPEndPoint(host, address.Port));
                socket.Listen();
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                return "the port is already in use";
            }
            catch (SocketException e)
            {
                return e.Message;
            }
        }

        return null;
    }
}
