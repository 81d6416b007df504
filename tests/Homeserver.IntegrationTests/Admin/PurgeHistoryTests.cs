using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Admin;

/// <summary>Synapse's admin history purge, seen through what a member reads afterwards.</summary>
public sealed class PurgeHistoryTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private const string Admin = "/_synapse/admin";

    internal static async Task<List<JsonElement>> PageBackAsync(HttpClient c, string roomId, string from)
    {
        var events = new List<JsonElement>();
        for (var pages = 0; pages < 20; pages++)
        {
            var page = await (await c.GetAsync($"/_matrix/client/v3/rooms/{roomId}/messages?dir=b&limit=3&from={Uri.EscapeDataString(from)}")).AssertOkAsync();
            events.AddRange(page.GetProperty("chunk").EnumerateArray());
            if (!page.TryGetProperty("end", out var end))
                return events;
            from = end.GetString()!;
        }
        throw new Xunit.Sdk.XunitException("Paging back did not stop within 20 pages");
    }

    internal static async Task<string> NextBatchAsync(HttpClient c) =>
        (await (await c.GetAsync("/_matrix/client/v3/sync?timeout=0")).AssertOkAsync()).GetProperty("next_batch").GetString()!;

    private static async Task<string> AwaitCompleteAsync(HttpClient admin, string purgeId)
    {
        for (var i = 0; i < 100; i++)
        {
            var status = (await (await admin.GetAsync($"{Admin}/v1/purge_history_status/{purgeId}")).AssertOkAsync()).GetProperty("status").GetString()!;
            if (status != "active")
                return status;
            await Task.Delay(100);
        }
        return "active";
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Purge_UpToAnEvent_HidesOlderEventsFromMessagesContextAndSync_AndPagingStopsThere(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (alice, a) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new { name = "history" });
        var ids = new List<string>();
        for (var i = 1; i <= 6; i++)
            ids.Add(await a.SendTextAsync(roomId, "m" + i));
        var since = await NextBatchAsync(a);

        await (await a.PostAsJsonAsync($"{Admin}/v1/purge_history/{roomId}", new { purge_up_to_event_id = ids[3] })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        var started = await (await admin.PostAsJsonAsync($"{Admin}/v1/purge_history/{roomId}", new { purge_up_to_event_id = ids[3], delete_local_events = true })).AssertOkAsync();
        Assert.Equal("complete", await AwaitCompleteAsync(admin, started.GetProperty("purge_id").GetString()!));

        var timeline = await PageBackAsync(a, roomId, since);
        Assert.Equal(["m6", "m5", "m4"], timeline.Bodies());
        Assert.Equal(3, timeline.Count);
        await (await a.GetAsync($"/_matrix/client/v3/rooms/{roomId}/context/{Uri.EscapeDataString(ids[1])}")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        var context = await (await a.GetAsync($"/_matrix/client/v3/rooms/{roomId}/context/{Uri.EscapeDataString(ids[3])}?limit=10")).AssertOkAsync();
        Assert.Empty(context.GetProperty("events_before").EnumerateArray());
        Assert.Equal(["m5", "m6"], context.GetProperty("events_after").EnumerateArray().Bodies());

        // A new device's sync sees the kept timeline, and the room's state as before.
        using var fresh = hs.ClientFor(await hs.LoginAsync(alice));
        var room = (await (await fresh.GetAsync("/_matrix/client/v3/sync?timeout=0")).AssertOkAsync()).GetProperty("rooms").GetProperty("join").GetProperty(roomId);
        Assert.Equal(["m4", "m5", "m6"], room.GetProperty("timeline").GetProperty("events").EnumerateArray().Bodies());
        var state = room.GetProperty("state").GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Contains("m.room.create", state);
        Assert.Contains("m.room.name", state);
        Assert.Equal("history", (await (await a.GetAsync($"/_matrix/client/v3/rooms/{roomId}/state/m.room.name")).AssertOkAsync()).GetProperty("name").GetString());

        // The room goes on after the purge.
        await a.SendTextAsync(roomId, "m7");
        Assert.Equal(["m7", "m6", "m5", "m4"], (await PageBackAsync(a, roomId, await NextBatchAsync(a))).Bodies());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Purge_UpToALaterTime_NeverRemovesTheNewestEvent(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (_, a) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync();
        await a.SendTextAsync(roomId, "old");
        await a.SendTextAsync(roomId, "newest");
        var future = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();

        // Local events are kept unless asked, as Synapse keeps them, but they leave the timeline all the same.
        var started = await (await admin.PostAsJsonAsync($"{Admin}/v1/purge_history/{roomId}", new { purge_up_to_ts = future })).AssertOkAsync();
        Assert.Equal("complete", await AwaitCompleteAsync(admin, started.GetProperty("purge_id").GetString()!));

        Assert.Equal(["newest"], (await PageBackAsync(a, roomId, await NextBatchAsync(a))).Bodies());
        await a.SendTextAsync(roomId, "after");
        Assert.Equal(["after", "newest"], (await PageBackAsync(a, roomId, await NextBatchAsync(a))).Bodies());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Purge_BadRequests_AreRefused(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (_, a) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync();
        var other = await a.CreateRoomAsync();
        var otherEvent = await a.SendTextAsync(other, "elsewhere");

        await (await admin.PostAsJsonAsync($"{Admin}/v1/purge_history/{roomId}", new { })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        await (await admin.PostAsJsonAsync($"{Admin}/v1/purge_history/{roomId}", new { purge_up_to_event_id = otherEvent })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.PostAsync($"{Admin}/v1/purge_history/{roomId}/{Uri.EscapeDataString(otherEvent)}", JsonContent.Create(new { }))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.PostAsJsonAsync($"{Admin}/v1/purge_history/!missing:{TestHomeserver.ServerName}", new { purge_up_to_ts = 1 })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await admin.PostAsJsonAsync($"{Admin}/v1/purge_history/not-a-room", new { purge_up_to_ts = 1 })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.PostAsJsonAsync($"{Admin}/v1/purge_history/{roomId}", new { purge_up_to_ts = "yesterday" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        await (await admin.GetAsync($"{Admin}/v1/purge_history_status/unknown")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await a.GetAsync($"{Admin}/v1/purge_history_status/unknown")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }
}
