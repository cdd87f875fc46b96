using System.Reactive.Concurrency;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using StreamEntropy.Core.Estimation;
using StreamEntropy.IntegrationTests.Infrastructure;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Demo;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Profiling;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.IntegrationTests.Pipeline;

/// <summary>Shared pieces of the pipeline tests: the demo schema, event sets, reading the output topic, the reference profile.</summary>
internal static class PipelineHarness
{
    public static readonly FieldDefinition[] Fields =
    [
        new("country", "user.country"),
        new("device", "user.device"),
        new("page", "page"),
        new("status", "status"),
        new("amount", "amount", 10),
    ];

    public static readonly PairDefinition[] Pairs = [new("country", "device"), new("page", "status")];

    public static EventSchema Schema => new(Fields, Pairs);

    /// <summary>Every record key suffix of a window: field names and pair keys (output records spread over partitions by key).</summary>
    public static IEnumerable<string> AllKeys => Fields.Select(f => f.Name).Concat(Pairs.Select(p => p.Key));

    /// <summary>Demo events (with ~0.5 % malformed ones, or <paramref name="malformedShare"/>) as raw bytes.</summary>
    public static List<byte[]> Events(int count, int seed, double malformedShare = 0.005)
    {
        var generator = new DemoEventGenerator(seed, malformedShare);
        var events = new List<byte[]>(count);
        for (int i = 0; i < count; i++)
        {
            generator.Drifted = i > count / 2;
            events.Add(generator.Next().ToArray());
        }

        return events;
    }

