using System.Globalization;
using System.Text;
using Spectre.Console;
using StreamEntropy.Core.Estimation;
using StreamEntropy.Kafka.Pipeline;
using StreamEntropy.Streaming.Counting;
using StreamEntropy.Streaming.Drift;
using StreamEntropy.Streaming.Engine;
using StreamEntropy.Streaming.Windows;
using StreamEntropy.Worker.Demo;

namespace StreamEntropy.Worker.Tests;

/// <summary>The demo's terminal view: it fits 80×24 with the demo's windows, always shows the alerts, and prints names
/// as text even when they look like Spectre markup.</summary>
public sealed class LiveViewTests
{
    private const int Width = 80;
    private const int Height = 24;

    // The demo's fields and pairs, and two names that are Spectre markup (or broken markup) if not escaped.
    private static readonly string[] Fields = ["country", "device", "page", "status", "amount", "[red]x[/]", "[bold"];

    [Fact]
    public void Render_DemoWindowsAndManyAlerts_FitsEightyByTwentyFourWithAlertsShown()
    {
        PublishedSnapshot snapshot = Snapshot(alerts: 7);

        string[] lines = RenderLines(snapshot, selected: 2);

        Assert.True(lines.Length <= Height - 1, $"{lines.Length} lines (the last terminal line stays for the cursor):\n{string.Join('\n', lines)}");
        Assert.All(lines, l => Assert.True(l.Length <= Width, $"line wider than {Width}: '{l}'"));
        Assert.Contains(lines, l => l.StartsWith("ALERTS (7)", StringComparison.Ordinal));
        Assert.Equal(LiveView.MaxAlertLines, lines.Count(l => l.Contains(": field-psi psi=", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.Contains("… and 4 more on the page", StringComparison.Ordinal));

        // One window at a time: the third one, and no row of another.
        Assert.Contains(lines, l => l.Contains("window 3/4 1m", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("window 1/4", StringComparison.Ordinal) || l.Contains("window 2/4", StringComparison.Ordinal));
        Assert.Single(lines, l => l.TrimStart().StartsWith("country ", StringComparison.Ordinal) && !l.Contains('×', StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, "all")]
    [InlineData(1, "30s")]
    [InlineData(5, "30s")] // wraps around
    [InlineData(-1, "decay-20s")]
    public void Render_SelectedWindow_IsTheOneShown(int selected, string window)
    {
        string[] lines = RenderLines(Snapshot(alerts: 0), selected);

        Assert.Contains(lines, l => l.Contains($" {window} (", StringComparison.Ordinal) && l.Contains("window ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("no active alerts", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_NamesThatLookLikeMarkup_AreShownAsWritten()
    {
        string[] lines = RenderLines(Snapshot(alerts: 1, alertSubject: "[red]x[/]"), selected: 0);

        Assert.Contains(lines, l => l.TrimStart().StartsWith("[red]x[/]", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.TrimStart().StartsWith("[bold", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("all/[red]x[/]: field-psi", StringComparison.Ordinal));
    }

    [Fact]
    public void WindowSelector_RotatesUntilAKeyPicksAWindow()
    {
        var selector = new WindowSelector(TimeSpan.FromSeconds(6));

        Assert.Equal([0, 0, 1, 3, 0], new[] { 0L, 5_999, 6_000, 18_000, 24_000 }.Select(t => selector.Current(4, t)));
        Assert.True(selector.Step(-1));
        Assert.Equal(3, selector.Current(4, 0));
        Assert.Equal(3, selector.Current(4, 60_000)); // no rotation after a key
        Assert.True(selector.Pick(1));
        Assert.Equal(1, selector.Current(4, 0));
        Assert.Equal(0, selector.Current(0, 0));
    }

    private static string[] RenderLines(PublishedSnapshot snapshot, int selected)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = Width;
        console.Profile.Height = Height;
        var producer = new DemoProducer("127.0.0.1:9092", "demo-events", 1, TimeSpan.FromSeconds(45));
        console.Write(LiveView.Render(snapshot, producer, LogBase.Bits, "127.0.0.1:40123", "http://127.0.0.1:8080", selected));
        return output.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
    }

    private static PublishedSnapshot Snapshot(int alerts, string alertSubject = "country")
    {
        var schema = new EventSchema(
            [.. Fields.Select(f => new FieldDefinition(f, f, f == "amount" ? 10 : null))],
            [new PairDefinition("country", "device"), new PairDefinition("page", "status")]);
        var engine = new EntropyEngine(
            schema,
            [
                new WindowDefinition("all", WindowKind.Cumulative),
                new WindowDefinition("30s", WindowKind.Sliding, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5)),
                new WindowDefinition("1m", WindowKind.Tumbling, TimeSpan.FromMinutes(1)),
                new WindowDefinition("decay-20s", WindowKind.Decay, HalfLife: TimeSpan.FromSeconds(20)),
            ],
            EntropyEstimator.MaximumLikelihood);
        var random = new Random(7);
        for (int i = 0; i < 2000; i++)
        {
            var json = new StringBuilder("{");
            foreach (string f in Fields)
            {
                json.Append(CultureInfo.InvariantCulture, $"\"{f.Replace("\"", "\\\"", StringComparison.Ordinal)}\":{random.Next(0, f == "amount" ? 500 : 12)},");
            }

            json.Length--;
            engine.Process(Encoding.UTF8.GetBytes(json.Append('}').ToString()), 1_700_000_000_000 + (i * 10));
        }

        AlertEvent[] active = [.. Enumerable.Range(0, alerts).Select(i => new AlertEvent(AlertState.Raised, "field-psi", "all", i == 0 ? alertSubject : $"field{i}", null, "psi", 0.5 + i, 0.1, 2, 0))];
        return new PublishedSnapshot(DateTimeOffset.UnixEpoch, engine.Snapshot(), 2000, 3, new Dictionary<string, long>(), [], active, active);
    }
}
