using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.State;
using StreamEntropy.Streaming.Windows;

namespace StreamEntropy.Streaming.Tests.State;

/// <summary>The buffered encoder and the bulk canonical form write exactly the bytes of the previous encoder: the
/// fixtures <c>engine-state-v2-*.bin</c> were saved by it from the engines of <see cref="StateFixtureEngines"/>.</summary>
public class EngineStateEncodingTests
{
    public static TheoryData<string> Names => [.. StateFixtureEngines.Names];

    private static byte[] Fixture(string name, int save) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "State", "Fixtures", $"engine-state-v2-{name}-{save}.bin"));

    private static byte[] Save(EntropyEngine engine)
    {
        using var stream = new MemoryStream();
        engine.Save(stream);
        return stream.ToArray();
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Save_SameEngineState_WritesThePreviousEncodersBytes(string name)
    {
        EntropyEngine engine = StateFixtureEngines.Create(name);
        StateFixtureEngines.Feed(name, engine, 0, StateFixtureEngines.FirstEvents);
        Assert.Equal(Fixture(name, 1), Save(engine));

        // Counting on after a save (from the canonical form it left) and saving again.
        StateFixtureEngines.Feed(name, engine, StateFixtureEngines.FirstEvents, StateFixtureEngines.AllEvents);
        Assert.Equal(Fixture(name, 2), Save(engine));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Restore_PreviousEncodersState_SavesItAgainUnchanged(string name)
    {
        foreach (int save in (int[])[1, 2])
        {
            byte[] fixture = Fixture(name, save);
            EntropyEngine engine = StateFixtureEngines.Create(name);
            engine.Restore(new MemoryStream(fixture));
            Assert.Equal(save == 1 ? StateFixtureEngines.FirstEvents : StateFixtureEngines.AllEvents, engine.Processed + engine.Rejected);
            Assert.Equal(fixture, Save(engine));
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void TakeState_WrittenLater_IsTheStateAtTheMomentItWasTaken(string name)
    {
        EntropyEngine engine = StateFixtureEngines.Create(name);
        StateFixtureEngines.Feed(name, engine, 0, StateFixtureEngines.FirstEvents);
        TakenState taken = engine.TakeState();

        // The engine counts on before the taken state is written, as the pipeline's counting thread does.
        StateFixtureEngines.Feed(name, engine, StateFixtureEngines.FirstEvents, StateFixtureEngines.AllEvents);
        byte[] written = taken.ToArray();
        Assert.Equal(Fixture(name, 1), written);
        Assert.Equal(written.Length, taken.Length);
        using var stream = new MemoryStream();
        taken.WriteTo(stream);
        Assert.Equal(written, stream.ToArray());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void TakeState_ThenRestore_ReportsTheSameNumbersAndContinuesIdentically(string name)
    {
        EntropyEngine original = StateFixtureEngines.Create(name);
        StateFixtureEngines.Feed(name, original, 0, StateFixtureEngines.FirstEvents);
        EntropyEngine restored = StateFixtureEngines.Create(name);
        restored.Restore(new MemoryStream(original.TakeState().ToArray()));
        AssertSameSnapshots(original.Snapshot(), restored.Snapshot());

        StateFixtureEngines.Feed(name, original, StateFixtureEngines.FirstEvents, StateFixtureEngines.AllEvents);
        StateFixtureEngines.Feed(name, restored, StateFixtureEngines.FirstEvents, StateFixtureEngines.AllEvents);
        AssertSameSnapshots(original.Snapshot(), restored.Snapshot());
    }

    private static void AssertSameSnapshots(IReadOnlyList<WindowSnapshot> expected, IReadOnlyList<WindowSnapshot> actual)
    {
        // Record equality compares every double bit for bit.
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i] with { Fields = [], Pairs = [] }, actual[i] with { Fields = [], Pairs = [] });
            Assert.Equal(expected[i].Fields, actual[i].Fields);
            Assert.Equal(expected[i].Pairs, actual[i].Pairs);
        }
    }
}
