using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Homeserver.IntegrationTests.Rooms;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Sync;

/// <summary>The WebSocket upgrade of <c>/sync</c> (docs/websocket-sync.md).</summary>
public sealed class WebSocketSyncTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static async Task<ClientWebSocket> ConnectAsync(TestHomeserver hs, TestUser user, string query = "")
    {
        var ws = new ClientWebSocket();
        var uri = new UriBuilder(hs.BaseAddress) { Scheme = "ws", Path = "/_matrix/client/v3/sync", Query = "access_token=" + Uri.EscapeDataString(user.AccessToken) + query }.Uri;
        await ws.ConnectAsync(uri, CancellationToken.None);
        return ws;
    }

    private static async Task<JsonElement?> ReceiveAsync(ClientWebSocket ws, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[1 << 20];
        var length = 0;
        try
        {
            ValueWebSocketReceiveResult r;
            do
            {
                r = await ws.ReceiveAsync(buffer.AsMemory(length), cts.Token);
                length += r.Count;
            } while (!r.EndOfMessage);
            if (r.MessageType == WebSocketMessageType.Close)
                return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        return JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone();
    }

    private static IEnumerable<string> TimelineBodies(JsonElement frame, string roomId) =>
        frame.GetProperty("rooms").GetProperty("join").TryGetProperty(roomId, out var room)
            ? room.GetProperty("timeline").GetProperty("events").EnumerateArray().Bodies()
            : [];

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task WebSocket_PushesInitialSyncThenEachNewMessage(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var alice = await hs.RegisterAsync();
        var bob = await hs.RegisterAsync();
        using var a = hs.ClientFor(alice);
        using var b = hs.ClientFor(bob);
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
        await (await b.PostRoomAsync(roomId, "join", new { })).AssertOkAsync();
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
        var alice = await hs.RegisterAsync();
        using var a = hs.ClientFor(alice);
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

    [Fact]
    public async Task WebSocket_FilterFrameLargerThanTheIdleBuffer_Applies()
    {
        var hs = await fixture.GetAsync("sqlite");
        var alice = await hs.RegisterAsync();
        using var a = hs.ClientFor(alice);
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
    public async Task WebSocket_ClosesWhenTheTokenIsRevoked()
    {
        var hs = await fixture.GetAsync("sqlite");
        var alice = await hs.RegisterAsync();
        using var ws = await ConnectAsync(hs, alice);
        Assert.NotNull(await ReceiveAsync(ws, TimeSpan.FromSeconds(10)));
        using var a = hs.ClientFor(alice);
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
        Assert.Null(await ReceiveAsync(ws2, TimeSpan.FromSeconds(10)));
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, ws2.CloseStatus);
    }

    [Fact]
    public async Task LongPoll_OnARevokedToken_EndsAtOnceWithUnknownToken()
    {
        var hs = await fixture.GetAsync("sqlite");
        var alice = await hs.RegisterAsync();
        using var a = hs.ClientFor(alice);
        var since = (await (await a.GetAsync("/_matrix/client/v3/sync")).AssertOkAsync()).GetProperty("next_batch").GetString();
        var watch = Stopwatch.StartNew();
        var poll = a.GetAsync($"/_matrix/client/v3/sync?since={since}&timeout=20000");
        await Task.Delay(300);
        var other = await hs.LoginAsync(alice);
        using var o = hs.ClientFor(other);
        await (await o.PostAsync("/_matrix/client/v3/logout/all", null)).AssertOkAsync();
        await (await poll).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }
}
