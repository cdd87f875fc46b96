using System.Text.Json;
using Confluent.Kafka;
using StreamEntropy.Core.Estimation;
using StreamEntropy.IntegrationTests.Infrastructure;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Kafka.State;
using StreamEntropy.Streaming.Counting;

namespace StreamEntropy.IntegrationTests.Pipeline;

[Collection(KafkaCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class EntropyPipelineTests(KafkaFixture kafka) : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("se-pipeline-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Fact]
    public async Task Run_KnownEvents_OutputEqualsProfileAndMalformedAreDeadLettered()
    {
        string topic = KafkaFixture.UniqueTopic("in");
        string output = KafkaFixture.UniqueTopic("out");
        string dead = KafkaFixture.UniqueTopic("dead");
        await kafka.CreateTopicAsync(topic, 3);
        List<byte[]> events = PipelineHarness.Events(5000, seed: 7);
        await PipelineHarness.ProduceAsync(kafka.BootstrapServers, topic, events);
        FrequencySet reference = PipelineHarness.Profile(events, out int valid);
        Assert.True(valid < events.Count, "the event set should contain malformed events");

        using EntropyPipeline pipeline = PipelineHarness.CreatePipeline(kafka.BootstrapServers, topic, KafkaFixture.UniqueGroup("e2e"), output, dead, _state);
        await RunUntilAsync(pipeline, p => p.Latest is { } l && l.Processed + l.Rejected == events.Count);

        Assert.Equal(valid, pipeline.Latest!.Processed);
        Assert.Equal(events.Count - valid, pipeline.Latest.Rejected);

        List<ConsumeResult<string?, byte[]>> records = PipelineHarness.ReadUntil(
            kafka.BootstrapServers,
            output,
            rs => PipelineHarness.AllKeys.All(k => PipelineHarness.Latest(rs, $"all/{k}") is { } r && r.GetProperty("windowEvents").GetInt64() == valid),
            TimeSpan.FromSeconds(30));
        for (int f = 0; f < reference.Encoder.Schema.Fields.Count; f++)
        {
            FieldResult expected = ResultCalculator.Field(reference, f, EntropyEstimator.MaximumLikelihood);
            JsonElement actual = PipelineHarness.Latest(records, $"all/{expected.Name}") ?? throw new Xunit.Sdk.XunitException($"no record for {expected.Name}");
            Assert.Equal(expected.Count, actual.GetProperty("count").GetInt64());
            Assert.Equal(expected.Distinct, actual.GetProperty("distinct").GetInt32());
            Assert.Equal(expected.Missing, actual.GetProperty("missing").GetInt64());
            AssertClose(expected.Entropy, actual.GetProperty("entropy").GetDouble(), $"H({expected.Name})");
            AssertClose(expected.StandardError, actual.GetProperty("standardError").GetDouble(), $"SE({expected.Name})");
            Assert.Equal("nats", actual.GetProperty("unit").GetString());
        }

        for (int p = 0; p < reference.Encoder.Schema.Pairs.Count; p++)
        {
            PairResult expected = ResultCalculator.Pair(reference, p, EntropyEstimator.MaximumLikelihood);
            JsonElement actual = PipelineHarness.Latest(records, $"all/{expected.Key}") ?? throw new Xunit.Sdk.XunitException($"no record for {expected.Key}");
            Assert.Equal(expected.X, actual.GetProperty("pair").GetProperty("x").GetString());
            AssertClose(expected.Entropies.Joint, actual.GetProperty("joint").GetDouble(), "joint");
            AssertClose(expected.Entropies.ConditionalYGivenX, actual.GetProperty("conditionalYGivenX").GetDouble(), "H(Y|X)");
            AssertClose(expected.Entropies.ConditionalXGivenY, actual.GetProperty("conditionalXGivenY").GetDouble(), "H(X|Y)");
            AssertClose(expected.Entropies.MutualInformation, actual.GetProperty("mutualInformation").GetDouble(), "I");
        }

        List<ConsumeResult<string?, byte[]>> deadLetters = PipelineHarness.ReadUntil(kafka.BootstrapServers, dead, rs => rs.Count >= events.Count - valid, TimeSpan.FromSeconds(30));
        Assert.Equal(events.Count - valid, deadLetters.Count);
        foreach (ConsumeResult<string?, byte[]> d in deadLetters)
        {
            Assert.False(PipelineHarness.IsObject(d.Message.Value));
            Assert.Equal(topic, PipelineHarness.Header(d.Message.Headers, "source.topic"));
            Assert.NotEmpty(PipelineHarness.Header(d.Message.Headers, "error"));
            Assert.True(long.Parse(PipelineHarness.Header(d.Message.Headers, "source.offset"), System.Globalization.CultureInfo.InvariantCulture) >= 0);
        }
    }

    [Fact]
    public async Task Run_CrashWithCountedButUncheckpointedEvents_RestartReplaysThemExactlyAndDeadLettersEachOnce()
    {
        string topic = KafkaFixture.UniqueTopic("crash");
        string output = KafkaFixture.UniqueTopic("out");
        string dead = KafkaFixture.UniqueTopic("dead");
        string group = KafkaFixture.UniqueGroup("crash");
        await kafka.CreateTopicAsync(topic, 2);
        List<byte[]> all = PipelineHarness.Events(3000, seed: 11, malformedShare: 0.05);
        await PipelineHarness.ProduceAsync(kafka.BootstrapServers, topic, all);

        // First life: dies without the graceful stop (no final checkpoint, no commit, no group leave), as after a
        // crash, once 1000 events (about 50 of them malformed, so dead-lettered) are counted past its last checkpoint.
        long firstLifeRead;
        long uncheckpointed;
        using (EntropyPipeline pipeline = PipelineHarness.CreatePipeline(kafka.BootstrapServers, topic, group, output, dead, _state))
        {
            pipeline.CrashAfterUncheckpointedEvents = 1000;
            var thread = Task.Factory.StartNew(() => pipeline.Run(CancellationToken.None), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            DateTime end = DateTime.UtcNow.AddSeconds(45);
            while (!thread.IsCompleted && !(pipeline.Health.CheckpointsWritten > 0 && pipeline.EventsRead == all.Count) && DateTime.UtcNow < end)
            {
                await Task.Delay(50);
            }

            if (!thread.IsCompleted)
            {
                // Everything so far is checkpointed: more events, and the crash comes 1000 events into them.
                List<byte[]> more = PipelineHarness.Events(3000, seed: 12, malformedShare: 0.05);
                await PipelineHarness.ProduceAsync(kafka.BootstrapServers, topic, more);
                all.AddRange(more);
            }

            Exception? crash = await Record.ExceptionAsync(() => thread.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.IsType<SimulatedCrashException>(crash);
            firstLifeRead = pipeline.EventsRead;
            uncheckpointed = pipeline.EventsSinceLastCheckpoint;
        }

        Assert.True(uncheckpointed >= 1000, $"the crash came {uncheckpointed} events after the last checkpoint");

        // The dead letters of replayed events that reached the broker before the crash (a crash loses those still in
        // the producer's queue, so how many did depends on timing): exactly these must not be written again.
        string checkpointPath = Directory.EnumerateFiles(_state, "*.checkpoint").Single();
        IReadOnlyDictionary<(string Topic, int Partition), long> covered = CheckpointStore.Deserialize(File.ReadAllBytes(checkpointPath), checkpointPath).Offsets;
        int landedInReplay = PipelineHarness.ReadAll(kafka.BootstrapServers, dead).Count(d =>
            PipelineHarness.Header(d.Message.Headers, "source.topic") == topic
            && long.Parse(PipelineHarness.Header(d.Message.Headers, "source.offset"), System.Globalization.CultureInfo.InvariantCulture)
                >= covered.GetValueOrDefault((topic, int.Parse(PipelineHarness.Header(d.Message.Headers, "source.partition"), System.Globalization.CultureInfo.InvariantCulture))));
        FrequencySet reference = PipelineHarness.Profile(all, out int valid);

        using EntropyPipeline restarted = PipelineHarness.CreatePipeline(kafka.BootstrapServers, topic, group, output, dead, _state);
        await RunUntilAsync(restarted, p => p.Latest is { } l && l.Processed >= valid && l.Processed + l.Rejected >= all.Count, TimeSpan.FromSeconds(60));

        // The second life restored less than the first had counted, so it read those events again ...
        long replayed = firstLifeRead - restarted.RestoredEvents;
        Assert.True(replayed >= uncheckpointed, $"the second life restored {restarted.RestoredEvents} of the {firstLifeRead} events the first had counted");
        Assert.Equal(landedInReplay, restarted.DeadLettersSkipped);

        // ... and still ends exact: nothing lost, nothing counted twice, every malformed event dead-lettered once.
        Assert.Equal(valid, restarted.Latest!.Processed);
        Assert.Equal(all.Count - valid, restarted.Latest.Rejected);
        var snapshot = restarted.Latest.Windows.Single(w => w.Window == "all");
        for (int f = 0; f < reference.Encoder.Schema.Fields.Count; f++)
        {
            FieldResult expected = ResultCalculator.Field(reference, f, EntropyEstimator.MaximumLikelihood);
            FieldResult actual = snapshot.Fields[f];
            Assert.Equal(expected.Count, actual.Count);
            Assert.Equal(expected.Missing, actual.Missing);
            AssertClose(expected.Entropy, actual.Entropy, $"H({expected.Name})");
        }

        PipelineHarness.AssertOneDeadLetterEach(PipelineHarness.ReadAll(kafka.BootstrapServers, dead), topic, all);
    }

    private static async Task RunUntilAsync(EntropyPipeline pipeline, Func<EntropyPipeline, bool> done, TimeSpan? deadline = null)
    {
        using var cts = new CancellationTokenSource();
        var thread = Task.Factory.StartNew(() => pipeline.Run(cts.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        DateTime end = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(45));
        while (!done(pipeline) && DateTime.UtcNow < end && !thread.IsCompleted)
        {
            await Task.Delay(100);
        }

        cts.Cancel();
        await thread.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(done(pipeline), "the pipeline did not reach the expected state in time");
    }
}
