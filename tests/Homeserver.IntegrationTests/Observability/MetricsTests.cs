using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using Xunit;
using static Homeserver.IntegrationTests.Sync.SyncClient;

namespace Homeserver.IntegrationTests.Observability;

/// <summary>
/// The metrics listener scraped over HTTP and its Prometheus text parsed: our counters move by what the requests did.
/// The server's meter is process-wide, so these run alone (no other server's events in the counts).
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class MetricsTests
{
    private const string Persisted = "matrix_events_persisted_total";
    private const string PersistDuration = "matrix_events_persist_duration_seconds_count";
    private const string SyncCompute = "matrix_sync_compute_duration_seconds_count";
    private const string Wakeups = "matrix_sync_wakeups_total";
    private const string ActiveSyncs = "matrix_sync_active";
    private const string RequestCount = "http_server_request_duration_seconds_count";
    private static readonly (string, string) LongPoll = ("matrix_sync_transport", "long_poll");

    // Presence stays as it is, so a sync's own presence change does not end a long poll early.
    private static string Sync(string? since = null, int? timeout = null) =>
        SyncPath(since, timeout) + (since is null && timeout is null ? "?" : "&") + "set_presence=offline";

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task MessagesAndSyncs_MoveTheirCountersByWhatWasDone(string engine)
    {
        await using var m = await MetricsServer.StartAsync(engine);
        var (_, a) = await m.Server.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync();
        var since = NextBatch(await (await a.GetAsync(Sync())).AssertOkAsync());
        var before = await m.ScrapeAsync();

        for (var i = 0; i < 3; i++)
            await a.SendTextAsync(roomId, "message " + i);
        NextBatch(await (await a.GetAsync(Sync())).AssertOkAsync());
        var caughtUp = NextBatch(await (await a.GetAsync(Sync(since))).AssertOkAsync());
        var poll = a.GetAsync(Sync(caughtUp, timeout: 30_000));
        await WaitForAsync(m, s => s.Sum(ActiveSyncs, LongPoll) == 1);
        // Let the long poll reach its wait, so that the message wakes it rather than being found before it waits.
        await Task.Delay(500);
        await a.SendTextAsync(roomId, "wakes the long poll");
        var woken = await (await poll).AssertOkAsync();
        Assert.Contains("wakes the long poll", woken.GetRawText());
        await WaitForAsync(m, s => s.Sum(ActiveSyncs, LongPoll) == 0);
        var after = await m.ScrapeAsync();

        Assert.Equal("counter", after.Types[Persisted]);
        Assert.Equal(4, Delta(before, after, Persisted, ("origin", "local")));
        Assert.Equal(0, Delta(before, after, Persisted, ("origin", "remote")));
        Assert.Equal(4, Delta(before, after, PersistDuration, ("origin", "local")));
        Assert.Equal("histogram", after.Types["matrix_events_persist_duration_seconds"]);
        Assert.Equal(4, SendRequests(after) - SendRequests(before));

        Assert.Equal(1, Delta(before, after, SyncCompute, ("matrix_sync_type", "initial")));
        Assert.Equal(2, Delta(before, after, SyncCompute, ("matrix_sync_type", "incremental")));
        Assert.Equal(1, Delta(before, after, Wakeups));
        Assert.Equal("gauge", after.Types[ActiveSyncs]);

        var commits = Delta(before, after, "homeserver_sqlite_commit_duration_seconds_count");
        Assert.Equal(commits, Delta(before, after, "homeserver_sqlite_transaction_writes_count"));
        if (engine == "sqlite")
            Assert.True(commits >= 1, "SQLite's writer committed nothing");
        else
            Assert.Equal(0, commits);
        Assert.True(Delta(before, after, "homeserver_cache_requests_total") > 0, "no cache look-up counted");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task LongPoll_PassedByOtherUsersNews_ComputesOnlyWhenItsOwnNewsArrives(string engine)
    {
        await using var m = await MetricsServer.StartAsync(engine);
        var (_, a) = await m.Server.RegisterClientAsync();
        var (_, b) = await m.Server.RegisterClientAsync();
        var aRoom = await a.CreateRoomAsync();
        var bRoom = await b.CreateRoomAsync();
        var caughtUp = NextBatch(await (await a.GetAsync(Sync())).AssertOkAsync());
        caughtUp = NextBatch(await (await a.GetAsync(Sync(caughtUp))).AssertOkAsync());
        for (var i = 0; i < 3; i++)
            await b.SendTextAsync(bRoom, "not for a, before the poll " + i);
        var before = await m.ScrapeAsync();

        // The streams moved past a's token, but nothing of it is a's: the poll waits without building an answer.
        var poll = a.GetAsync(Sync(caughtUp, timeout: 30_000));
        await WaitForAsync(m, s => s.Sum(ActiveSyncs, LongPoll) == 1);
        await Task.Delay(500);
        for (var i = 0; i < 2; i++)
            await b.SendTextAsync(bRoom, "not for a, during the poll " + i);
        await Task.Delay(300);
        Assert.False(poll.IsCompleted);
        await a.SendTextAsync(aRoom, "for a");
        var woken = await (await poll).AssertOkAsync();
        await WaitForAsync(m, s => s.Sum(ActiveSyncs, LongPoll) == 0);
        var after = await m.ScrapeAsync();

        Assert.Contains("for a", woken.GetRawText());
        Assert.DoesNotContain("not for a", woken.GetRawText());
        Assert.Equal(1, Delta(before, after, SyncCompute, ("matrix_sync_type", "incremental")));
        Assert.Equal(1, Delta(before, after, Wakeups));

        // From the token of an answer, b's news since is skipped too, and a's own news made meanwhile is found at once.
        var next = NextBatch(woken);
        await b.SendTextAsync(bRoom, "not for a, between polls");
        await a.SendTextAsync(aRoom, "for a, between polls");
        var between = await (await a.GetAsync(Sync(next, timeout: 30_000))).AssertOkAsync();
        Assert.Contains("for a, between polls", between.GetRawText());
        Assert.DoesNotContain("not for a", between.GetRawText());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Media_UploadedAndServedBytes_AreCounted(string engine)
    {
        await using var m = await MetricsServer.StartAsync(engine);
        var (_, a) = await m.Server.RegisterClientAsync();
        var before = await m.ScrapeAsync();

        var content = new ByteArrayContent(new byte[1000]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var mxc = (await (await a.PostAsync("/_matrix/media/v3/upload", content)).AssertOkAsync()).GetProperty("content_uri").GetString()!;
        var download = "/_matrix/client/v1/media/download/" + mxc["mxc://".Length..];
        Assert.Equal(1000, (await a.GetByteArrayAsync(download)).Length);
        using var range = new HttpRequestMessage(HttpMethod.Get, download);
        range.Headers.Range = new RangeHeaderValue(0, 99);
        using var partial = await a.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(100, (await partial.Content.ReadAsByteArrayAsync()).Length);
        var after = await m.ScrapeAsync();

        Assert.Equal(1000, Delta(before, after, "matrix_media_uploaded_bytes_total"));
        Assert.Equal(1100, Delta(before, after, "matrix_media_served_bytes_total"));
    }

    [Fact]
    public async Task TheFederationQueue_ShowsWhatWaitsForADestination_AndItsBackoff_UntilItIsBack()
    {
        await using var network = await FederationNetwork.CreateAsync("sqlite", 2);
        var (a, b) = (network[0], network[1]);
        var port = TestPorts.Free();
        await Task.WhenAll(a.StartAsync(configure: o => o.Metrics = new MetricsOptions { Enabled = true, Port = port }), b.StartAsync());
        using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        var destination = ("destination", b.ServerName);

        var (_, alice) = await a.RegisterClientAsync();
        var (bob, bobClient) = await b.RegisterClientAsync();
        var room = await alice.CreateRoomAsync(new { preset = "public_chat" });
        await (await bobClient.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(room)}?via={Uri.EscapeDataString(a.ServerName)}", null)).AssertOkAsync();
        await alice.WaitForMembershipAsync(room, bob.UserId, "join");
        await b.StopAsync();
        for (var i = 0; i < 3; i++)
            await alice.SendTextAsync(room, "while b is away " + i);

        var away = await WaitForAsync(metrics, s => s.Sum("matrix_federation_destination_retry_interval_seconds", destination) > 0
            && s.Sum("matrix_federation_destination_pending", destination) >= 1);
        Assert.Equal("gauge", away.Types["matrix_federation_destination_pending"]);
        Assert.Equal("gauge", away.Types["matrix_federation_destination_retry_interval_seconds"]);
        Assert.True(away.Sum("matrix_federation_destinations_backing_off") >= 1);
        Assert.True(away.Sum("matrix_federation_transactions_sent_total", ("outcome", "failed")) >= 1);

        // Back, it is retried within the test network's short backoff and takes what waited: its series go away.
        await b.StartAsync();
        var back = await WaitForAsync(metrics, s => !s.Samples.Any(x => x.Labels.GetValueOrDefault("destination") == b.ServerName));
        Assert.True(back.Sum("matrix_federation_transactions_sent_total", ("outcome", "accepted")) >= 1);
        Assert.True(back.Sum("matrix_federation_pdus_sent_total") >= 1);
    }

    [Fact]
    public async Task Metrics_AreServedOnlyOnTheMetricsListener()
    {
        await using var m = await MetricsServer.StartAsync("sqlite");
        foreach (var path in new[] { "/metrics", "/_synapse/metrics" })
        {
            using var onClientPort = await m.Server.Client.GetAsync(path);
            var body = await onClientPort.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.NotFound, onClientPort.StatusCode);
            Assert.Equal("M_UNRECOGNIZED", JsonDocument.Parse(body).RootElement.GetProperty("errcode").GetString());
            Assert.DoesNotContain("# TYPE", body);
        }
        var synapsePath = await m.ScrapeAsync("/_synapse/metrics");
        Assert.Contains(synapsePath.Samples, s => s.Name == "target_info" && s.Labels.GetValueOrDefault("matrix_server_name") == TestHomeserver.ServerName);
        Assert.Contains(synapsePath.Samples, s => s.Name.StartsWith("dotnet_gc_", StringComparison.Ordinal));
        // Nor does the metrics listener serve the client API.
        using var clientApi = await m.Metrics.GetAsync("/_matrix/client/versions");
        Assert.Equal(HttpStatusCode.NotFound, clientApi.StatusCode);
    }

    private static double Delta(PrometheusScrape before, PrometheusScrape after, string name, params (string, string)[] labels) =>
        after.Sum(name, labels) - before.Sum(name, labels);

    private static double SendRequests(PrometheusScrape scrape) =>
        scrape.Samples.Where(s => s.Name == RequestCount && s.Labels.GetValueOrDefault("http_response_status_code") == "200"
            && s.Labels.GetValueOrDefault("matrix_api") == "client"
            && s.Labels.GetValueOrDefault("http_route", "").EndsWith("/send/{eventType}/{txnId}", StringComparison.Ordinal)).Sum(s => s.Value);

    private static Task WaitForAsync(MetricsServer m, Func<PrometheusScrape, bool> condition) => WaitForAsync(m.Metrics, condition);

    private static async Task<PrometheusScrape> WaitForAsync(HttpClient metrics, Func<PrometheusScrape, bool> condition)
    {
        for (var i = 0; i < 300; i++)
        {
            var scrape = await PrometheusScrape.ScrapeAsync(metrics);
            if (condition(scrape))
                return scrape;
            await Task.Delay(100);
        }
        Assert.Fail("the metrics never showed the expected state");
        return null!;
    }
}
