using System.Globalization;
using System.Text;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Decoding;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.State;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Tests.State;

/// <summary>A taken state is built (dictionaries and (id, count) lists written) on another thread while the engine
/// counts on, as the worker does: the bytes must be those of a save of the same point by an engine that stood still.</summary>
/// <remarks>The counting during the build adds new values and pairs, so the dictionaries' arrays (value bytes, offsets,
/// pair keys) are copied into larger ones while the build reads them, and adds to old ids, so the live count arrays
/// change under it. No timing is asserted: the build only starts once counting has begun, and counting goes on until
/// the build has finished.</remarks>
public class TakenStateConcurrencyTests
{
    private const long T0 = 1_764_000_000_000;

    [Fact]
    public async Task TakenState_BuiltWhileTheEngineCountsNewValues_EqualsAQuiescentSaveOfThatPoint()
    {
        EntropyEngine counting = CreateEngine();
        EntropyEngine still = CreateEngine();
        int next = 0;
        for (int round = 0; round < 3; round++)
        {
            // Both engines at the same point; the still one saves there and is left alone.
            int target = next + 20_000;
            for (; next < target; next++)
            {
                Process(counting, next);
                Process(still, next);
            }

            TakenState taken = counting.TakeState();
            byte[] expected = Save(still);

            using var counted = new ManualResetEventSlim();
            Task<byte[]> build = Task.Run(() =>
            {
                counted.Wait();
                return taken.ToArray();
            });

            // Count on (new values, new pairs, and repeats of old ones) until the build is done; the still engine
            // catches up afterwards so that both stay at the same point for the next round.
            int countedDuring = 0;
            do
            {
                Process(counting, next + countedDuring);
                countedDuring++;
                counted.Set();
            }
            while (!build.IsCompleted);

            Assert.Equal(expected, await build);
            Assert.Equal(expected.Length, taken.Length);
            Assert.True(countedDuring > 0);
            for (int i = 0; i < countedDuring; i++)
            {
                Process(still, next + i);
            }

            next += countedDuring;
        }

        // And the engine that counted beside the builds is where the still one is.
        Assert.Equal(Save(still), Save(counting));
    }

    [Fact]
    public async Task TakenState_BuiltTwiceOrFromTwoThreads_WritesTheSameBytes()
    {
        EntropyEngine engine = CreateEngine();
        for (int i = 0; i < 5_000; i++)
        {
            Process(engine, i);
        }

        TakenState taken = engine.TakeState();
        byte[][] built = await Task.WhenAll(Task.Run(taken.ToArray), Task.Run(taken.ToArray));
        using var stream = new MemoryStream();
        taken.WriteTo(stream);
        Assert.Equal(built[0], built[1]);
        Assert.Equal(built[0], stream.ToArray());
        Assert.Equal(Save(engine), built[0]);
    }

    private static EntropyEngine CreateEngine() => new(
        new EventSchema(
            [new FieldDefinition("user", "user"), new FieldDefinition("country", "country"), new FieldDefinition("note", "note")],
            [new PairDefinition("user", "country"), new PairDefinition("country", "note")]),
        [new WindowDefinition("all", WindowKind.Cumulative), new WindowDefinition("minute", WindowKind.Tumbling, TimeSpan.FromMinutes(1))],
        EntropyEstimator.MaximumLikelihood);

    // Event i: mostly a new user (every fourth repeats an older one), 50 countries, and a note whose length varies
    // (values of every size class, some longer than the bulk writer passes through whole).
    private static void Process(EntropyEngine engine, int i)
    {
        int user = i % 4 == 3 ? i / 7 : i;
        string note = new string('n', (i * 37) % 61) + (i % 1_000 == 0 ? new string('x', 20_000) : "");
        string json = string.Create(CultureInfo.InvariantCulture, $$"""{"user":"u{{user}}","country":"c{{i % 50}}","note":"{{note}}{{i % 300}}"}""");
        Assert.Equal(DecodeError.None, engine.Process(Encoding.UTF8.GetBytes(json), T0 + i));
    }

    private static byte[] Save(EntropyEngine engine)
    {
        using var stream = new MemoryStream();
        engine.Save(stream);
        return stream.ToArray();
    }
}
