using Microsoft.Extensions.Logging;

namespace StreamEntropy.Worker.Hosting;

/// <summary>Source-generated log messages of the worker host (event ids 300–399).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Consuming {Topics} from {BootstrapServers} as group {GroupId}; {Fields} fields, {Pairs} pairs, windows {Windows}")]
    public static partial void Starting(this ILogger logger, IEnumerable<string> topics, string bootstrapServers, string groupId, int fields, int pairs, IEnumerable<string> windows);

    [LoggerMessage(EventId = 302, Level = LogLevel.Critical, Message = "The consume loop failed; stopping the worker")]
    public static partial void LoopFailed(this ILogger logger, Exception exception);
}
