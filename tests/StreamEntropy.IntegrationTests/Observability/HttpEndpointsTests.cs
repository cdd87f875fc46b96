using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using StreamEntropy.Worker.Hosting;

namespace StreamEntropy.IntegrationTests.Observability;

/// <summary>Every HTTP endpoint of the running demo worker requested directly: methods, media types, security
/// headers, filters and their errors, health and readiness.</summary>
[Collection(ObservabilityCollectionDefinition.Name)]
[Trait("Category", "Integration")]
public sealed class HttpEndpointsTests(DemoWorkerFixture worker)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);

    private static readonly string[] AllPaths = ["/", "/page/index.html", "/page/app.js", "/page/style.css", "/api/entropy", "/api/entropy/history", "/api/alerts", "/api/ranking?target=device", "/metrics", "/healthz", "/readyz"];

    public static TheoryData<string> Paths => new(AllPaths);

    public static TheoryData<string, string> WritesToEveryPath()
    {
        var data = new TheoryData<string, string>();
        foreach (string path in AllPaths)
        {
            foreach (string method in new[] { "POST", "PUT", "DELETE", "PATCH" })
            {
                data.Add(method, path);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WritesToEveryPath))]
    public async Task Endpoint_WriteMethod_Is405AndAllowsGetAndHead(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), Relative(path)) { Content = new StringContent("x") };
        using HttpResponseMessage response = await worker.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Endpoint_Head_AnswersLikeGetWithoutABody(string path)
    {
        await worker.WaitForSnapshotAsync(Timeout);
        using HttpResponseMessage get = await worker.Http.GetAsync(Relative(path));
        using var head = new HttpRequestMessage(HttpMethod.Head, Relative(path));
        using HttpResponseMessage response = await worker.Http.SendAsync(head);

        Assert.Equal(get.StatusCode, response.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/", "text/html")]
    [InlineData("/page/index.html", "text/html")]
    [InlineData("/page/app.js", "text/javascript")]
    [InlineData("/page/style.css", "text/css")]
    [InlineData("/api/entropy", "application/json")]
    [InlineData("/api/entropy/history", "application/json")]
    [InlineData("/api/alerts", "application/json")]
    [InlineData("/api/ranking?target=device", "application/json")]
    [InlineData("/metrics", "text/plain")]
    [InlineData("/healthz", "text/plain")]
    public async Task Endpoint_Get_HasItsOwnMediaTypeAndTheSecurityHeaders(string path, string mediaType)
    {
        using HttpResponseMessage response = await worker.Http.GetAsync(Relative(path));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        string csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Equal(HttpEndpoints.ContentSecurityPolicy, csp);
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal); // no 'unsafe-inline': handlers in markup never run
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/page/page.txt")]
    [InlineData("/page/index.htm")]
    [InlineData("/page/..%2Fappsettings.json")]
    public async Task PageAsset_UnknownName_Is404(string path)
    {
        using HttpResponseMessage response = await worker.Http.GetAsync(Relative(path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("/api/entropy?window=5m", "unknown window '5m'")]
    [InlineData("/api/entropy/history?window=5m", "unknown window '5m'")]
    [InlineData("/api/entropy?field=contry", "unknown field 'contry'")]
    [InlineData("/api/entropy/history?window=all&field=contry", "unknown field 'contry'")]
    public async Task Entropy_UnknownFilter_Is404ListingTheKnownNames(string path, string error)
    {
        using HttpResponseMessage response = await worker.Http.GetAsync(Relative(path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(error, body.RootElement.GetProperty("error").GetString());
        string[] known = [.. body.RootElement.GetProperty("known").EnumerateArray().Select(k => k.GetString()!)];
        string[] expected = error.StartsWith("unknown window", StringComparison.Ordinal)
            ? [.. DemoWorkerFixture.Windows]
            : [.. DemoWorkerFixture.Fields, .. DemoWorkerFixture.Pairs];
        Assert.Equal(expected.Order(StringComparer.Ordinal), known.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("/api/ranking", 400, "name the target: GET /api/ranking?target=NAME")]
    [InlineData("/api/ranking?target=label", 404, "unknown target 'label'")]
    [InlineData("/api/ranking?target=amount", 404, "no pair has target 'amount'")]
    [InlineData("/api/ranking?target=device&window=5m", 404, "unknown window '5m'")]
    public async Task Ranking_BadTargetOrWindow_IsAnErrorListingTheKnownNames(string path, int status, string error)
    {
        using HttpResponseMessage response = await worker.Http.GetAsync(Relative(path));

        Assert.Equal(status, (int)response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(error, body.RootElement.GetProperty("error").GetString());
        string[] known = [.. body.RootElement.GetProperty("known").EnumerateArray().Select(k => k.GetString()!)];
        string[] expected = error.StartsWith("unknown window", StringComparison.Ordinal)
            ? [.. DemoWorkerFixture.Windows]
            : [.. DemoWorkerFixture.Pairs.SelectMany(p => p.Split(','))];
        Assert.Equal(expected.Order(StringComparer.Ordinal), known.Order(StringComparer.Ordinal));
    }

    // Events after which a constant status (p = 0.95 per event) has become negligible: 0.95^300 ≈ 2·10⁻⁷.
    private const int EnoughForDependence = 300;

    [Fact]
    public async Task Ranking_Target_ListsTheOtherSideOfItsPairsInEveryWindow()
    {
        await worker.WaitForSnapshotAsync(Timeout);
        await worker.WaitForAsync(
            () => Task.FromResult(worker.Pipeline.Latest?.Windows.FirstOrDefault(w => w.Window == "all") is { Events: >= EnoughForDependence } all ? all : null),
            Timeout,
            $"{EnoughForDependence} events in the cumulative window");

        using JsonDocument all = JsonDocument.Parse(await worker.Http.GetStringAsync(Relative("/api/ranking?target=page")));
        using JsonDocument one = JsonDocument.Parse(await worker.Http.GetStringAsync(Relative($"/api/ranking?target=device&window={DemoWorkerFixture.TumblingWindow}")));

        Assert.Equal("page", all.RootElement.GetProperty("target").GetString());
        Assert.Equal("bits", all.RootElement.GetProperty("unit").GetString());
        JsonElement[] windows = [.. all.RootElement.GetProperty("windows").EnumerateArray()];
        Assert.Equal(DemoWorkerFixture.Windows.Order(StringComparer.Ordinal), windows.Select(w => w.GetProperty("window").GetString()!).Order(StringComparer.Ordinal));
        foreach (JsonElement w in windows)
        {
            JsonElement row = Assert.Single(w.GetProperty("features").EnumerateArray()); // page,status: the target on the X side
            Assert.Equal("status", row.GetProperty("feature").GetString());
            Assert.Equal(("page", "status"), (row.GetProperty("x").GetString(), row.GetProperty("y").GetString()));
            long count = row.GetProperty("count").GetInt64();
            Assert.True(count > 0);
            Assert.True(row.GetProperty("exact").GetBoolean());
            Assert.True(row.GetProperty("mutualInformation").GetDouble() >= 0);
            if (count >= EnoughForDependence || w.GetProperty("window").GetString() == "all")
            {
                // status depends on page in the demo. A window that has just rolled over may hold a handful of events,
                // all with status 200 (95 % of them are): their plug-in MI is exactly 0, which failed this test once.
                Assert.True(row.GetProperty("mutualInformation").GetDouble() > 0);
                Assert.True(row.GetProperty("mutualInformationStandardError").GetDouble() > 0);
            }
            Assert.InRange(row.GetProperty("symmetricUncertainty").GetDouble(), 0, 1);
        }

        JsonElement tumbling = Assert.Single(one.RootElement.GetProperty("windows").EnumerateArray());
        Assert.Equal(DemoWorkerFixture.TumblingWindow, tumbling.GetProperty("window").GetString());
        Assert.Equal("country", Assert.Single(tumbling.GetProperty("features").EnumerateArray()).GetProperty("feature").GetString());
    }

    [Fact]
    public async Task Entropy_Unfiltered_HasEveryWindowFieldAndPair()
    {
        await worker.WaitForSnapshotAsync(Timeout);

        JsonElement[] records = await GetArrayAsync("/api/entropy");

        var keys = records.Select(r => (Window: r.GetProperty("window").GetString()!, Subject: Subject(r))).ToHashSet();
        foreach (string window in DemoWorkerFixture.Windows)
        {
            foreach (string subject in DemoWorkerFixture.Fields.Concat(DemoWorkerFixture.Pairs))
            {
                Assert.Contains((window, subject), keys);
            }
        }
    }

    [Fact]
    public async Task Entropy_WindowAndFieldFilters_ReturnExactlyTheMatchingRecords()
    {
        await worker.WaitForSnapshotAsync(Timeout);

        JsonElement[] byWindow = await GetArrayAsync($"/api/entropy?window={DemoWorkerFixture.TumblingWindow}");
        JsonElement[] byField = await GetArrayAsync("/api/entropy?field=country");
        JsonElement[] byPair = await GetArrayAsync("/api/entropy?window=all&field=country,device");

        Assert.Equal(DemoWorkerFixture.Fields.Count + DemoWorkerFixture.Pairs.Count, byWindow.Length);
        Assert.All(byWindow, r => Assert.Equal(DemoWorkerFixture.TumblingWindow, r.GetProperty("window").GetString()));

        // A field filter keeps the field and every pair it is part of, in every window.
        Assert.Equal(DemoWorkerFixture.Windows.Count * 2, byField.Length);
        Assert.All(byField, r => Assert.Contains(Subject(r), new[] { "country", "country,device" }));

        JsonElement pair = Assert.Single(byPair);
        Assert.Equal("country,device", Subject(pair));
        Assert.Equal("all", pair.GetProperty("window").GetString());
        Assert.Equal(
            pair.GetProperty("entropyX").GetDouble() + pair.GetProperty("entropyY").GetDouble() - pair.GetProperty("joint").GetDouble(),
            pair.GetProperty("mutualInformation").GetDouble(),
            1e-9);
    }

    [Fact]
    public async Task History_Filtered_ReturnsThatSeriesWithPointsInTime()
    {
        await worker.WaitForSnapshotAsync(Timeout);
        await worker.WaitForAsync(
            async () => (await HistoryAsync("/api/entropy/history?window=all&field=country")).FirstOrDefault() is { } s && s.GetProperty("points").GetArrayLength() >= 2 ? (object)s : null,
            Timeout,
            "two history points of all/country");

        JsonElement[] series = await HistoryAsync("/api/entropy/history?window=all&field=country");
        JsonElement[] everything = await HistoryAsync("/api/entropy/history");

        Assert.Equal(2, series.Length); // the field and the pair country,device
        JsonElement field = Assert.Single(series, s => s.TryGetProperty("field", out _));
        JsonElement pair = Assert.Single(series, s => s.TryGetProperty("pair", out _));
        Assert.Equal("country", field.GetProperty("field").GetString());
        Assert.Equal("country,device", pair.GetProperty("pair").GetString());
        DateTimeOffset[] times = [.. field.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("t").GetDateTimeOffset())];
        Assert.Equal(times.Order(), times);
        Assert.All(field.GetProperty("points").EnumerateArray(), p => Assert.True(p.GetProperty("count").GetInt64() > 0 || p.GetProperty("entropy").ValueKind == JsonValueKind.Null));
        Assert.All(pair.GetProperty("points").EnumerateArray(), p => Assert.True(p.TryGetProperty("mutualInformation", out _)));
        Assert.Equal(DemoWorkerFixture.Windows.Count * (DemoWorkerFixture.Fields.Count + DemoWorkerFixture.Pairs.Count), everything.Length);
    }

    [Fact]
    public async Task Alerts_Get_ScoresEveryFieldAndPairOfTheClosedTumblingWindow()
    {
        using JsonDocument alerts = await AlertsWithDriftAsync();

        JsonElement root = alerts.RootElement;
        Assert.Equal(JsonValueKind.Array, root.GetProperty("active").ValueKind);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("recent").ValueKind);
        JsonElement[] drift = [.. root.GetProperty("drift").EnumerateArray()];
        Assert.All(drift, d => Assert.Contains(d.GetProperty("window").GetString(), DemoWorkerFixture.Windows.Skip(1))); // closed windows only
        Assert.All(drift, d => Assert.InRange(d.GetProperty("jensenShannon").GetDouble(), 0, Math.Log(2) + 1e-12));
        JsonElement[] tumbling = [.. drift.Where(d => d.GetProperty("window").GetString() == DemoWorkerFixture.TumblingWindow)];
        Assert.Equal(
            DemoWorkerFixture.Fields.Concat(DemoWorkerFixture.Pairs).Order(StringComparer.Ordinal),
            tumbling.Select(d => d.TryGetProperty("field", out JsonElement f) ? f.GetString()! : d.GetProperty("pair").GetString()!).Order(StringComparer.Ordinal));
        foreach (JsonElement a in root.GetProperty("active").EnumerateArray().Concat(root.GetProperty("recent").EnumerateArray()))
        {
            Assert.Contains(a.GetProperty("rule").GetString(), new[] { "field-psi", "pair-mi" }); // the default rules
        }
    }

    [Fact]
    public async Task Alerts_Get_ShowsTheBenjaminiHochbergAdjustedSignificanceNextToTheRaw()
    {
        using JsonDocument alerts = await AlertsWithDriftAsync();

        JsonElement[] drift = [.. alerts.RootElement.GetProperty("drift").EnumerateArray()];
        Assert.NotEmpty(drift);
        foreach (JsonElement d in drift)
        {
            JsonElement raw = d.GetProperty("gTestLog10P");
            JsonElement adjusted = d.GetProperty("gTestLog10PAdjusted");
            Assert.Equal(raw.ValueKind, adjusted.ValueKind); // undefined (null) exactly when the raw one is
            if (raw.ValueKind == JsonValueKind.Number)
            {
                Assert.InRange(adjusted.GetDouble(), 0, raw.GetDouble()); // an adjusted p is never below the raw one
            }
        }
    }

    [Fact]
    public async Task Healthz_Get_Is200()
    {
        using HttpResponseMessage response = await worker.Http.GetAsync(Relative("/healthz"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readyz_PartitionsAssignedAndPolling_Is200Ready()
    {
        string body = await worker.WaitForAsync(
            async () =>
            {
                using HttpResponseMessage r = await worker.Http.GetAsync(Relative("/readyz"));
                return r.StatusCode == HttpStatusCode.OK ? await r.Content.ReadAsStringAsync() : null;
            },
            Timeout,
            "/readyz 200");

        Assert.Equal("ready\n", body);
    }

    [Fact]
    public async Task Readyz_NoBrokerReachable_Is503WithTheReasons()
    {
        string state = Path.Combine(Path.GetTempPath(), $"stream-entropy-readyz-{Guid.NewGuid():N}");
        var configuration = new Dictionary<string, string?>
        {
            ["StreamEntropy:Kafka:BootstrapServers"] = "127.0.0.1:1", // nothing listens on port 1
            ["StreamEntropy:Kafka:Topics:0"] = "in",
            ["StreamEntropy:Fields:0:Name"] = "a",
            ["StreamEntropy:Checkpoint:Directory"] = state,
            ["Logging:LogLevel:Default"] = "None",
        };
        WebApplication app = WorkerHost.Build(["--urls", "http://127.0.0.1:0"], configFile: null, configuration);
        try
        {
            await app.StartAsync();
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

            using HttpResponseMessage response = await http.GetAsync(Relative("/readyz"));

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            string body = await response.Content.ReadAsStringAsync();
            Assert.StartsWith("not ready: ", body, StringComparison.Ordinal);
            Assert.Contains("no partitions assigned", body, StringComparison.Ordinal);
            using HttpResponseMessage alive = await http.GetAsync(Relative("/healthz"));
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode); // alive does not depend on Kafka
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }
        }
    }

    private static Uri Relative(string path) => new(path.TrimStart('/'), UriKind.Relative);

    private static string Subject(JsonElement record) =>
        record.TryGetProperty("field", out JsonElement f) ? f.GetString()! : $"{record.GetProperty("pair").GetProperty("x").GetString()},{record.GetProperty("pair").GetProperty("y").GetString()}";

    // /api/alerts once the worker has scored a closed window of the tumbling window (the sliding one may be scored
    // first: waiting for any drift report raced with the tumbling window's first scored close).
    private async Task<JsonDocument> AlertsWithDriftAsync()
    {
        await worker.WaitForAsync(
            () => Task.FromResult(worker.Pipeline.Latest is { } s && s.Drift.Any(d => d.Window == DemoWorkerFixture.TumblingWindow) ? s : null),
            Timeout,
            "a drift report");
        return JsonDocument.Parse(await worker.Http.GetStringAsync(Relative("/api/alerts")));
    }

    private async Task<JsonElement[]> GetArrayAsync(string path)
    {
        using JsonDocument doc = JsonDocument.Parse(await worker.Http.GetStringAsync(Relative(path)));
        return [.. doc.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    private async Task<JsonElement[]> HistoryAsync(string path)
    {
        using JsonDocument doc = JsonDocument.Parse(await worker.Http.GetStringAsync(Relative(path)));
        return [.. doc.RootElement.GetProperty("series").EnumerateArray().Select(e => e.Clone())];
    }
}
