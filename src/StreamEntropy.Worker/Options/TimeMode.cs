namespace StreamEntropy.Worker.Options;

/// <summary>Which clock assigns events to windows.</summary>
public enum TimeMode
{
    /// <summary>The Kafka message timestamp.</summary>
    EventTime,

    /// <summary>The worker's clock when the event is consumed.</summary>
    ProcessingTime,
}
