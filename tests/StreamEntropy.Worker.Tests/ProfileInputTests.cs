using System.Diagnostics;
using System.Text;
using System.Text.Json;
using StreamEntropy.Worker.Tests.Support;

namespace StreamEntropy.Worker.Tests;

/// <summary>Hostile and unusual inputs of <c>profile</c> and <c>compare</c> (issue 14, items 7, 8 and 11): over-long
/// lines, very wide files, FIFOs, directories, duplicate column names and delimiters other than a comma.</summary>
public sealed class ProfileInputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Profile_CsvLineOverTheLimit_ExitsTwoNamingFileAndLine()
    {
        // A header, one good row, then a row of 17 MiB: one line over the 16 MiB limit.
        string file = _dir.File("long.csv");
        using (var writer = new StreamWriter(file, false, new UTF8Encoding(false)) { NewLine = "\n" })
        {
            writer.WriteLine("a,b");
            writer.WriteLine("1,2");
            writer.Write("3,");
            writer.Write(new string('x', 17 * 1024 * 1024));
            writer.WriteLine();
        }

        CliResult result = await Cli.RunAsync("profile", file, "--format", "json");

        result.AssertSingleError(2, file, "line 3", "longer than the limit of 16 MiB");
    }

    [Fact]
    public async Task Profile_JsonLineOverTheLimit_ExitsTwoNamingFileAndLine()
    {
        string file = _dir.File("long.jsonl");
        using (var writer = new StreamWriter(file, false, new UTF8Encoding(false)) { NewLine = "\n" })
        {
            writer.WriteLine("""{"a":"1"}""");
            writer.Write("""{"a":" """);
            writer.Write(new string('x', 17 * 1024 * 1024));
            writer.WriteLine("\"}");
        }

        CliResult result = await Cli.RunAsync("profile", file, "--field", "a", "--format", "json");

        result.AssertSingleError(2, file, "line 2", "longer than the limit of 16 MiB");
    }

    [Fact]
    public async Task Compare_CsvLineOverTheLimit_ExitsTwo()
    {
        string good = _dir.WriteLines("good.csv", ["a", "1", "2"]);
        string file = _dir.File("long.csv");
        File.WriteAllText(file, "a\n" + new string('y', 17 * 1024 * 1024) + "\n");

        CliResult result = await Cli.RunAsync("compare", good, file, "--format", "json");

        result.AssertSingleError(2, file, "line 2", "longer than the limit");
    }

    [Fact]
    public async Task Profile_WideCsv_AllocatesInProportionToTheCells()
    {
        // 20 000 columns × 20 rows = 400 000 cells. Each column's table used to reserve an 8 KiB fingerprint, 13 KiB
        // per column in all with the output (251 MiB here); now ~5 KiB, most of it the JSON document of 20 000 fields.
        const int Columns = 20_000;
        var lines = new List<string> { string.Join(',', Enumerable.Range(0, Columns).Select(c => $"c{c}")) };
        for (int row = 0; row < 20; row++)
        {
            lines.Add(string.Join(',', Enumerable.Range(0, Columns).Select(c => ((row * 7) + c) % 5)));
        }

        string file = _dir.WriteLines("wide.csv", lines);
        long before = GC.GetAllocatedBytesForCurrentThread();

        CliResult result = await Cli.RunAsync("profile", file, "--format", "json");

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        using JsonDocument json = result.Json();
        Assert.Equal(Columns, json.RootElement.GetProperty("fields").GetArrayLength());
        Assert.Equal(5, json.Field("c17").GetProperty("distinct").GetInt32());
        Assert.True(allocated / Columns < 8192, $"allocated {allocated / 1048576.0:0} MiB for {Columns} columns × 20 rows");
    }

    [Fact]
    public async Task Profile_Directory_SaysItIsADirectory()
    {
        string dir = _dir.File("a-directory.csv");
        Directory.CreateDirectory(dir);

        CliResult result = await Cli.RunAsync("profile", dir);

        result.AssertSingleError(1, dir, "is a directory");
    }

    [Fact]
    public async Task Profile_Fifo_ReadsTheDataOnce()
    {
        string fifo = _dir.File("events.fifo");
        MakeFifo(fifo);
        string csv = "country,device\nDE,ios\nFR,ios\nDE,android\nDE,ios\n";

        // The writer blocks until profile opens the FIFO for reading, writes everything and closes: end of input.
        Task writer = Task.Run(() => File.WriteAllText(fifo, csv));
        // On a thread of its own: the command runs synchronously, and before the fix it blocked opening the FIFO again.
        Task<CliResult> run = Task.Run(() => Cli.RunAsync("profile", fifo, "--pair", "country,device", "--format", "json"));
        await Task.WhenAny(Task.WhenAll(writer, run), Task.Delay(TimeSpan.FromSeconds(60)));
        if (!run.IsCompleted)
        {
            // Unblock whichever end still waits, so the test ends.
            using (File.Open(fifo, FileMode.Open, FileAccess.ReadWrite))
            {
            }

            Assert.Fail("profile of a FIFO did not finish within 60 s");
        }

        await writer;
        using JsonDocument json = (await run).Json();
        Assert.Equal(4, json.RootElement.GetProperty("rows").GetInt64());
        Assert.Equal(2, json.Field("country").GetProperty("distinct").GetInt32());
        Assert.Equal(3, json.RootElement.GetProperty("pairs")[0].GetProperty("distinctPairs").GetInt32());
    }

    [Fact]
    public async Task Profile_JsonLinesFifoWithoutFields_DiscoversAndCountsFromOneRead()
    {
        string fifo = _dir.File("events-fifo");
        MakeFifo(fifo);
        string lines = "{\"a\":\"x\",\"b\":{\"c\":1}}\n{\"a\":\"y\",\"b\":{\"c\":1}}\n{\"a\":\"x\"}\n";

        Task writer = Task.Run(() => File.WriteAllText(fifo, lines));
        Task<CliResult> run = Task.Run(() => Cli.RunAsync("profile", fifo, "--format", "json"));
        await Task.WhenAny(Task.WhenAll(writer, run), Task.Delay(TimeSpan.FromSeconds(60)));
        if (!run.IsCompleted)
        {
            using (File.Open(fifo, FileMode.Open, FileAccess.ReadWrite))
            {
            }

            Assert.Fail("profile of a FIFO did not finish within 60 s");
        }

        using JsonDocument json = (await run).Json();
        Assert.Equal(["a", "b.c"], json.FieldNames());
        Assert.Equal(3, json.RootElement.GetProperty("rows").GetInt64());
        Assert.Equal(1, json.Field("b.c").GetProperty("missing").GetInt64());
    }

    [Fact]
    public async Task Profile_DuplicateCsvColumn_ExitsOneNamingIt()
    {
        string file = _dir.WriteLines("dup.csv", ["user,country,user", "u1,DE,u2"]);

        CliResult result = await Cli.RunAsync("profile", file);

        result.AssertSingleError(1, file, "'user'", "twice", "columns 1 and 3");
    }

    [Theory]
    [InlineData(";")]
    [InlineData("\t")]
    [InlineData("|")]
    public async Task Profile_OtherDelimiter_IsDetectedFromTheHeader(string delimiter)
    {
        string file = _dir.WriteLines("data.csv", [$"country{delimiter}device", $"DE{delimiter}ios", $"FR{delimiter}ios", $"\"D{delimiter}E\"{delimiter}web"]);

        CliResult result = await Cli.RunAsync("profile", file, "--format", "json");

        using JsonDocument json = result.Json();
        Assert.Equal(["country", "device"], json.FieldNames());
        Assert.Equal(3, json.Field("country").GetProperty("distinct").GetInt32());
        Assert.Equal(2, json.Field("device").GetProperty("distinct").GetInt32());
    }

    [Theory]
    [InlineData("semicolon", ';')]
    [InlineData("tab", '\t')]
    [InlineData(";", ';')]
    public async Task Profile_DelimiterOption_OverridesDetection(string option, char delimiter)
    {
        // The header holds more commas than delimiters: detection alone would split on the commas.
        string file = _dir.WriteLines("data.csv", [$"a,1,x{delimiter}b", $"p{delimiter}q", $"r{delimiter}q"]);

        CliResult result = await Cli.RunAsync("profile", file, "--delimiter", option, "--format", "json");

        using JsonDocument json = result.Json();
        Assert.Equal(["a,1,x", "b"], json.FieldNames());
        Assert.Equal(1, json.Field("b").GetProperty("distinct").GetInt32());
    }

    [Fact]
    public async Task Profile_BadDelimiterOption_ExitsTwo()
    {
        string file = _dir.WriteLines("data.csv", ["a", "1"]);

        CliResult result = await Cli.RunAsync("profile", file, "--delimiter", "\"");

        result.AssertSingleError(2, "--delimiter");
    }

    private static void MakeFifo(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
