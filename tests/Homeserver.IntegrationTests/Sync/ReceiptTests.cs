using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Sync;

public sealed class ReceiptTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static async Task<JsonElement> SyncAsync(HttpClient c, string? since = null, int timeout = 0) =>
        await (await c.GetAsync("/_matrix/client/v3/sync?timeout=" + timeout + (since is null ? "" : "&since=" + since))).AssertOkAsync();

    private static JsonElement? Receipts(JsonElement sync, string roomId) =>
        sync.GetProperty("rooms").GetProperty("join").TryGetProperty(roomId, out var room)
            ? room.GetProperty("ephemeral").GetProperty("events").EnumerateArray().Where(e => e.GetProperty("type").GetString() == "m.receipt").Select(e => e.GetProperty("content")).Cast<JsonElement?>().FirstOrDefault()
            : null;

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ReadReceipt_ReachesTheSender_PrivateOnlyItsOwner(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, bob, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var eventId = await a.SendTextAsync(roomId, "did you read this?");
        var since = (await SyncAsync(a)).GetProperty("next_batch").GetString();

        var poll = SyncAsync(a, since, 10_000);
        await Task.Delay(200);
        await (await b.PostAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/receipt/m.read/{Uri.EscapeDataString(eventId)}", new { })).AssertOkAsync();
        var seen = await poll;
        var content = Receipts(seen, roomId) ?? throw new Xunit.Sdk.XunitException("no receipt");
        Assert.True(content.GetProperty(eventId).GetProperty("m.read").GetProperty(bob.UserId).GetProperty("ts").GetInt64() > 0);

        await (await b.PostAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/receipt/m.read.private/{Uri.EscapeDataString(eventId)}", new { })).AssertOkAsync();
        var afterPrivate = await SyncAsync(a, seen.GetProperty("next_batch").GetString());
        Assert.Null(Receipts(afterPrivate, roomId));
        var bobs = Receipts(await SyncAsync(b), roomId) ?? throw new Xunit.Sdk.XunitException("owner sees no receipt");
        Assert.True(bobs.GetProperty(eventId).TryGetProperty("m.read.private", out _));
    }

    [Fact]
    public async Task ThreadedReceipt_AndReadMarkers()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (alice, a) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync();
        var root = await a.SendTextAsync(roomId, "root");
        await (await a.PostAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/receipt/m.read/{Uri.EscapeDataString(root)}", new { thread_id = "main" })).AssertOkAsync();
        var r = Receipts(await SyncAsync(a), roomId) ?? throw new Xunit.Sdk.XunitException("no receipt");
        Assert.Equal("main", r.GetProperty(root).GetProperty("m.read").GetProperty(alice.UserId).GetProperty("thread_id").GetString());

        await (await a.PostAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/read_markers", new Dictionary<string, string> { ["m.fully_read"] = root })).AssertOkAsync();
        var marker = await (await a.GetAsync($"/_matrix/client/v3/user/{Uri.EscapeDataString(alice.UserId)}/rooms/{Uri.EscapeDataString(roomId)}/account_data/m.fully_read")).AssertOkAsync();
        Assert.Equal(root, marker.GetProperty("event_id").GetString());
    }

    [Fact]
    public async Task Receipt_ForUnknownEventOrOutsideTheRoom_IsRefused()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        using var outsider = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync();
        var ev = await a.SendTextAsync(roomId, "x");
        await (await a.PostAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/receipt/m.read/$nope", new { })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await outsider.PostAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/receipt/m.read/{Uri.EscapeDataString(ev)}", new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await a.PostAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/receipt/m.bogus/{Uri.EscapeDataString(ev)}", new { })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }
}
