using System.Globalization;
using System.Text.Json;
using StreamEntropy.Worker.Tests.Support;

namespace StreamEntropy.Worker.Tests;

/// <summary><c>stream-entropy replay</c>, run in process through <see cref="Commands.CommandLineApp"/>, on the replay
/// bench's synthetic stream (<see cref="SyntheticStream"/>) at a size that runs in seconds.</summary>
public sealed class ReplayCommandTests : IDisposable
{
    private const int Fields = 20;
    private const int ScoredWindows = 40;
    private const int RowsPerWindow = 1000;
    private const int InjectionRow = 21 * RowsPerWindow; // the first row of the 22nd window (the 1st is the reference)

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Json_IsOneDocumentWithTheDocumentedMembers()
    {
        string file = SyntheticStream.WriteCsv(_dir, "s.csv", 4, 6, RowsPerWindow, seed: 1);
        string config = SyntheticStream.WriteConfig(_dir, "c.json", 4);

        CliResult result = await Cli.RunAsync("replay", file, "--config", config, "--inject", "f0=v0:10%->60%@2000", "--format", "json");

        using JsonDocument json = result.Json();
        JsonElement root = json.RootElement;
        Assert.Equal(7, root.GetProperty("windows").GetInt32()); // 7000 rows at 1000/s: seven 1 s windows, the last closed by the file's end
        JsonElement raise = Assert.Single(root.GetProperty("alerts").EnumerateArray());
        Assert.Equal("raised", raise.GetProperty("state").GetString());
        Assert.Equal("1s", raise.GetProperty("window").GetString());
        Assert.Equal("1970-01-01T00:00:04.000Z", raise.GetProperty("windowEnd").GetString()); // windows 3 and 4 crossed: RaiseAfter 2
        Assert.Equal(4, raise.GetProperty("closedWindow").GetInt32());
        Assert.Equal("field-psi", raise.GetProperty("rule").GetString());
        Assert.Equal("f0", raise.GetProperty("field").GetString());
        Assert.Equal("psi", raise.GetProperty("metric").GetString());
        Assert.True(raise.GetProperty("value").GetDouble() >= 0.1);
        Assert.False(raise.TryGetProperty("pair", out _));
        string[] rules = [.. root.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("rule").GetString()!)];
        Assert.Equal(["field-psi", "pair-mi"], rules); // the default rules, in order
        JsonElement psi = root.GetProperty("rules")[0];
        Assert.Equal(1, psi.GetProperty("raised").GetInt32());
        Assert.Equal(0, psi.GetProperty("falseBeforeInjection").GetInt32());
        Assert.Equal(2, psi.GetProperty("detectionDelayWindows").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("rules")[1].GetProperty("detectionDelayWindows").ValueKind);
        JsonElement injection = Assert.Single(root.GetProperty("injections").EnumerateArray());
        Assert.InRange(injection.GetProperty("shareAfter").GetDouble(), 55, 65);
    }

    [Fact]
    public async Task Stationary_RaisesNothingWithTheDefaultRules()
    {
        string file = SyntheticStream.WriteCsv(_dir, "s.csv", Fields, ScoredWindows, RowsPerWindow, seed: 16);
        string config = SyntheticStream.WriteConfig(_dir, "c.json", Fields);

        CliResult result = await Cli.RunAsync("replay", file, "--config", config, "--format", "json");

        using JsonDocument json = result.Json();
        Assert.Equal(ScoredWindows + 1, json.RootElement.GetProperty("windows").GetInt32());
        Assert.Empty(json.RootElement.GetProperty("alerts").EnumerateArray());
        Assert.All(json.RootElement.GetProperty("rules").EnumerateArray(), r => Assert.Equal(0, r.GetProperty("raised").GetInt32()));
    }

    [Fact]
    public async Task Shift_InFiveFields_IsRaisedOnThoseFiveWithinTwoWindows_AndNothingElse()
    {
        string file = SyntheticStream.WriteCsv(_dir, "s.csv", Fields, ScoredWindows, RowsPerWindow, seed: 16);
        string config = SyntheticStream.WriteConfig(_dir, "c.json", Fields);
        string[] injected = ["f0", "f3", "f7", "f11", "f19"];
        string[] args = ["replay", file, "--config", config, "--format", "json", .. injected.SelectMany(f => new[] { "--inject", $"{f}=v0:10%->30%@{InjectionRow}" })];

        CliResult result = await Cli.RunAsync(args);

        using JsonDocument json = result.Json();
        JsonElement[] raises = [.. json.RootElement.GetProperty("alerts").EnumerateArray().Where(a => a.GetProperty("state").GetString() == "raised")];
        Assert.Equal(injected.Order(), raises.Select(a => a.GetProperty("field").GetString()!).Order());
        // The injection starts window 22: windows 22 and 23 cross the threshold, and RaiseAfter 2 raises at the 23rd.
        Assert.All(raises, a => Assert.Equal(23, a.GetProperty("closedWindow").GetInt32()));
        JsonElement psi = json.RootElement.GetProperty("rules")[0];
        Assert.Equal(2, psi.GetProperty("detectionDelayWindows").GetInt32());
        Assert.Equal(0, psi.GetProperty("falseBeforeInjection").GetInt32());
        Assert.Equal(0, psi.GetProperty("falseOtherSubjects").GetInt32());
    }

    [Fact]
    public async Task FalseDiscoveryControl_KeepsTheGateRuleWithinItsBound_WhereNoCorrectionRaisesMore()
    {
        // 50 fields × 60 windows = 3000 tests of a rule that raises on p ≤ 0.01 alone. Uncorrected, about 1% of them
        // raise; with Benjamini–Hochberg at q = 0.05 (the gate then applies to adjusted p-values, ≤ 0.01), a window's
        // close raises anything at all with probability about 0.01 on a stationary stream: bound it by q per close.
        const int fields = 50, windows = 60;
        string file = SyntheticStream.WriteCsv(_dir, "s.csv", fields, windows, RowsPerWindow, seed: 16);
        string corrected = SyntheticStream.WriteConfig(_dir, "fdr.json", fields, 1, SyntheticStream.GateRule(0.05));
        string uncorrected = SyntheticStream.WriteConfig(_dir, "nofdr.json", fields, 1, SyntheticStream.GateRule(0));

        int on = Raised(await Cli.RunAsync("replay", file, "--config", corrected, "--format", "json"));
        int off = Raised(await Cli.RunAsync("replay", file, "--config", uncorrected, "--format", "json"));

        Assert.True(on <= 0.05 * windows, $"with FDR control {on} false alerts in {windows} closes");
        Assert.True(off > 3 * Math.Max(on, 1), $"without FDR control {off} false alerts, with it {on}");

        static int Raised(CliResult result)
        {
            using JsonDocument json = result.Json();
            return json.RootElement.GetProperty("rules")[0].GetProperty("raised").GetInt32();
        }
    }

    [Theory]
    [InlineData("ms")]
    [InlineData("seconds")]
    [InlineData("iso")]
    public async Task TimeColumn_PlacesEventsByTheirTime(string form)
    {
        // JSON Lines, two events per millisecond from 2023-11-14T22:13:20Z, written in one of the accepted forms; f0's
        // v0 goes to 60% from row 2000 (the second window) on. Time, not position, closes windows: 4000 rows are 2 s.
        const long start = 1_700_000_000_000;
        var random = new Random(3);
        var lines = new List<string>();
        for (int i = 0; i < 8000; i++)
        {
            long ms = start + (i / 2);
            string time = form switch
            {
                "ms" => ms.ToString(CultureInfo.InvariantCulture),
                "seconds" => (ms / 1000.0).ToString("0.000", CultureInfo.InvariantCulture),
                _ => $"\"{DateTimeOffset.FromUnixTimeMilliseconds(ms):yyyy-MM-dd'T'HH:mm:ss.fffzzz}\"",
            };
            lines.Add($$"""{"at":{"t":{{time}}},"f0":"v{{random.Next(10)}}","f1":"v{{random.Next(10)}}"}""");
        }

        string file = _dir.WriteLines("events.jsonl", lines);
        string config = SyntheticStream.WriteConfig(_dir, "c.json", 2);

        CliResult result = await Cli.RunAsync("replay", file, "--config", config, "--time-column", "at.t", "--inject", "f0=v0:10%->60%@2000", "--format", "json");

        using JsonDocument json = result.Json();
        // 4 s of events: windows 1–3 closed by later events; the 4th stays open (with a time column the file's end does not close it).
        Assert.Equal(3, json.RootElement.GetProperty("windows").GetInt32());
        JsonElement raise = Assert.Single(json.RootElement.GetProperty("alerts").EnumerateArray());
        Assert.Equal("f0", raise.GetProperty("field").GetString());
        Assert.Equal("2023-11-14T22:13:23.000Z", raise.GetProperty("windowEnd").GetString());
        Assert.Equal("2023-11-14T22:13:21.000Z", json.RootElement.GetProperty("injectedAt").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("rules")[0].GetProperty("detectionDelayWindows").GetInt32());
    }

    [Fact]
    public async Task Inject_LowersAShare_AndLinesTheWorkerWouldRejectAreCounted()
    {
        // v0 is every fifth value of f0 (20%); from row 1000 on, a seeded three quarters of its rows get the last
        // other value instead, so its share falls to about 5%. Line 2501 is not JSON: rejected, as by the worker.
        var lines = Enumerable.Range(0, 3000).Select(i => $$"""{"f0":"v{{i % 5}}","f1":"v{{i % 3}}"}""").ToList();
        lines[2500] = "{oops";
        string file = _dir.WriteLines("e.jsonl", lines);
        string config = SyntheticStream.WriteConfig(_dir, "c.json", 2);

        CliResult result = await Cli.RunAsync("replay", file, "--config", config, "--inject", "f0=v0:20%->5%@1000", "--format", "json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        string warning = Assert.Single(result.StderrLines);
        Assert.StartsWith("warning: 1 rows rejected", warning, StringComparison.Ordinal);
        Assert.Contains("e.jsonl:2501: invalid JSON", warning, StringComparison.Ordinal);
        using JsonDocument json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(1, json.RootElement.GetProperty("rejected").GetInt32());
        JsonElement injection = Assert.Single(json.RootElement.GetProperty("injections").EnumerateArray());
        Assert.Equal(20, injection.GetProperty("shareBefore").GetDouble());
        Assert.InRange(injection.GetProperty("shareAfter").GetDouble(), 3, 7);
        JsonElement raise = Assert.Single(json.RootElement.GetProperty("alerts").EnumerateArray());
        Assert.Equal("f0", raise.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Table_ShowsTheRulesAndAlerts_WithNamesEscaped()
    {
        string file = _dir.WriteLines("s.csv", ["\"f\u001b[31m\",g", .. Enumerable.Range(0, 3000).Select(i => $"v{i % 10},v{i % 7}")]);
        string config = _dir.Write("c.json", """{"StreamEntropy":{"Fields":[{"Name":"g"},{"Name":"f\u001b[31m"}],"Windows":[{"Name":"1s","Kind":"Tumbling","Size":"00:00:01"}]}}""");

        CliResult result = await Cli.RunAsync("replay", file, "--config", config, "--inject", "f\u001b[31m=v1:10%->90%@1000");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("3,000 rows", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("field-psi", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("raised", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("31m", result.Stdout, StringComparison.Ordinal); // the subject, shown
        Assert.DoesNotContain('\u001b', result.Stdout); // with its escape character escaped
    }

    [Fact]
    public async Task Errors_AreOneLine()
    {
        string file = SyntheticStream.WriteCsv(_dir, "s.csv", 2, 2, 100, seed: 1);
        string config = SyntheticStream.WriteConfig(_dir, "c.json", 2);

        (await Cli.RunAsync("replay", _dir.File("none.csv"), "--config", config)).AssertSingleError(1, "none.csv", "no such file");
        (await Cli.RunAsync("replay", file, "--config", _dir.File("none.json"))).AssertSingleError(2, "--config", "none.json", "no such file");
        (await Cli.RunAsync("replay", file, "--config", config, "--inject", "f0=v0@10")).AssertSingleError(2, "--inject", "field=value:from%->to%@row");
        (await Cli.RunAsync("replay", file, "--config", config, "--inject", "f0=v0:10->30%@10")).AssertSingleError(2, "--inject", "percentage");
        (await Cli.RunAsync("replay", file, "--config", config, "--inject", "f0=v0:10%->130%@10")).AssertSingleError(2, "--inject", "percentage");
        (await Cli.RunAsync("replay", file, "--config", config, "--inject", "f0=v0:10%->30%@x")).AssertSingleError(2, "--inject", "whole number");
        (await Cli.RunAsync("replay", file, "--config", config, "--inject", "nope=v0:10%->30%@10")).AssertSingleError(2, "unknown field 'nope'", "f0, f1");
        (await Cli.RunAsync("replay", file, "--config", config, "--inject", "f0=v0:10%->30%@5000")).AssertSingleError(1, "row 5000", "300 rows");
        (await Cli.RunAsync("replay", file, "--config", config, "--time-column", "zz")).AssertSingleError(1, "--time-column 'zz' is not a column", "f0, f1");
        (await Cli.RunAsync("replay", file, "--config", config, "--time-column", "f0")).AssertSingleError(1, "s.csv:2", "'v", "is not a time");
        (await Cli.RunAsync("replay", file, "--config", config, "--rate", "0")).AssertSingleError(2, "--rate");
        (await Cli.RunAsync("replay", file, "--config", config, "--format", "xml")).AssertSingleError(2, "--format");

        // A configuration the worker refuses is refused with the worker's message, naming the setting.
        string refused = _dir.Write("bad.json", """{"StreamEntropy":{"Fields":[{"Name":"f0"}],"Windows":[{"Name":"1s","Kind":"Tumbling","Size":"00:00:01"}],"Estimator":"bogus"}}""");
        (await Cli.RunAsync("replay", file, "--config", refused)).AssertSingleError(2, "StreamEntropy:Estimator 'bogus' is unknown");
        string broken = _dir.Write("broken.json", """{"StreamEntropy":{"Fields":[{"Name":"f0"}],}""");
        (await Cli.RunAsync("replay", file, "--config", broken)).AssertSingleError(2, "broken.json", "line 1");
        string noWindows = _dir.Write("cumulative.json", """{"StreamEntropy":{"Fields":[{"Name":"f0"}]}}""");
        (await Cli.RunAsync("replay", file, "--config", noWindows)).AssertSingleError(2, "no Tumbling or Sliding window");
    }
}
