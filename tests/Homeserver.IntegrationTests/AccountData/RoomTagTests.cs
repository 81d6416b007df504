using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.IntegrationTests.Sync;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.AccountData;

public sealed class RoomTagTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static string TagsPath(string userId, string roomId) =>
        $"/_matrix/client/v3/user/{Uri.EscapeDataString(userId)}/rooms/{Uri.EscapeDataString(roomId)}/tags";

    private static JsonElement? TagEvent(JsonElement sync, string roomId) =>
        SyncClient.Events(SyncClient.Room(sync, "join", roomId), "account_data").Where(e => SyncClient.Type(e) == "m.tag")
            .Select(e => e.GetProperty("content").GetProperty("tags")).Cast<JsonElement?>().SingleOrDefault();

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Tags_AreAddedListedAndRemoved_AndReachSyncAsRoomAccountData(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync();
        var tags = TagsPath(alice.UserId, roomId);

        await (await a.PutAsJsonAsync($"{tags}/m.favourite", new { order = 0.25 })).AssertOkAsync();
        await (await a.PutAsJsonAsync($"{tags}/u.work", new { })).AssertOkAsync();
        var listed = (await (await a.GetAsync(tags)).AssertOkAsync()).GetProperty("tags");
        Assert.Equal(0.25, listed.GetProperty("m.favourite").GetProperty("order").GetDouble());
        Assert.Equal(JsonValueKind.Object, listed.GetProperty("u.work").ValueKind);

        var initial = await SyncClient.SyncAsync(a);
        Assert.Equal(0.25, TagEvent(initial, roomId)!.Value.GetProperty("m.favourite").GetProperty("order").GetDouble());

        await (await a.DeleteAsync($"{tags}/m.favourite")).AssertOkAsync();
        var incremental = await SyncClient.SyncAsync(a, since: SyncClient.NextBatch(initial));
        var after = TagEvent(incremental, roomId)!.Value;
        Assert.False(after.TryGetProperty("m.favourite", out _));
        Assert.True(after.TryGetProperty("u.work", out _));
        Assert.False((await (await a.GetAsync(tags)).AssertOkAsync()).GetProperty("tags").TryGetProperty("m.favourite", out _));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Tags_OfAnotherUser_AreForbidden_AndOrderMustBeANumber(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync();

        await (await b.GetAsync(TagsPath(alice.UserId, roomId))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await b.PutAsJsonAsync($"{TagsPath(alice.UserId, roomId)}/m.favourite", new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await a.PutAsJsonAsync($"{TagsPath(alice.UserId, roomId)}/m.favourite", new { order = "first" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        Assert.Empty((await (await b.GetAsync(TagsPath(bob.UserId, roomId))).AssertOkAsync()).GetProperty("tags").EnumerateObject());
    }
}
