using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;
using static Homeserver.IntegrationTests.Cluster.NginxClusterClients;
using static Homeserver.IntegrationTests.Sync.SyncClient;

namespace Homeserver.IntegrationTests.Cluster;

/// <summary>
/// Three nodes behind the shipped nginx config (deploy/nginx/homeserver.conf, run by tests/run.sh): clients only
/// know nginx's address, and keep working through a node killed with SIGKILL, a Redis restart and a rolling restart
/// of every node, under a steady load of sends, without an acknowledged message lost or delivered twice.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class NginxClusterTests(NginxClusterFixture cluster) : IClassFixture<NginxClusterFixture>
{
    private const int ReadersOfEachKind = NginxClusterFixture.NodeCount;

    [Fact]
    public async Task MessageThroughEachNode_ReachesLongPollsAndWebSocketsThroughNginx()
    {
        await cluster.EnsureAllRunningAsync();
        await using var room = await RoomWithReadersAsync();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < NginxClusterFixture.NodeCount; i++)
        {
            using var direct = new HttpClient { BaseAddress = cluster.NodeUrl(i) };
            direct.DefaultRequestHeaders.Authorization = new("Bearer", cluster.AliceToken);
            await direct.SendTextAsync(room.RoomId, $"through node {i}");
        }
        string[] expected = [.. Enumerable.Range(0, NginxClusterFixture.NodeCount).Select(i => $"through node {i}")];

        await room.WaitUntilEveryReaderHasAsync(expected, TimeSpan.FromSeconds(10));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"every reader had every message only after {watch.Elapsed}");
        foreach (var reader in room.Readers)
            Assert.Equal(expected, reader.Bodies());
    }

    [Fact]
    public async Task Upload_ThroughNginx_AboveItsDefaultBodyLimit_IsServedByEveryNode()
    {
        await cluster.EnsureAllRunningAsync();
        using var a = cluster.Nginx.NewClient(cluster.AliceToken);
        // nginx refuses bodies over 1 MiB unless told otherwise; the config allows the server's upload limit.
        var bytes = new byte[3 << 20];
        Random.Shared.NextBytes(bytes);
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var mxc = (await (await a.PostAsync("/_matrix/media/v3/upload?filename=big.bin", content)).AssertOkAsync()).GetProperty("content_uri").GetString()!;

        var download = "/_matrix/client/v1/media/download/" + mxc["mxc://".Length..];
        for (var i = 0; i < NginxClusterFixture.NodeCount; i++)
        {
            using var direct = new HttpClient { BaseAddress = cluster.NodeUrl(i) };
            direct.DefaultRequestHeaders.Authorization = new("Bearer", cluster.AliceToken);
            Assert.Equal(bytes, await direct.GetByteArrayAsync(download));
        }
        Assert.Equal(bytes, await a.GetByteArrayAsync(download));
    }

    [Fact]
    public async Task ClientAddress_IsTheOneNginxSaw_NotAForwardedForTheClientMade()
    {
        await cluster.EnsureAllRunningAsync();
        using var c = cluster.Nginx.NewClient(from: IPAddress.Parse("127.0.0.2"));
        c.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.9");
        var login = await (await c.PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.password", identifier = new { type = "m.id.user", user = "alice" }, password = TestHomeserver.DefaultPassword,
        })).AssertOkAsync();
        c.DefaultRequestHeaders.Authorization = new("Bearer", login.GetProperty("access_token").GetString());

        var device = await (await c.GetAsync("/_matrix/client/v3/devices/" + login.GetProperty("device_id").GetString())).AssertOkAsync();
        Assert.Equal("127.0.0.2", device.GetProperty("last_seen_ip").GetString());
    }

    [Fact]
    public async Task KillNine_OfANodeUnderLoad_ClientsReconnectThroughNginx_AndNothingIsLostOrRepeated()
    {
        await cluster.EnsureAllRunningAsync();
        var reconnects = await UnderLoadAsync("kill", async () =>
        {
            // A node holding a WebSocket of Bob's, so that one client at least has to reconnect.
            var victim = -1;
            for (var i = 0; i < NginxClusterFixture.NodeCount && victim < 0; i++)
                if (await cluster.OpenWebSocketsAsync(i) > 0)
                    victim = i;
            Assert.True(victim >= 0, "no node holds a WebSocket");
            await cluster.KillNodeAsync(victim);
            await Task.Delay(1500);
            await cluster.StartNodeAsync(victim);
        });
        Assert.True(reconnects > 0, "no WebSocket reconnected after its node was killed");
    }

    [Fact]
    public async Task RedisRestartedUnderLoad_NothingIsLostOrRepeated()
    {
        await cluster.EnsureAllRunningAsync();
        await UnderLoadAsync("redis", async () =>
        {
            await cluster.Redis.KillAsync();
            await Task.Delay(1500);
            await cluster.Redis.StartAsync();
        });
    }

    [Fact]
    public async Task RollingRestart_OfEveryNodeUnderLoad_LosesNoAcknowledgedMessage()
    {
        await cluster.EnsureAllRunningAsync();
        var reconnects = await UnderLoadAsync("rolling", async () =>
        {
            for (var i = 0; i < NginxClusterFixture.NodeCount; i++)
            {
                await cluster.StopNodeAsync(i);
                await cluster.StartNodeAsync(i);
            }
        });
        Assert.True(reconnects >= ReadersOfEachKind, $"the WebSockets reconnected {reconnects} times over three restarts");
    }

    /// <summary>
    /// Alice sends through nginx while Bob syncs through nginx, by long poll and WebSocket, and
    /// <paramref name="disruption"/> happens; then every acknowledged message is in the room's timeline once and was
    /// delivered once to every reader. Returns how often the WebSocket readers reconnected.
    /// </summary>
    private async Task<int> UnderLoadAsync(string label, Func<Task> disruption)
    {
        await using var room = await RoomWithReadersAsync();
        using var a = cluster.Nginx.NewClient(cluster.AliceToken);
        var sender = new Sender(a, room.RoomId, label);
        using var stopSending = new CancellationTokenSource();
        var sending = sender.RunAsync(stopSending.Token);
        await Task.Delay(1000);
        await disruption();
        await Task.Delay(1000);
        await stopSending.CancelAsync();
        await sending;

        var acked = sender.Acked;
        Assert.True(acked.Count >= 20, $"only {acked.Count} messages were acknowledged under load");
        await room.WaitUntilEveryReaderHasAsync(acked.Keys, TimeSpan.FromSeconds(20));
        foreach (var reader in room.Readers)
        {
            var bodies = reader.Bodies();
            Assert.Equal(bodies.Count, bodies.Distinct().Count());
            Assert.Equal(acked.Keys.Order(StringComparer.Ordinal), bodies.Order(StringComparer.Ordinal));
        }

        var timeline = await TimelineAsync(a, room.RoomId);
        Assert.Equal(timeline.Count, timeline.Select(e => e.Body).Distinct().Count());
        Assert.Equal(acked.OrderBy(p => p.Key, StringComparer.Ordinal), timeline.Select(e => KeyValuePair.Create(e.Body, e.EventId)).OrderBy(p => p.Key, StringComparer.Ordinal));
        return room.Readers.OfType<WebSocketReader>().Sum(r => r.Reconnects);
    }

    /// <summary>Every message of the room, oldest first, paginated back through nginx.</summary>
    private static async Task<List<(string Body, string EventId)>> TimelineAsync(HttpClient c, string roomId)
    {
        var messages = new List<(string, string)>();
        string? from = null;
        while (true)
        {
            var page = await (await c.GetRoomAsync(roomId, "messages?dir=b&limit=500" + (from is null ? "" : "&from=" + Uri.EscapeDataString(from)))).AssertOkAsync();
            messages.AddRange(page.GetProperty("chunk").EnumerateArray().Where(e => Type(e) == "m.room.message")
                .Select(e => (e.GetProperty("content").GetProperty("body").GetString()!, e.GetProperty("event_id").GetString()!)));
            if (!page.TryGetProperty("end", out var end) || page.GetProperty("chunk").GetArrayLength() == 0)
                break;
            from = end.GetString();
        }
        messages.Reverse();
        return messages;
    }

    /// <summary>A new room of Alice's that Bob joined, and Bob's readers through nginx, all started.</summary>
    private async Task<ReadRoom> RoomWithReadersAsync()
    {
        using var a = cluster.Nginx.NewClient(cluster.AliceToken);
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
        var clients = Enumerable.Range(0, ReadersOfEachKind).Select(_ => cluster.Nginx.NewClient(cluster.BobToken)).ToList();
        await clients[0].JoinAsync(roomId);
        var since = NextBatch(await SyncAsync(clients[0], filter: Filter));
        var readers = new List<Reader>();
        readers.AddRange(clients.Select(c => new LongPollReader(c, roomId)));
        readers.AddRange(Enumerable.Range(0, ReadersOfEachKind).Select(_ => new WebSocketReader(cluster.Nginx, cluster.BobToken, roomId)));
        var room = new ReadRoom(roomId, readers, clients);
        room.Start(since);
        await room.WaitUntilStartedAsync();
        return room;
    }

    private sealed class ReadRoom(string roomId, IReadOnlyList<Reader> readers, IReadOnlyList<HttpClient> clients) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _running = [];

        public string RoomId => roomId;
        public IReadOnlyList<Reader> Readers => readers;

        public void Start(string since) => _running.AddRange(readers.Select(r => Task.Run(() => r.RunAsync(since, _stop.Token))));

        public async Task WaitUntilStartedAsync()
        {
            var watch = Stopwatch.StartNew();
            while (!readers.All(r => r.Started))
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "the readers did not start syncing");
                await Task.Delay(50);
            }
        }

        public async Task WaitUntilEveryReaderHasAsync(IEnumerable<string> bodies, TimeSpan within)
        {
            var expected = bodies.ToHashSet();
            var watch = Stopwatch.StartNew();
            while (readers.Any(r => !expected.IsSubsetOf(r.Bodies())) && watch.Elapsed < within)
                await Task.Delay(100);
            foreach (var reader in readers)
            {
                var missing = expected.Except(reader.Bodies()).ToList();
                Assert.True(missing.Count == 0, $"a {reader.GetType().Name} missed {missing.Count} of {expected.Count} messages, e.g. {string.Join(", ", missing.Take(5))}");
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_running);
            foreach (var c in clients)
                c.Dispose();
            _stop.Dispose();
        }
    }
}
