using System.Text.Json;
using Confluent.Kafka;
using StreamEntropy.IntegrationTests.Infrastructure;
using StreamEntropy.Streaming.Demo;

namespace StreamEntropy.IntegrationTests.Pipeline;

/// <summary>A drift alert survives SIGKILL: the real executable raises it, is killed while the drift goes on and
/// restarted; the alert stays raised (no second raise, nothing cleared) until the stream returns to its reference.</summary>
/// <remarks>Event time, one input partition, 1-second tumbling windows of 1500 demo events: seconds 0–2 normal, 3–8
/// drifted (DE from about 10 % to 30 %, device independent of country), 9–12 normal again. The reference is captured
/// from a complete window before the drift; the alert is raised when window 4 closes (two drifted windows), the worker
/// is killed after a checkpoint that holds it, and restarted before seconds 6–13 are produced. Standalone mode keeps the
/// drift state in the checkpoint file; Group mode in the state topic, restored when the partitions are assigned again.</remarks>
[Collection(WorkerProcessCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class DriftRestartProcessTests(KafkaFixture kafka) : IDisposable
{
    private const int PerSecond = 1500;
    private const string AlertKey = "second/country/field-psi";
    private static readonly long T0 = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private readonly string _dir = Directory.CreateTempSubdirectory("se-drift-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("Standalone")]
    [InlineData("Group")]
    public async Task Sigkill_InTheMiddleOfADrift_AlertStaysRaised_ClearsWhenTheStreamReturns(string mode)
    {
        string topic = KafkaFixture.UniqueTopic("drift-kill");
        string alerts = KafkaFixture.UniqueTopic("drift-alerts");
        string state = KafkaFixture.UniqueTopic("drift-state");
        await kafka.CreateTopicAsync(topic, 1);
        var extra = new Dictionary<string, object> { ["Drift"] = new { Enabled = true } };
        if (mode == "Group")
        {
            string partials = KafkaFixture.UniqueTopic("drift-partials");
            await kafka.CreateTopicAsync(state, 1);
            await kafka.CreateTopicAsync(partials, 2);
            extra["Scaling"] = new { Mode = "Group", StateTopic = state, PartialsTopic = partials, MaxLagWindows = 3 };
        }

        string config = PipelineHarness.WriteWorkerConfig(
            _dir, kafka.BootstrapServers, topic, KafkaFixture.UniqueTopic("drift-out"), alerts, new[] { new { Name = "second", Kind = "Tumbling", Size = "00:00:01" } }, extra);
        var generator = new DemoEventGenerator(seed: 3, malformedShare: 0);

        // First life: until the alert is raised and a checkpoint written after it, then SIGKILL.
        await ProduceAsync(topic, generator, 0, (6 * PerSecond) + 1); // seconds 0–5 and the first event of 6
        using (WorkerProcess first = WorkerProcess.Start(config, "first"))
        {
            List<ConsumeResult<string?, byte[]>> raised = PipelineHarness.ReadUntil(
                kafka.BootstrapServers, alerts, rs => rs.Any(r => r.Message.Key == AlertKey), TimeSpan.FromSeconds(90));
            DateTime seen = DateTime.UtcNow;
            Assert.False(first.Process.HasExited, $"the first worker exited: {first.Tail()}");
            Assert.Equal("raised", State(Assert.Single(raised, r => r.Message.Key == AlertKey)));
            if (mode == "Group")
            {
                // The merged drift state record of the partials partition that scores the subject, written after the raise.
                PipelineHarness.ReadUntil(
                    kafka.BootstrapServers,
                    state,
                    rs => rs.Any(r => r.Message.Key?.Contains("/#drift/", StringComparison.Ordinal) == true && r.Message.Timestamp.UtcDateTime > seen),
                    TimeSpan.FromSeconds(60));
            }
            else
            {
                await WaitForCheckpointAfterAsync(seen);
            }

            await first.KillAsync();
        }

        // Second life: restored, the alert is still raised before anything new arrives.
        using WorkerProcess second = WorkerProcess.Start(config, "second");
        JsonElement active = await WaitForActiveAlertAsync(second);
        Assert.Equal("raised", active.GetProperty("state").GetString());
        Assert.Equal("psi", active.GetProperty("metric").GetString());

        // The drift goes on for three more seconds, then the stream returns; one event of second 13 closes second 12.
        await ProduceAsync(topic, generator, (6 * PerSecond) + 1, (13 * PerSecond) + 1);
        List<ConsumeResult<string?, byte[]>> records = PipelineHarness.ReadUntil(
            kafka.BootstrapServers, alerts, rs => rs.Count(r => r.Message.Key == AlertKey) >= 2, TimeSpan.FromSeconds(90));
        string[] transitions = [.. records.Where(r => r.Message.Key == AlertKey).Select(r => $"{State(r)} {Timestamp(r)}")];

        // Raised once, when second 4 closed; cleared once, when second 10 closed (seconds 9 and 10 back to normal).
        Assert.Equal([$"raised {Iso(T0 + 5_000)}", $"cleared {Iso(T0 + 11_000)}"], transitions);
        Assert.False(second.Process.HasExited, $"the second worker exited: {second.Tail()}");
        await second.KillAsync();
    }

    [Fact]
    public async Task GroupMode_OwnerOfTheAlertKilled_SurvivorTakesOverTheRaisedAlert_ClearsWhenTheStreamReturns()
    {
        string topic = KafkaFixture.UniqueTopic("drift-rebalance");
        string alerts = KafkaFixture.UniqueTopic("drift-alerts");
        string state = KafkaFixture.UniqueTopic("drift-state");
        string partials = KafkaFixture.UniqueTopic("drift-partials");
        await kafka.CreateTopicAsync(topic, 1);
        await kafka.CreateTopicAsync(state, 1);
        await kafka.CreateTopicAsync(partials, 4);
        string config = PipelineHarness.WriteWorkerConfig(
            _dir,
            kafka.BootstrapServers,
            topic,
            KafkaFixture.UniqueTopic("drift-out"),
            alerts,
            new[] { new { Name = "second", Kind = "Tumbling", Size = "00:00:01" } },
            new Dictionary<string, object>
            {
                ["Drift"] = new { Enabled = true },
                ["Scaling"] = new { Mode = "Group", StateTopic = state, PartialsTopic = partials, MaxLagWindows = 3 },
            });
        var generator = new DemoEventGenerator(seed: 4, malformedShare: 0);
        using WorkerProcess a = WorkerProcess.Start(config, "a");
        using WorkerProcess b = WorkerProcess.Start(config, "b");
        // Both in the group before any event, so that the partials partitions are spread over the two.
        await WaitUntilAsync(() => a.OwnsInput(partials) && b.OwnsInput(partials), "both instances own partials partitions", a, b);

        await ProduceAsync(topic, generator, 0, (6 * PerSecond) + 1);
        PipelineHarness.ReadUntil(kafka.BootstrapServers, alerts, rs => rs.Any(r => r.Message.Key == AlertKey), TimeSpan.FromSeconds(90));
        DateTime seen = DateTime.UtcNow;
        PipelineHarness.ReadUntil(
            kafka.BootstrapServers,
            state,
            rs => rs.Any(r => r.Message.Key?.Contains("/#drift/", StringComparison.Ordinal) == true && r.Message.Timestamp.UtcDateTime > seen),
            TimeSpan.FromSeconds(60));

        // The instance that scores country shows the alert; kill it. The other takes its partitions over.
        WorkerProcess owner = await HasActiveAlertAsync(a) ? a : b;
        WorkerProcess survivor = owner == a ? b : a;
        Assert.True(await HasActiveAlertAsync(owner), $"neither instance shows the alert; a: {a.Tail()}; b: {b.Tail()}");
        await owner.KillAsync();
        JsonElement active = await WaitForActiveAlertAsync(survivor);
        Assert.Equal("raised", active.GetProperty("state").GetString());

        await ProduceAsync(topic, generator, (6 * PerSecond) + 1, (13 * PerSecond) + 1);
        List<ConsumeResult<string?, byte[]>> records = PipelineHarness.ReadUntil(
            kafka.BootstrapServers, alerts, rs => rs.Count(r => r.Message.Key == AlertKey) >= 2, TimeSpan.FromSeconds(90));
        string[] transitions = [.. records.Where(r => r.Message.Key == AlertKey).Select(r => $"{State(r)} {Timestamp(r)}")];
        Assert.Equal([$"raised {Iso(T0 + 5_000)}", $"cleared {Iso(T0 + 11_000)}"], transitions);
        Assert.False(survivor.Process.HasExited, $"the survivor exited: {survivor.Tail()}");
    }

    [Fact]
    public async Task Sigkill_StationaryStream_RaisesNothing_AndKeepsItsReference()
    {
        string topic = KafkaFixture.UniqueTopic("drift-quiet");
        await kafka.CreateTopicAsync(topic, 1);
        string config = PipelineHarness.WriteWorkerConfig(
            _dir,
            kafka.BootstrapServers,
            topic,
            KafkaFixture.UniqueTopic("drift-out"),
            KafkaFixture.UniqueTopic("drift-alerts"),
            new[] { new { Name = "second", Kind = "Tumbling", Size = "00:00:01" } },
            new Dictionary<string, object> { ["Drift"] = new { Enabled = true } });
        var generator = new DemoEventGenerator(seed: 6, malformedShare: 0);

        await ProduceAsync(topic, generator, 0, (6 * PerSecond) + 1, drift: false);
        using (WorkerProcess first = WorkerProcess.Start(config, "first"))
        {
            JsonElement alerts = await WaitForScoredAsync(first, T0 + 6_000);
            DateTime scored = DateTime.UtcNow;
            Assert.Empty(alerts.GetProperty("recent").EnumerateArray());
            await WaitForCheckpointAfterAsync(scored);

            await first.KillAsync();
        }

        using WorkerProcess second = WorkerProcess.Start(config, "second");
        // Restored and serving (the restored reference is published) before more events arrive.
        await WaitForAlertsAsync(second, doc => doc.GetProperty("references").EnumerateArray().Any(r => r.GetProperty("origin").GetString() == "captured"), "the restored reference");
        await ProduceAsync(topic, generator, (6 * PerSecond) + 1, (13 * PerSecond) + 1, drift: false);
        JsonElement after = await WaitForScoredAsync(second, T0 + 13_000);

        Assert.Empty(after.GetProperty("active").EnumerateArray());
        Assert.Empty(after.GetProperty("recent").EnumerateArray());
        JsonElement reference = Assert.Single(after.GetProperty("references").EnumerateArray());
        Assert.Equal("captured", reference.GetProperty("origin").GetString());
        Assert.Equal(Iso(T0), reference.GetProperty("windowStart").GetString()); // the first complete window, kept through the kill
        Assert.Equal(PerSecond, reference.GetProperty("events").GetInt64());
        await second.KillAsync();
    }

    // Polls /api/alerts until the drift scores are those of the window ending at endMs, and returns the document.
    private static Task<JsonElement> WaitForScoredAsync(WorkerProcess worker, long endMs) =>
        WaitForAlertsAsync(
            worker,
            doc => doc.GetProperty("drift").EnumerateArray().Any(d => d.GetProperty("windowEnd").GetString() == Iso(endMs)),
            $"the scores of the window ending {Iso(endMs)}");

    private static async Task<JsonElement> WaitForAlertsAsync(WorkerProcess worker, Func<JsonElement, bool> ready, string what)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        DateTime deadline = DateTime.UtcNow.AddSeconds(90);
        string last = "";
        while (DateTime.UtcNow < deadline && !worker.Process.HasExited)
        {
            if (worker.ListeningOn() is { } address)
            {
                try
                {
                    last = await http.GetStringAsync(new Uri(address, "api/alerts"));
                    using JsonDocument doc = JsonDocument.Parse(last);
                    if (ready(doc.RootElement))
                    {
                        return doc.RootElement.Clone();
                    }
                }
                catch (HttpRequestException)
                {
                    // not serving yet
                }
            }

            await Task.Delay(200);
        }

        throw new Xunit.Sdk.XunitException($"{worker.Name} did not show {what} within 90 s; last /api/alerts: {last}; log: {worker.Tail()}");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, params WorkerProcess[] workers)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(90);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline || workers.Any(w => w.Process.HasExited))
            {
                throw new Xunit.Sdk.XunitException($"not reached within 90 s: {what}; {string.Join("; ", workers.Select(w => $"{w.Name}: {w.Tail()}"))}");
            }

            await Task.Delay(100);
        }
    }

    private static async Task<bool> HasActiveAlertAsync(WorkerProcess worker)
    {
        if (worker.ListeningOn() is not { } address)
        {
            return false;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using JsonDocument doc = JsonDocument.Parse(await http.GetStringAsync(new Uri(address, "api/alerts")));
        return doc.RootElement.GetProperty("active").EnumerateArray()
            .Any(a => a.GetProperty("rule").GetString() == "field-psi" && a.TryGetProperty("field", out JsonElement f) && f.GetString() == "country");
    }

    private static string State(ConsumeResult<string?, byte[]> r) => JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("state").GetString()!;

    private static string Timestamp(ConsumeResult<string?, byte[]> r) => JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("timestamp").GetString()!;

    private static string Iso(long ms) => Streaming.Output.SnapshotRecords.FormatTime(DateTimeOffset.FromUnixTimeMilliseconds(ms));

    // Demo events k = from … to − 1 of the stream: PerSecond per second from T0, drifted in seconds 3–8.
    // Waits (up to 60 s) until a checkpoint file in the state directory was written after `after`.
    private async Task WaitForCheckpointAfterAsync(DateTime after)
    {
        string directory = Path.Combine(_dir, "state");
        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Directory.EnumerateFiles(directory, "*.checkpoint").Any(f => File.GetLastWriteTimeUtc(f) > after) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }

    private async Task ProduceAsync(string topic, DemoEventGenerator generator, int from, int to, bool drift = true)
    {
        using IProducer<Null, byte[]> producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers, LingerMs = 5 }).Build();
        for (int k = from; k < to; k++)
        {
            int second = k / PerSecond;
            generator.Drifted = drift && second is >= 3 and <= 8;
            long t = T0 + (second * 1000L) + (k % PerSecond * 1000L / PerSecond);
            producer.Produce(topic, new Message<Null, byte[]> { Value = generator.Next().ToArray(), Timestamp = new Timestamp(t, TimestampType.CreateTime) });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        await Task.CompletedTask;
    }

    // Polls the restarted worker's /api/alerts until the alert is active (the restore happens when the worker has its
    // partitions, in Group mode after the dead member's session has timed out).
    private static async Task<JsonElement> WaitForActiveAlertAsync(WorkerProcess worker)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        DateTime deadline = DateTime.UtcNow.AddSeconds(90);
        string last = "";
        while (DateTime.UtcNow < deadline && !worker.Process.HasExited)
        {
            if (worker.ListeningOn() is { } address)
            {
                try
                {
                    last = await http.GetStringAsync(new Uri(address, "api/alerts"));
                    using JsonDocument doc = JsonDocument.Parse(last);
                    foreach (JsonElement a in doc.RootElement.GetProperty("active").EnumerateArray())
                    {
                        if (a.GetProperty("rule").GetString() == "field-psi" && a.TryGetProperty("field", out JsonElement f) && f.GetString() == "country")
                        {
                            return a.Clone();
                        }
                    }
                }
                catch (HttpRequestException)
                {
                    // not serving yet
                }
            }

            await Task.Delay(200);
        }

        throw new Xunit.Sdk.XunitException($"the restarted worker showed no active country/field-psi alert within 90 s; last /api/alerts: {last}; log: {worker.Tail()}");
    }
}
