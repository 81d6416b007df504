using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;
using static Homeserver.IntegrationTests.Sync.SyncClient;

namespace Homeserver.IntegrationTests.Sync;

/// <summary>The WebSocket upgrade of <c>/sync</c> (docs/websocket-sync.md).</summary>
public sealed class WebSocketSyncTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static IEnumerable<string> TimelineBodies(JsonElement frame, string roomId) =>
        frame.GetProperty("rooms").GetProperty("join").TryGetProperty(roomId, out var room)
            ? room.GetProperty("timeline").GetProperty("events").EnumerateArray().Bodies()
            : [];

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task WebSocket_PushesInitialSyncThenEachNewMessage(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, bob, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        await a.SendTextAsync(roomId, "before connecting");

        using var ws = await ConnectAsync(hs, bob);
        var initial = await ReceiveAsync(ws, TimeSpan.FromSeconds(10));
        Assert.NotNull(initial);
        Assert.Contains("before connecting", TimelineBodies(initial.Value, roomId));
        var token = initial.Value.GetProperty("next_batch").GetString();

        var watch = Stopwatch.StartNew();
        await a.SendTextAsync(roomId, "live");
        var pushed = await ReceiveAsync(ws, TimeSpan.FromSeconds(10));
        Assert.NotNull(pushed);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"pushed after {watch.Elapsed}");
        Assert.Equal(["live"], TimelineBodies(pushed.Value, roomId));

        // The same tokens as long polling: resuming over HTTP from the frame's position misses nothing and repeats nothing.
        await a.SendTextAsync(roomId, "after frame");
        var frameToken = pushed.Value.GetProperty("next_batch").GetString();
        var poll = await (await b.GetAsync($"/_matrix/client/v3/sync?since={frameToken}")).AssertOkAsync();
        Assert.Equal(["after frame"], TimelineBodies(poll, roomId));
        Assert.NotEqual(token, frameToken);
    }

    [Fact]
    public async Task WebSocket_ResumesFromSince_AndAcceptsAFilterChange()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (alice, a) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync();
        var since = (await (await a.GetAsync("/_matrix/client/v3/sync")).AssertOkAsync()).GetProperty("next_batch").GetString();
        await a.SendTextAsync(roomId, "m1");
        await a.SendTextAsync(roomId, "m2");
        using var ws = await ConnectAsync(hs, alice, "&since=" + since);
        var first = await ReceiveAsync(ws, TimeSpan.FromSeconds(10));
        Assert.Equal(["m1", "m2"], TimelineBodies(first!.Value, roomId));

        await ws.SendAsync(Encoding.UTF8.GetBytes("{\"filter\":{\"room\":{\"timeline\":{\"limit\":1}}}}"), WebSocketMessageType.Text, true, CancellationToken.None);
        await Task.Delay(200);
        await a.SendTextAsync(roomId, "m3");
        await a.SendTextAsync(roomId, "m4");
        var seen = new List<string>();
        while (seen.Count < 1 && await ReceiveAsync(ws, TimeSpan.FromSeconds(10)) is { } frame)
        {
            var room = frame.GetProperty("rooms").GetProperty("join").GetProperty(roomId);
            Assert.True(room.GetProperty("timeline").GetProperty("events").GetArrayLength() <= 1);
            seen.AddRange(TimelineBodies(frame, roomId));
        }
        Assert.NotEmpty(seen);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task WebSocketAndLongPoll_SeeTheSameEventsInTheSameOrder(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, bob, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var since = NextBatch(await SyncAsync(b));
        // Both ways use the same filter: with the default one a slow reader gets a limited timeline, which is right but not comparable.
        const string Filter = """{"room":{"timeline":{"limit":100}}}""";
        using var ws = await ConnectAsync(hs, bob, "&since=" + since + "&filter=" + Uri.EscapeDataString(Filter));
        Assert.NotNull(await ReceiveAsync(ws, TimeSpan.FromSeconds(10)));

        var sent = Enumerable.Range(0, 25).Select(i => $"burst {i}").ToList();
        var sender = Task.Run(async () =>
        {
            foreach (var body in sent)
                await a.SendTextAsync(roomId, body);
        });
        var overWebSocket = new List<string>();
        var byLongPoll = new List<string>();
        var wsReader = Task.Run(async () =>
        {
            // Generous waits: on a loaded machine one send can stall for seconds, and a timed-out receive aborts the socket.
            while (overWebSocket.Count < sent.Count && await ReceiveAsync(ws, TimeSpan.FromSeconds(60)) is { } frame)
                overWebSocket.AddRange(TimelineBodies(frame, roomId));
        });
        var poller = Task.Run(async () =>
        {
            var token = since;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (byLongPoll.Count < sent.Count && DateTime.UtcNow < deadline)
            {
                var sync = await SyncAsync(b, token, timeout: 5000, filter: Filter);
                if (TryRoom(sync, "join", roomId, out var room))
                    byLongPoll.AddRange(Events(room, "timeline").Bodies());
                token = NextBatch(sync);
            }
        });
        await Task.WhenAll(sender, wsReader, poller);

        Assert.Equal(sent, byLongPoll);
        Assert.Equal(sent, overWebSocket);
    }

    [Fact]
    public async Task WebSocket_ReconnectAcrossARestart_LosesAndRepeatsNothing()
    {
        var dataDir = Directory.CreateTempSubdirectory("hs-ws-restart-").FullName;
        TestUser alice;
        string roomId, since;
        var received = new List<string>();
        await using (var hs = await TestHomeserver.StartAsync("sqlite", dataDir: dataDir))
        {
            alice = await hs.RegisterAsync();
            using var a = hs.ClientFor(alice);
            roomId = await a.CreateRoomAsync();
            using var ws = await ConnectAsync(hs, alice);
            since = (await ReceiveAsync(ws, TimeSpan.FromSeconds(10)))!.Value.GetProperty("next_batch").GetString()!;
            await a.SendTextAsync(roomId, "before the restart");
            var frame = (await ReceiveAsync(ws, TimeSpan.FromSeconds(10)))!.Value;
            received.AddRange(TimelineBodies(frame, roomId));
            since = frame.GetProperty("next_batch").GetString()!;
            await a.SendTextAsync(roomId, "unseen before the restart");
        }
        await using var again = await TestHomeserver.StartAsync("sqlite", dataDir: dataDir);
        using var c = again.ClientFor(alice);
        await c.SendTextAsync(roomId, "after the restart");
        using var resumed = await ConnectAsync(again, alice, "&since=" + Uri.EscapeDataString(since));
        while (received.Count < 3 && await ReceiveAsync(resumed, TimeSpan.FromSeconds(10)) is { } next)
            received.AddRange(TimelineBodies(next, roomId));

        Assert.Equal(["before the restart", "unseen before the restart", "after the restart"], received);
    }

    [Fact]
    public async Task WebSocket_FilterFrameLargerThanTheIdleBuffer_Applies()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (alice, a) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync();
        using var ws = await ConnectAsync(hs, alice);
        Assert.NotNull(await ReceiveAsync(ws, TimeSpan.FromSeconds(10)));

        var frame = "{\"filter\":{\"room\":{\"timeline\":{\"limit\":1}}}}" + new string(' ', 20_000);
        await ws.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, true, CancellationToken.None);
        await Task.Delay(200);
        await a.SendTextAsync(roomId, "m1");
        await a.SendTextAsync(roomId, "m2");
        var seen = new List<string>();
        while (seen.Count < 1 && await ReceiveAsync(ws, TimeSpan.FromSeconds(10)) is { } next)
        {
            Assert.True(next.GetProperty("rooms").GetProperty("join").GetProperty(roomId).GetProperty("timeline").GetProperty("events").GetArrayLength() <= 1);
            seen.AddRange(TimelineBodies(next, roomId));
        }
        Assert.NotEmpty(seen);
        Assert.Equal(WebSocketState.Open, ws.State);
    }

    [Fact]
    public async Task WebSocket_EachClientFrame_IsReadAfterTheIdleWait()
    {
        // Between frames the session waits with an empty read; every later frame must still arrive whole.
        var hs = await fixture.GetAsync("sqlite");
        var (alice, a) = await hs.RegisterClientAsync();
        using var ws = await ConnectAsync(hs, alice);
        Assert.NotNull(await ReceiveAsync(ws, TimeSpan.FromSeconds(10)));
        foreach (var state in new[] { "unavailable", "online", "unavailable" })
        {
            await ws.SendAsync(Encoding.UTF8.GetBytes($$"""{"set_presence":"{{state}}"}"""), WebSocketMessageType.Text, true, CancellationToken.None);
            var deadline = Stopwatch.StartNew();
            string? seen;
            do
            {
                await Task.Delay(50);
                var status = await (await a.GetAsync($"/_matrix/client/v3/presence/{Uri.EscapeDataString(alice.UserId)}/status")).AssertOkAsync();
                seen = status.GetProperty("presence").GetString();
            } while (seen != state && deadline.Elapsed < TimeSpan.FromSeconds(10));
            Assert.Equal(state, seen);
        }
        Assert.Equal(WebSocketState.Open, ws.State);
    }

    [Fact]
    public async Task WebSocket_ClosesWhenTheTokenIsRevoked()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (alice, a) = await hs.RegisterClientAsync();
        using var ws = await ConnectAsync(hs, alice);
        Assert.NotNull(await ReceiveAsync(ws, TimeSpan.FromSeconds(10)));
        await (await a.PostAsync("/_matrix/client/v3/logout", null)).AssertOkAsync();
        var next = await ReceiveAsync(ws, TimeSpan.FromSeconds(10));
        Assert.Null(next);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, ws.CloseStatus);
        Assert.Equal("M_UNKNOWN_TOKEN", ws.CloseStatusDescription);
    }

    [Fact]
    public async Task WebSocket_WithoutValidToken_IsRefusedBeforeUpgrade()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var ws = new ClientWebSocket();
        var uri = new UriBuilder(hs.BaseAddress) { Scheme = "ws", Path = "/_matrix/client/v3/sync", Query = "access_token=bogus" }.Uri;
        var e = await Assert.ThrowsAsync<WebSocketException>(() => ws.ConnectAsync(uri, CancellationToken.None));
        Assert.Contains("401", e.Message);
    }

    [Fact]
    public async Task WebSocket_OversizedOrInvalidClientFrame_ClosesTheConnection()
    {
        var hs = await fixture.GetAsync("sqlite");
        var alice = await hs.RegisterAsync();
        using var ws = await ConnectAsync(hs, alice);
        Assert.NotNull(await ReceiveAsync(ws, TimeSpan.FromSeconds(10)));
        await ws.SendAsync(new byte[70_000], WebSocketMessageType.Text, true, CancellationToken.None);
        Assert.Null(await ReceiveAsync(ws, TimeSpan.FromSeconds(10)));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, ws.CloseStatus);

        using var ws2 = await ConnectAsync(hs, alice);
        Assert.NotNull(await ReceiveAsync(ws2, TimeSpan.FromSeconds(10)));
        await ws2.SendAsync("not json"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        // A frame already on its way (alice's own presence, as the first socket closed) may precede the close.
        var frames = 0;
        while (await ReceiveAsync(ws2, TimeSpan.FromSeconds(10)) is not null)
            Assert.True(++frames <= 3, "the connection stayed open after an invalid frame");
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, ws2.CloseStatus);
    }

    [Fact]
    public async Task LongPoll_OnARevokedToken_EndsAtOnceWithUnknownToken()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (alice, a) = await hs.RegisterClientAsync();
        // Logged in before the poll starts: a new device is news to the user's sync (device_lists), which would end it.
        var other = await hs.LoginAsync(alice);
        using var o = hs.ClientFor(other);
        var since = (await (await a.GetAsync("/_matrix/client/v3/sync")).AssertOkAsync()).GetProperty("next_batch").GetString();
        var watch = Stopwatch.StartNew();
        var poll = a.GetAsync($"/_matrix/client/v3/sync?since={since}&timeout=20000");
        await Task.Delay(300);
        await (await o.PostAsync("/_matrix/client/v3/logout/all", null)).AssertOkAsync();
        await (await poll).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }
}
