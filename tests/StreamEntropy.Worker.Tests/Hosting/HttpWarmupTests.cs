using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using StreamEntropy.Worker.Hosting;

namespace StreamEntropy.Worker.Tests.Hosting;

/// <summary><see cref="HttpWarmup"/>: where it sends its requests, how it reads the answers, and that it reaches a real
/// Kestrel server once per endpoint.</summary>
public sealed class HttpWarmupTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080", "127.0.0.1:8080")]
    [InlineData("http://0.0.0.0:8080", "127.0.0.1:8080")]
    [InlineData("http://[::]:9090", "[::1]:9090")]
    [InlineData("http://localhost:5000", "127.0.0.1:5000")]
    [InlineData("http://*:7000", "127.0.0.1:7000")]
    [InlineData("http://10.1.2.3:80", "10.1.2.3:80")]
    [InlineData("https://127.0.0.1:5001;http://0.0.0.0:5002", "127.0.0.1:5002")]
    [InlineData("http://unix:/tmp/worker.sock;http://[::1]:6000", "[::1]:6000")]
    public void Target_FirstPlainHttpAddress_ReachedOverLoopbackWhenItListensEverywhere(string addresses, string expected)
    {
        IPEndPoint? target = HttpWarmup.Target(addresses.Split(';'));

        Assert.Equal(expected, target?.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("https://127.0.0.1:5001")]
    [InlineData("http://unix:/tmp/worker.sock")]
    [InlineData("not an address")]
    public void Target_NoPlainHttpAddress_IsNull(string addresses)
    {
        Assert.Null(HttpWarmup.Target(addresses.Split(';', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\n", 200)]
    [InlineData("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", 503)]
    [InlineData("HTTP/1.0 404 Not Found\r\n", 404)]
    public void StatusOf_StatusLine_ReadsTheCode(string answer, int expected)
    {
        Assert.Equal(expected, HttpWarmup.StatusOf(Encoding.ASCII.GetBytes(answer)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("HTTP/2 200\r\n")]
    [InlineData("SSH-2.0-OpenSSH_9.6\r\n")]
    [InlineData("HTTP/1.1 2x0 OK\r\n")]
    public void StatusOf_NotAnHttp1Answer_Throws(string answer)
    {
        Assert.Throws<FormatException>(() => HttpWarmup.StatusOf(Encoding.ASCII.GetBytes(answer)));
    }

    [Fact]
    public async Task RunAsync_RealServer_GetsEachEndpointOnceAndLogsTheirStatus()
    {
        var hits = new Dictionary<string, int>();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using WebApplication app = builder.Build();
        app.Use((HttpContext context, RequestDelegate next) =>
        {
            lock (hits)
            {
                hits[context.Request.Method + " " + context.Request.Path] = hits.GetValueOrDefault(context.Request.Method + " " + context.Request.Path) + 1;
            }

            return next(context);
        });
        app.MapGet("/metrics", () => Results.Text(new string('x', 100_000))); // longer than one read
        app.MapGet("/healthz", () => Results.StatusCode(503)); // any status is reported as it came
        app.MapGet("/readyz", () => Results.StatusCode(503)); // not warmed: it logs a failure before partitions are assigned
        await app.StartAsync();
        var logger = new ListLogger();

        IReadOnlyList<int> statuses = await HttpWarmup.RunAsync(app.Urls, logger, CancellationToken.None);

        Assert.Equal([200, 503], statuses);
        Assert.Equal(new Dictionary<string, int> { ["GET /metrics"] = 1, ["GET /healthz"] = 1 }, hits);
        string line = Assert.Single(logger.Lines);
        Assert.Contains("answered /metrics 200, /healthz 503 in ", line, StringComparison.Ordinal);
        await app.StopAsync();
    }

    [Fact]
    public async Task RunAsync_NothingListens_LogsWhyAndReturnsNothing()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var logger = new ListLogger();

        IReadOnlyList<int> statuses = await HttpWarmup.RunAsync([$"http://127.0.0.1:{port}"], logger, CancellationToken.None);

        Assert.Empty(statuses);
        string line = Assert.Single(logger.Lines);
        Assert.Contains($"HTTP warm-up skipped: a request to 127.0.0.1:{port} failed", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_OnlyHttps_SkipsWithoutConnecting()
    {
        var logger = new ListLogger();

        IReadOnlyList<int> statuses = await HttpWarmup.RunAsync(["https://127.0.0.1:5001"], logger, CancellationToken.None);

        Assert.Empty(statuses);
        Assert.Contains("no plain-http address", Assert.Single(logger.Lines), StringComparison.Ordinal);
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add(formatter(state, exception));
            }
        }
    }
}
