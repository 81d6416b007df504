using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.AppServices;

/// <summary>
/// A real bridge: npm's matrix-appservice 2.0 (<c>tests/bridge/bridge.cjs</c>) generates its registration, the
/// server starts with it, and the bridge runs on loopback. It creates a portal room when a user joins one of its
/// aliases, receives the room's events through transactions, relays a message from its network as a ghost user it
/// registers, and refuses a transaction that does not carry the server's hs_token.
/// </summary>
public sealed class NpmBridgeTests
{
    private static string? EventIdOf(JsonElement line) =>
        line.TryGetProperty("event", out var e) && e.TryGetProperty("event_id", out var id) ? id.GetString() : null;

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task TheBridge_RelaysBothWays_AndRefusesATransactionWithAWrongHsToken(string engine)
    {
        var port = TestPorts.Free();
        var bridgeUrl = new Uri($"http://127.0.0.1:{port}");
        var options = await TestHomeserver.CreateOptionsAsync(engine);
        var registration = Path.Combine(options.DataDir, "relay-registration.yaml");
        await NpmBridge.GenerateRegistrationAsync(registration, bridgeUrl);
        options.AppServiceConfigFiles = ["relay-registration.yaml"];
        await using var hs = await TestHomeserver.StartAsync(options);
        await using var bridge = await NpmBridge.RunAsync(registration, hs.BaseAddress, port);
        var (alice, a) = await hs.RegisterClientAsync();

        // Joining an alias of the bridge's namespace that does not exist yet makes the bridge create the portal.
        var alias = $"#_relay_lobby:{TestHomeserver.ServerName}";
        var roomId = (await (await a.PostAsJsonAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(alias)}", new { })).AssertOkAsync())
            .GetProperty("room_id").GetString()!;
        var portal = await bridge.NextAsync(l => l.TryGetProperty("portal", out _));
        Assert.Equal(roomId, portal.GetProperty("portal").GetString());

        // Matrix to the network: Alice's message reaches the bridge in a transaction.
        var fromMatrix = await a.SendTextAsync(roomId, "hello from Matrix");
        var relayed = (await bridge.NextAsync(l => EventIdOf(l) == fromMatrix)).GetProperty("event");
        Assert.Equal(alice.UserId, relayed.GetProperty("sender").GetString());
        Assert.Equal(roomId, relayed.GetProperty("room_id").GetString());
        Assert.Equal("hello from Matrix", relayed.GetProperty("content").GetProperty("body").GetString());

        // The network to Matrix: the bridge registers its ghost and speaks as it; Alice sees the ghost in /sync.
        await bridge.RelayAsync(roomId, "bob", "hello from the network");
        var sent = await bridge.NextAsync(l => l.TryGetProperty("sent", out _));
        var ghost = $"@_relay_bob:{TestHomeserver.ServerName}";
        Assert.Equal(ghost, sent.GetProperty("user_id").GetString());
        var seen = await SyncUntilAsync(a, roomId, sent.GetProperty("sent").GetString()!);
        Assert.Equal(ghost, seen.GetProperty("sender").GetString());
        Assert.Equal("hello from the network", seen.GetProperty("content").GetProperty("body").GetString());

        // Someone other than the server pushing a transaction is turned away, and its events are not passed on.
        using var impostor = new HttpClient { BaseAddress = bridgeUrl };
        impostor.DefaultRequestHeaders.Authorization = new("Bearer", "not-the-hs-token");
        var forged = await impostor.PutAsJsonAsync("/_matrix/app/v1/transactions/999", new
        {
            events = new[] { new { type = "m.room.message", event_id = "$forged", room_id = roomId, sender = alice.UserId, content = new { msgtype = "m.text", body = "forged" } } },
        });
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal("M_FORBIDDEN", (await forged.JsonAsync()).GetProperty("errcode").GetString());
        var after = await a.SendTextAsync(roomId, "after the forgery");
        var passedOn = new List<string?>();
        await bridge.NextAsync(l =>
        {
            passedOn.Add(EventIdOf(l));
            return EventIdOf(l) == after;
        });
        Assert.DoesNotContain("$forged", passedOn);
    }

    private static async Task<JsonElement> SyncUntilAsync(HttpClient c, string roomId, string eventId)
    {
        string? since = null;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var query = since is null ? "timeout=0" : $"timeout=5000&since={Uri.EscapeDataString(since)}";
            var sync = await (await c.GetAsync($"/_matrix/client/v3/sync?{query}", deadline.Token)).AssertOkAsync();
            since = sync.GetProperty("next_batch").GetString();
            if (sync.TryGetProperty("rooms", out var rooms) && rooms.TryGetProperty("join", out var join) && join.TryGetProperty(roomId, out var room))
                foreach (var e in room.GetProperty("timeline").GetProperty("events").EnumerateArray())
                    if (e.GetProperty("event_id").GetString() == eventId)
                        return e;
        }
    }
}
