namespace StreamEntropy.Worker.Demo;

/// <summary>The embedded configuration of <c>stream-entropy demo</c>: the demo events' fields, pairs and windows.</summary>
internal static class DemoConfiguration
{
    public const string InputTopic = "demo-events";

    /// <summary>The wide demo's configuration: no field listed. Every leaf path but the event id is discovered, every
    /// field is paired with the label, and the label's ranking is on the page.</summary>
    public static Dictionary<string, string?> BuildWide(string bootstrapServers, string stateDirectory) => new()
    {
        ["StreamEntropy:Kafka:BootstrapServers"] = bootstrapServers,
        ["StreamEntropy:Kafka:GroupId"] = "stream-entropy-demo-wide",
        ["StreamEntropy:Kafka:Topics:0"] = InputTopic,
        ["StreamEntropy:Kafka:OutputTopic"] = "entropy",
        ["StreamEntropy:Kafka:DeadLetterTopic"] = "entropy-dead-letters",
        ["StreamEntropy:Fields:0:Name"] = "*",
        ["StreamEntropy:Fields:0:Exclude:0"] = "event_id",
        // The demo's features have at most 200 values: counted exactly (no budget), so every I in the ranking has its
        // standard error. Producers you do not control should keep the default budget.
        ["StreamEntropy:Fields:0:MaxDistinct"] = "0",
        ["StreamEntropy:Pairs:0:X"] = "*",
        ["StreamEntropy:Pairs:0:Y"] = "label",
        ["StreamEntropy:Windows:0:Name"] = "all",
        ["StreamEntropy:Windows:0:Kind"] = "Cumulative",
        ["StreamEntropy:Windows:1:Name"] = "20s",
        ["StreamEntropy:Windows:1:Kind"] = "Tumbling",
        ["StreamEntropy:Windows:1:Size"] = "00:00:20",
        ["StreamEntropy:PublishInterval"] = "00:00:01",
        ["StreamEntropy:Checkpoint:Directory"] = stateDirectory,
        ["StreamEntropy:Checkpoint:Interval"] = "00:00:05",
    };

    public static Dictionary<string, string?> Build(string bootstrapServers, string stateDirectory) => new()
    {
        ["StreamEntropy:Kafka:BootstrapServers"] = bootstrapServers,
        ["StreamEntropy:Kafka:GroupId"] = "stream-entropy-demo",
        ["StreamEntropy:Kafka:Topics:0"] = InputTopic,
        ["StreamEntropy:Kafka:OutputTopic"] = "entropy",
        ["StreamEntropy:Kafka:DeadLetterTopic"] = "entropy-dead-letters",
        ["StreamEntropy:Fields:0:Name"] = "country",
        ["StreamEntropy:Fields:0:Path"] = "user.country",
        ["StreamEntropy:Fields:1:Name"] = "device",
        ["StreamEntropy:Fields:1:Path"] = "user.device",
        ["StreamEntropy:Fields:2:Name"] = "page",
        ["StreamEntropy:Fields:3:Name"] = "status",
        ["StreamEntropy:Fields:4:Name"] = "amount",
        ["StreamEntropy:Fields:4:BinWidth"] = "10",
        ["StreamEntropy:Pairs:0:X"] = "country",
        ["StreamEntropy:Pairs:0:Y"] = "device",
        ["StreamEntropy:Pairs:1:X"] = "page",
        ["StreamEntropy:Pairs:1:Y"] = "status",
        ["StreamEntropy:Windows:0:Name"] = "all",
        ["StreamEntropy:Windows:0:Kind"] = "Cumulative",
        ["StreamEntropy:Windows:1:Name"] = "30s",
        ["StreamEntropy:Windows:1:Kind"] = "Sliding",
        ["StreamEntropy:Windows:1:Size"] = "00:00:30",
        ["StreamEntropy:Windows:1:Step"] = "00:00:05",
        // 20 s, not a minute: the first (partial) window is never a drift reference, so the reference is the next one,
        // which must end before the drift the demo injects after 45 s.
        ["StreamEntropy:Windows:2:Name"] = "20s",
        ["StreamEntropy:Windows:2:Kind"] = "Tumbling",
        ["StreamEntropy:Windows:2:Size"] = "00:00:20",
        ["StreamEntropy:Windows:3:Name"] = "decay-20s",
        ["StreamEntropy:Windows:3:Kind"] = "Decay",
        ["StreamEntropy:Windows:3:HalfLife"] = "00:00:20",
        ["StreamEntropy:PublishInterval"] = "00:00:01",
        ["StreamEntropy:Checkpoint:Directory"] = stateDirectory,
        ["StreamEntropy:Checkpoint:Interval"] = "00:00:05",
    };
}
