using Microsoft.Extensions.Logging;

namespace StreamEntropy.Worker.Hosting;

/// <summary>Source-generated log messages of the worker host (event ids 300–399).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Consuming {Topics} from {BootstrapServers} as group {GroupId}; {Fields} fields, {Pairs} pairs, windows {Windows}")]
    public static partial void Starting(this ILogger logger, IEnumerable<string> topics, string bootstrapServers, string groupId, int fields, int pairs, IEnumerable<string> windows);

    [LoggerMessage(EventId = 302, Level = LogLevel.Critical, Message = "The consume loop failed; stopping the worker")]
    public static partial void LoopFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "Warm-up: the HTTP endpoints answered {Answers} in {Milliseconds} ms (one request each, from the worker itself, so that the first scrape does not compile them while the worker counts)")]
    public static partial void HttpWarmedUp(this ILogger logger, string answers, long milliseconds);

    [LoggerMessage(EventId = 304, Level = LogLevel.Information, Message = "HTTP warm-up skipped: {Reason}; the first request to each endpoint will be slower")]
    public static partial void HttpWarmupSkipped(this ILogger logger, string reason);

    [LoggerMessage(EventId = 305, Level = LogLevel.Information, Message = "HTTP warm-up skipped: a request to {Target} failed ({Reason}); the first request to each endpoint will be slower")]
    public static partial void HttpWarmupFailed(this ILogger logger, System.Net.IPEndPoint target, string reason);
}
