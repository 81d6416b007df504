using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Homeserver.Core.Configuration;
using Homeserver.Testing;
using Xunit;
using static Homeserver.IntegrationTests.Sync.SyncClient;

namespace Homeserver.IntegrationTests.Sync;

/// <summary>Presence: set and read, driven by syncing connections, and seen only by users who share a room.</summary>
public sealed class PresenceTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static string StatusPath(string userId) => $"/_matrix/client/v3/presence/{Uri.EscapeDataString(userId)}/status";

    private static async Task<JsonElement> GetPresenceAsync(HttpClient c, string userId) =>
        await (await c.GetAsync(StatusPath(userId))).AssertOkAsync();

    /// <summary>The latest <c>m.presence</c> content for <paramref name="userId"/> in a sync response, or null.</summary>
    private static JsonElement? PresenceOf(JsonElement sync, string userId) =>
        Events(sync, "presence").LastOrDefault(e => e.GetProperty("sender").GetString() == userId) is { ValueKind: JsonValueKind.Object } e
            ? e.GetProperty("content")
            : null;

    /// <summary>Long-polls until <paramref name="userId"/>'s presence reads <paramref name="state"/>, returning that content.</summary>
    private static async Task<JsonElement> WaitForPresenceAsync(HttpClient c, string since, string userId, string state, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            var sync = await SyncAsync(c, since, timeout: 2000);
            if (PresenceOf(sync, userId) is { } p && p.GetProperty("presence").GetString() == state)
                return p;
            since = NextBatch(sync);
        }
        throw new Xunit.Sdk.XunitException($"{userId} did not become {state} within {within}");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task SetAndGet_RoundTrips_AndOnlyRoomPeersMayRead(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, bob, a, b, _) = await hs.TwoUsersInPublicRoomAsync();
        using var carol = hs.ClientFor(await hs.RegisterAsync());

        await (await a.PutAsJsonAsync(StatusPath(alice.UserId), new { presence = "unavailable", status_msg = "at lunch" })).AssertOkAsync();
        var own = await GetPresenceAsync(a, alice.UserId);
        Assert.Equal("unavailable", own.GetProperty("presence").GetString());
        Assert.Equal("at lunch", own.GetProperty("status_msg").GetString());
        Assert.InRange(own.GetProperty("last_active_ago").GetInt64(), 0, 60_000);

        var seenByPeer = await GetPresenceAsync(b, alice.UserId);
        Assert.Equal("unavailable", seenByPeer.GetProperty("presence").GetString());
        Assert.Equal("at lunch", seenByPeer.GetProperty("status_msg").GetString());

        await (await carol.GetAsync(StatusPath(alice.UserId))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        // An account that does not exist answers like a stranger's, so the endpoint cannot probe for accounts.
        await (await carol.GetAsync(StatusPath("@nobody-" + Guid.NewGuid().ToString("N")[..8] + ":" + TestHomeserver.ServerName)))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await a.PutAsJsonAsync(StatusPath(bob.UserId), new { presence = "online" })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await a.PutAsJsonAsync(StatusPath(alice.UserId), new { presence = "asleep" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await a.PutAsJsonAsync(StatusPath(alice.UserId), new { presence = "online", status_msg = new string('x', 1025) }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await a.GetAsync(StatusPath("not-a-user-id"))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        Assert.Equal("at lunch", (await GetPresenceAsync(a, alice.UserId)).GetProperty("status_msg").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Syncing_MakesAUserOnline_ForRoomPeersButNotStrangers(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, bob, a, b, _) = await hs.TwoUsersInPublicRoomAsync();
        using var carol = hs.ClientFor(await hs.RegisterAsync());
        await carol.CreateRoomAsync();
        var aliceSince = NextBatch(await SyncAsync(a));
        var carolSince = NextBatch(await SyncAsync(carol));

        await SyncAsync(b);

        var seen = await WaitForPresenceAsync(a, aliceSince, bob.UserId, "online", TimeSpan.FromSeconds(10));
        Assert.True(seen.GetProperty("currently_active").ValueKind is JsonValueKind.True or JsonValueKind.False);
        Assert.InRange(seen.GetProperty("last_active_ago").GetInt64(), 0, 60_000);
        var strangerView = await SyncAsync(carol, carolSince);
        Assert.Null(PresenceOf(strangerView, bob.UserId));
        // Initial syncs carry current presence of room peers too, and never of strangers.
        Assert.Equal("online", PresenceOf(await SyncAsync(a), bob.UserId)?.GetProperty("presence").GetString());
        Assert.Null(PresenceOf(await SyncAsync(carol), bob.UserId));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task SetPresenceParameter_UnavailableAndOffline(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, bob, a, b, _) = await hs.TwoUsersInPublicRoomAsync();
        // set_presence=offline syncs without marking the user online.
        await (await b.GetAsync("/_matrix/client/v3/sync?set_presence=offline")).AssertOkAsync();
        Assert.Equal("offline", (await GetPresenceAsync(a, bob.UserId)).GetProperty("presence").GetString());

        await (await b.GetAsync("/_matrix/client/v3/sync?set_presence=unavailable")).AssertOkAsync();
        Assert.Equal("unavailable", (await GetPresenceAsync(a, bob.UserId)).GetProperty("presence").GetString());
        await (await b.GetAsync("/_matrix/client/v3/sync?set_presence=busy")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task IdleUser_GoesOfflineAfterTheConfiguredTime_AndPeersAreWoken(string engine)
    {
        await using var hs = await TestHomeserver.StartAsync(engine, o => o.Presence.OfflineAfter = new Duration(TimeSpan.FromSeconds(1)));
        var (alice, bob, a, b, _) = await hs.TwoUsersInPublicRoomAsync();
        var since = NextBatch(await SyncAsync(a));
        await SyncAsync(b);
        since = NextBatch(await SyncAsync(a, since));

        await WaitForPresenceAsync(a, since, bob.UserId, "offline", TimeSpan.FromSeconds(10));
        Assert.Equal("offline", (await GetPresenceAsync(a, bob.UserId)).GetProperty("presence").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task WebSocket_KeepsUserOnline_SetPresenceCommand_AndClosingGoesOfflineAtOnce(string engine)
    {
        // A long idle timeout, so only the closing WebSocket can explain going offline.
        await using var hs = await TestHomeserver.StartAsync(engine, o => o.Presence.OfflineAfter = new Duration(TimeSpan.FromMinutes(10)));
        var (alice, bob, a, b, _) = await hs.TwoUsersInPublicRoomAsync();
        var since = NextBatch(await SyncAsync(a));

        using var ws = await ConnectAsync(hs, bob);
        Assert.NotNull(await ReceiveAsync(ws, TimeSpan.FromSeconds(10)));
        await WaitForPresenceAsync(a, since, bob.UserId, "online", TimeSpan.FromSeconds(10));
        since = NextBatch(await SyncAsync(a, since));

        await ws.SendAsync(Encoding.UTF8.GetBytes("""{"set_presence":"unavailable"}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        await WaitForPresenceAsync(a, since, bob.UserId, "unavailable", TimeSpan.FromSeconds(10));
        since = NextBatch(await SyncAsync(a, since));

        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        await WaitForPresenceAsync(a, since, bob.UserId, "offline", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task StatusAndLastActive_SurviveARestart()
    {
        var dataDir = Directory.CreateTempSubdirectory("hs-presence-").FullName;
        TestUser alice;
        await using (var hs = await TestHomeserver.StartAsync("sqlite", dataDir: dataDir))
        {
            alice = await hs.RegisterAsync();
            using var a = hs.ClientFor(alice);
            await (await a.PutAsJsonAsync(StatusPath(alice.UserId), new { presence = "online", status_msg = "in the office" })).AssertOkAsync();
        }
        await using var again = await TestHomeserver.StartAsync("sqlite", dataDir: dataDir);
        using var c = again.ClientFor(alice);
        var after = await GetPresenceAsync(c, alice.UserId);
        Assert.Equal("online", after.GetProperty("presence").GetString());
        Assert.Equal("in the office", after.GetProperty("status_msg").GetString());
        Assert.InRange(after.GetProperty("last_active_ago").GetInt64(), 0, 120_000);
    }
}
