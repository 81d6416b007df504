using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.IntegrationTests.Sync;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Security;

/// <summary>
/// Issue 13, finding 2: an event in one room claiming a relation to an event of another room became that event's
/// thread summary (or edit) in the other room, visible to its members. Relations count only within one room.
/// </summary>
public sealed class CrossRoomRelationTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static Task<HttpResponseMessage> SendAsync(HttpClient c, string roomId, object content) =>
        c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/m.room.message/{Guid.NewGuid():N}", content);

    private static object Related(string relType, string target, string body) => new Dictionary<string, object>
    {
        ["msgtype"] = "m.text",
        ["body"] = body,
        ["m.new_content"] = new { msgtype = "m.text", body },
        ["m.relates_to"] = new { rel_type = relType, event_id = target },
    };

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ARelationFromAnotherRoom_IsNeitherAggregatedNorListed(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, alice) = await hs.RegisterClientAsync();
        using var mallory = hs.ClientFor(await hs.RegisterAsync());
        var privateRoom = await alice.CreateRoomAsync(new { preset = "private_chat" });
        var target = await alice.SendTextAsync(privateRoom, "original");
        var malloryRoom = await mallory.CreateRoomAsync();
        var aliceOtherRoom = await alice.CreateRoomAsync();

        await (await SendAsync(mallory, malloryRoom, Related("m.thread", target, "injected thread reply"))).AssertOkAsync();
        // Even the original's own sender cannot edit it from another room: an edit counts only beside its original.
        await (await SendAsync(alice, aliceOtherRoom, Related("m.replace", target, "edited from elsewhere"))).AssertOkAsync();

        var ev = await (await alice.GetRoomAsync(privateRoom, "event/" + Uri.EscapeDataString(target))).AssertOkAsync();
        Assert.False(ev.TryGetProperty("unsigned", out var unsigned) && unsigned.TryGetProperty("m.relations", out _));
        var threads = await (await alice.GetAsync($"/_matrix/client/v1/rooms/{Uri.EscapeDataString(privateRoom)}/threads")).AssertOkAsync();
        Assert.Empty(threads.GetProperty("chunk").EnumerateArray());
        var synced = SyncClient.Timeline(await SyncClient.SyncAsync(alice), privateRoom).Single(e => e.GetProperty("event_id").GetString() == target);
        Assert.False(synced.TryGetProperty("unsigned", out var su) && su.TryGetProperty("m.relations", out _));

        // Within the room the same relations still aggregate.
        var reply = await (await SendAsync(alice, privateRoom, Related("m.thread", target, "real reply"))).AssertOkAsync();
        var after = await (await alice.GetRoomAsync(privateRoom, "event/" + Uri.EscapeDataString(target))).AssertOkAsync();
        var thread = after.GetProperty("unsigned").GetProperty("m.relations").GetProperty("m.thread");
        Assert.Equal(1, thread.GetProperty("count").GetInt32());
        Assert.Equal(reply.GetProperty("event_id").GetString(), thread.GetProperty("latest_event").GetProperty("event_id").GetString());
    }
}