    /// <summary>Produces <paramref name="events"/> without keys: spread by librdkafka's partitioner, or round robin over
    /// <paramref name="roundRobinPartitions"/> partitions when given (every partition then gets its share).</summary>
    public static async Task ProduceAsync(string bootstrap, string topic, IReadOnlyList<byte[]> events, DateTimeOffset? timestamp = null, int roundRobinPartitions = 0)
    {
        using IProducer<Null, byte[]> producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5 }).Build();
        for (int i = 0; i < events.Count; i++)
        {
            var message = new Message<Null, byte[]> { Value = events[i] };
            if (timestamp is { } t)
            {
                message.Timestamp = new Timestamp(t);
            }

            if (roundRobinPartitions > 0)
            {
                producer.Produce(new TopicPartition(topic, new Partition(i % roundRobinPartitions)), message);
            }
            else
            {
                producer.Produce(topic, message);
            }
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        await Task.CompletedTask;
    }

    /// <summary>The reference: `profile`'s counting of the same events, written as a JSON Lines file.</summary>
    public static FrequencySet Profile(IReadOnlyList<byte[]> events, out int valid)
    {
        string path = Path.Combine(Path.GetTempPath(), $"pipeline-{Guid.NewGuid():N}.jsonl");
        valid = 0;
        try
        {
            using (var file = File.Create(path))
            {
                foreach (byte[] e in events)
                {
                    if (IsObject(e))
                    {
                        file.Write(e);
                        file.WriteByte((byte)'\n');
                        valid++;
                    }
                }
            }

            var set = new FrequencySet(new EventEncoder(Schema));
            FileProfiler.Count(path, InputFormat.JsonLines, set);
            return set;
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static bool IsObject(byte[] e)
    {
        try
        {
            using var doc = JsonDocument.Parse(e);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static EntropyPipeline CreatePipeline(string bootstrap, string topic, string group, string output, string deadLetters, string stateDirectory, IReadOnlyList<WindowDefinition>? windows = null, bool useEventTime = true, ScaleOutSettings? scaleOut = null, int maxEventBytes = 1 << 20, bool batchPoll = true)
    {
        var settings = new PipelineSettings
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            Topics = [topic],
            OutputTopic = output,
            DeadLetterTopic = deadLetters,
            Client = new Dictionary<string, string> { ["session.timeout.ms"] = "6000" },
            PublishInterval = TimeSpan.FromMilliseconds(300),
            CheckpointInterval = TimeSpan.FromMilliseconds(500),
            CheckpointDirectory = stateDirectory,
            Base = LogBase.Nats,
            UseEventTime = useEventTime,
            ScaleOut = scaleOut,
            MaxEventBytes = maxEventBytes,
            BatchPoll = batchPoll,
        };
        return new EntropyPipeline(
            settings,
            () => new EntropyEngine(Schema, windows ?? [new WindowDefinition("all", WindowKind.Cumulative)], EntropyEstimator.MaximumLikelihood, maxEventBytes),
            NullLogger.Instance,
            TimeProvider.System,
            DefaultScheduler.Instance);
    }

    /// <summary>Reads every record of a topic from the beginning until <paramref name="done"/> holds or the deadline passes.</summary>
    public static List<ConsumeResult<string?, byte[]>> ReadUntil(string bootstrap, string topic, Func<List<ConsumeResult<string?, byte[]>>, bool> done, TimeSpan deadline)
    {
        using IConsumer<string?, byte[]> consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"reader-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var records = new List<ConsumeResult<string?, byte[]>>();
        DateTime end = DateTime.UtcNow + deadline;
        while (DateTime.UtcNow < end && !done(records))
        {
            try
            {
                ConsumeResult<string?, byte[]>? r = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (r?.Message is not null)
                {
                    records.Add(r);
                }
            }
            catch (ConsumeException e) when (!e.Error.IsFatal)
            {
                // The topic may not exist yet (the worker creates it with its first record): keep polling.
            }
        }

        consumer.Close();
        return records;
    }

    /// <summary>Reads every record a topic holds now (from each partition's start to its current end).</summary>
    public static List<ConsumeResult<string?, byte[]?>> ReadAll(string bootstrap, string topic)
    {
        using IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        int partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Count;
        using IConsumer<string?, byte[]?> consumer = new ConsumerBuilder<string?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"reader-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
        }).Build();
        var ends = new Dictionary<int, long>();
        var assignment = new List<TopicPartitionOffset>();
        for (int p = 0; p < partitions; p++)
        {
            var tp = new TopicPartition(topic, new Partition(p));
            WatermarkOffsets marks = consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10));
            if (marks.High.Value > marks.Low.Value)
            {
                ends[p] = marks.High.Value;
                assignment.Add(new TopicPartitionOffset(tp, marks.Low));
            }
        }

        consumer.Assign(assignment);
        var records = new List<ConsumeResult<string?, byte[]?>>();
        DateTime deadline = DateTime.UtcNow + TestClients.Deadline;
        while (ends.Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{topic} was not read to its end within {TestClients.Deadline}");
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { Message: not null } r)
            {
                records.Add(r);
                if (r.Offset.Value + 1 >= ends[r.Partition.Value])
                {
                    ends.Remove(r.Partition.Value);
                }
            }
        }

        return records;
    }

    /// <summary>Asserts that the dead-letter records hold exactly one record per malformed event of
    /// <paramref name="events"/> (which were produced to <paramref name="topic"/> in order, with no key, by
    /// <see cref="ProduceAsync"/>): same count, no source offset twice, each value a malformed event.</summary>
    public static void AssertOneDeadLetterEach(List<ConsumeResult<string?, byte[]?>> deadLetters, string topic, IReadOnlyList<byte[]> events)
    {
        int malformed = events.Count(e => !IsObject(e));
        var sources = deadLetters.Select(d => (Header(d.Message.Headers, "source.topic"), Header(d.Message.Headers, "source.partition"), Header(d.Message.Headers, "source.offset"))).ToList();
        var repeated = sources.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => $"{g.Key} ×{g.Count()}").ToList();
        Assert.True(repeated.Count == 0, $"dead letters written more than once: {string.Join(", ", repeated)}");
        Assert.Equal(malformed, deadLetters.Count);
        Assert.All(deadLetters, d =>
        {
            Assert.Equal(topic, Header(d.Message.Headers, "source.topic"));
            Assert.False(d.Message.Value is { } v && IsObject(v));
        });
    }

    /// <summary>The latest output record with key <paramref name="key"/>, parsed.</summary>
    public static JsonElement? Latest(List<ConsumeResult<string?, byte[]>> records, string key)
    {
        for (int i = records.Count - 1; i >= 0; i--)
        {
            if (records[i].Message.Key == key)
            {
                return JsonDocument.Parse(records[i].Message.Value).RootElement.Clone();
            }
        }

        return null;
    }

    public static string Header(Headers headers, string name) =>
        headers.TryGetLastBytes(name, out byte[] value) ? Encoding.UTF8.GetString(value) : "";

    /// <summary>Writes a <c>run --config</c> file for the harness's fields and pairs, publishing and checkpointing
    /// every few hundred milliseconds, with a 6 s session timeout (a killed member leaves the group quickly).</summary>
    /// <param name="directory">Where to write the file.</param>
    /// <param name="bootstrap">The broker.</param>
    /// <param name="topic">The input topic.</param>
    /// <param name="output">The output topic.</param>
    /// <param name="alertTopic">The alert topic, or "" for none.</param>
    /// <param name="windows">The <c>Windows</c> section.</param>
    /// <param name="extra">More sections of <c>StreamEntropy</c> (Drift, Scaling), added or replacing.</param>
    /// <param name="deadLetterTopic">The dead-letter topic; a fresh one if null.</param>
    public static string WriteWorkerConfig(string directory, string bootstrap, string topic, string output, string alertTopic, object windows, IReadOnlyDictionary<string, object>? extra = null, string? deadLetterTopic = null)
    {
        var section = new Dictionary<string, object>
        {
            ["Kafka"] = new
            {
                BootstrapServers = bootstrap,
                GroupId = KafkaFixture.UniqueGroup("worker"),
                Topics = new[] { topic },
                OutputTopic = output,
                DeadLetterTopic = deadLetterTopic ?? KafkaFixture.UniqueTopic("dead"),
                AlertTopic = alertTopic,
                Client = new Dictionary<string, string> { ["session.timeout.ms"] = "6000" },
            },
            ["Fields"] = Fields.Select(f => f.BinWidth is double w ? (object)new { f.Name, f.Path, BinWidth = w } : new { f.Name, f.Path }),
            ["Pairs"] = Pairs.Select(p => new { p.X, p.Y }),
            ["Windows"] = windows,
            ["Base"] = "e",
            ["PublishInterval"] = "00:00:00.300",
            ["Checkpoint"] = new { Directory = Path.Combine(directory, "state"), Interval = "00:00:00.200" },
        };
        foreach ((string key, object value) in extra ?? new Dictionary<string, object>())
        {
            section[key] = value;
        }

        string path = Path.Combine(directory, $"config-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new { StreamEntropy = section }));
        return path;
    }
}
