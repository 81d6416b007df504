using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Sync;

public sealed class TypingTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static async Task<JsonElement> SyncAsync(HttpClient c, string? since = null, int timeout = 0) =>
        await (await c.GetAsync("/_matrix/client/v3/sync?timeout=" + timeout + (since is null ? "" : "&since=" + since))).AssertOkAsync();

    private static string[]? Typing(JsonElement sync, string roomId)
    {
        if (!sync.GetProperty("rooms").GetProperty("join").TryGetProperty(roomId, out var room))
            return null;
        var typing = room.GetProperty("ephemeral").GetProperty("events").EnumerateArray().FirstOrDefault(e => e.GetProperty("type").GetString() == "m.typing");
        return typing.ValueKind == JsonValueKind.Undefined ? null : typing.GetProperty("content").GetProperty("user_ids").EnumerateArray().Select(u => u.GetString()!).ToArray();
    }

    [Fact]
    public async Task Typing_WakesALongPoll_AndStopsAgain()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (alice, _, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var since = (await SyncAsync(b)).GetProperty("next_batch").GetString();

        var watch = Stopwatch.StartNew();
        var poll = SyncAsync(b, since, 10_000);
        await Task.Delay(300);
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/typing/{Uri.EscapeDataString(alice.UserId)}", new { typing = true, timeout = 30000 })).AssertOkAsync();
        var woken = await poll;
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Equal([alice.UserId], Typing(woken, roomId) ?? throw new Xunit.Sdk.XunitException("no typing event"));

        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/typing/{Uri.EscapeDataString(alice.UserId)}", new { typing = false })).AssertOkAsync();
        var stopped = await SyncAsync(b, woken.GetProperty("next_batch").GetString());
        Assert.Equal([], Typing(stopped, roomId) ?? throw new Xunit.Sdk.XunitException("no typing event"));
        var quiet = await SyncAsync(b, stopped.GetProperty("next_batch").GetString());
        Assert.Null(Typing(quiet, roomId));
    }

    [Fact]
    public async Task Typing_ExpiresByItself()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (alice, _, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/typing/{Uri.EscapeDataString(alice.UserId)}", new { typing = true, timeout = 1000 })).AssertOkAsync();
        var typing = await SyncAsync(b);
        Assert.Equal([alice.UserId], Typing(typing, roomId) ?? throw new Xunit.Sdk.XunitException("no typing event"));
        var expired = await SyncAsync(b, typing.GetProperty("next_batch").GetString(), 8000);
        Assert.Equal([], Typing(expired, roomId) ?? throw new Xunit.Sdk.XunitException("no typing event"));
    }

    [Fact]
    public async Task Typing_WithoutATimeout_OrAnOutOfRangeOne_IsAccepted_ButNotANonNumber()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (alice, _, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var path = $"/_matrix/client/v3/rooms/{roomId}/typing/{Uri.EscapeDataString(alice.UserId)}";
        await (await a.PutAsJsonAsync(path, new { typing = true })).AssertOkAsync();
        var typing = await SyncAsync(b);
        Assert.Equal([alice.UserId], Typing(typing, roomId) ?? throw new Xunit.Sdk.XunitException("no typing event"));

        await (await a.PutAsJsonAsync(path, new { typing = true, timeout = 1e12 })).AssertOkAsync();
        await (await a.PutAsJsonAsync(path, new { typing = true, timeout = -5 })).AssertOkAsync();
        await (await a.PutAsJsonAsync(path, new { typing = true, timeout = "30000" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
    }

    [Fact]
    public async Task Typing_ForAnotherUserOrOutsideTheRoom_IsForbidden()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (alice, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync();
        await (await b.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/typing/{Uri.EscapeDataString(alice.UserId)}", new { typing = true, timeout = 1000 })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await b.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/typing/{Uri.EscapeDataString(bob.UserId)}", new { typing = true, timeout = 1000 })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/typing/{Uri.EscapeDataString(alice.UserId)}", new { typing = "yes" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
    }
}
