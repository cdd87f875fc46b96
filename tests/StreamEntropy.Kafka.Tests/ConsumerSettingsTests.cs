using Confluent.Kafka;
using StreamEntropy.Kafka.Pipeline;

namespace StreamEntropy.Kafka.Tests;

/// <summary>The input consumer's configuration: tuning defaults, the user's <c>Kafka:Client</c> settings over them, and
/// the settings exactly-once counting relies on over both.</summary>
public sealed class ConsumerSettingsTests
{
    private static PipelineSettings Settings(Dictionary<string, string> client) => new()
    {
        BootstrapServers = "127.0.0.1:9092",
        GroupId = "g",
        Topics = ["events"],
        OutputTopic = "out",
        DeadLetterTopic = "dead",
        CheckpointDirectory = "state",
        Client = client,
    };

    [Fact]
    public void Build_AppliesTheTuningDefaults_WhenKafkaClientSetsNone()
    {
        ConsumerConfig config = ConsumerSettings.Build(Settings([]));

        Assert.Equal(1_000_000, config.QueuedMinMessages);
        Assert.NotEmpty(ConsumerSettings.Defaults);
        foreach ((string key, string value) in ConsumerSettings.Defaults)
        {
            Assert.Equal(value, config.Get(key));
        }
    }

    [Fact]
    public void Build_KafkaClientSettingsWinOverTheDefaults_AndAddToThem()
    {
        ConsumerConfig config = ConsumerSettings.Build(Settings(new Dictionary<string, string>
        {
            ["queued.min.messages"] = "5000",
            ["fetch.wait.max.ms"] = "250",
        }));

        Assert.Equal(5000, config.QueuedMinMessages);
        Assert.Equal(250, config.FetchWaitMaxMs);
    }

    [Fact]
    public void Build_KeepsWhatExactlyOnceReliesOn_WhateverKafkaClientSays()
    {
        ConsumerConfig config = ConsumerSettings.Build(Settings(new Dictionary<string, string>
        {
            ["enable.auto.offset.store"] = "true",
            ["group.id"] = "other",
            ["bootstrap.servers"] = "elsewhere:9092",
        }));

        Assert.False(config.EnableAutoOffsetStore);
        Assert.True(config.EnableAutoCommit);
        Assert.Equal("g", config.GroupId);
        Assert.Equal("127.0.0.1:9092", config.BootstrapServers);
        Assert.Equal(AutoOffsetReset.Earliest, config.AutoOffsetReset);
    }
}
