using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Homeserver.Testing.Federation;
using Xunit;

namespace Homeserver.IntegrationTests.Admin;

public sealed class RoomDeletionAdminTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static string Esc(string s) => Uri.EscapeDataString(s);

    private static async Task<JsonElement> DeleteAndWaitAsync(HttpClient admin, string roomId, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, $"/_synapse/admin/v2/rooms/{Esc(roomId)}") { Content = JsonContent.Create(body) };
        var deleteId = (await (await admin.SendAsync(request)).AssertOkAsync()).GetProperty("delete_id").GetString()!;
        JsonElement status = default;
        await RoomViews.EventuallyAsync(async () =>
        {
            status = await (await admin.GetAsync($"/_synapse/admin/v2/rooms/delete_status/{deleteId}")).AssertOkAsync();
            return status.GetProperty("status").GetString() is "complete" or "failed";
        }, () => Task.FromResult($"deletion still {status}"));
        Assert.Equal("complete", status.GetProperty("status").GetString());
        Assert.Equal(deleteId, status.GetProperty("delete_id").GetString());
        Assert.Equal(roomId, status.GetProperty("room_id").GetString());
        return status;
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DeleteV2_MembersLeaveAsSeenBySync_BlockRefusesRejoin_ThenPurgeRemovesTheRoom(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (alice, bob, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var (carol, c) = await hs.RegisterClientAsync();
        await a.InviteAsync(roomId, carol.UserId);
        var alias = "del" + Guid.NewGuid().ToString("N")[..8];
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/directory/room/{Esc($"#{alias}:{TestHomeserver.ServerName}")}", new { room_id = roomId })).AssertOkAsync();
        var message = await a.SendTextAsync(roomId, "soon gone");
        var since = (await (await b.GetAsync("/_matrix/client/v3/sync?timeout=0")).AssertOkAsync()).GetProperty("next_batch").GetString();

        var status = await DeleteAndWaitAsync(admin, roomId, new { block = true, purge = false });
        var shutdown = status.GetProperty("shutdown_room");
        Assert.Equal(new[] { alice.UserId, bob.UserId, carol.UserId }.Order(), shutdown.GetProperty("kicked_users").EnumerateArray().Select(u => u.GetString()).Order());
        Assert.Empty(shutdown.GetProperty("failed_to_kick_users").EnumerateArray());
        Assert.Equal($"#{alias}:{TestHomeserver.ServerName}", Assert.Single(shutdown.GetProperty("local_aliases").EnumerateArray()).GetString());
        Assert.Equal(JsonValueKind.Null, shutdown.GetProperty("new_room_id").ValueKind);

        var sync = await (await b.GetAsync($"/_matrix/client/v3/sync?timeout=0&since={since}")).AssertOkAsync();
        Assert.True(sync.GetProperty("rooms").GetProperty("leave").TryGetProperty(roomId, out _), sync.ToString());
        await (await b.PostAsync($"/_matrix/client/v3/join/{Esc(roomId)}", null)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await c.PostAsync($"/_matrix/client/v3/join/{Esc(roomId)}", null)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await b.GetAsync($"/_matrix/client/v3/directory/room/{Esc($"#{alias}:{TestHomeserver.ServerName}")}")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        var kept = await (await admin.GetAsync($"/_synapse/admin/v1/rooms/{Esc(roomId)}")).AssertOkAsync();
        Assert.Equal(0, kept.GetProperty("joined_members").GetInt32());
        Assert.False(kept.GetProperty("forgotten").GetBoolean());

        await DeleteAndWaitAsync(admin, roomId, new { });
        var byRoom = await (await admin.GetAsync($"/_synapse/admin/v2/rooms/{Esc(roomId)}/delete_status")).AssertOkAsync();
        Assert.Equal(2, byRoom.GetProperty("results").GetArrayLength());
        Assert.All(byRoom.GetProperty("results").EnumerateArray(), r => Assert.Equal("complete", r.GetProperty("status").GetString()));
        var list = await (await admin.GetAsync($"/_synapse/admin/v1/rooms?search_term={Esc(roomId)}")).AssertOkAsync();
        Assert.Equal(0, list.GetProperty("total_rooms").GetInt32());
        await (await admin.GetAsync($"/_synapse/admin/v1/rooms/{Esc(roomId)}")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await admin.GetAsync($"/_synapse/admin/v1/fetch_event/{Esc(message)}")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        Assert.True((await (await admin.GetAsync($"/_synapse/admin/v1/rooms/{Esc(roomId)}/block")).AssertOkAsync()).GetProperty("block").GetBoolean());
        await (await b.GetAsync($"/_matrix/client/v3/sync?timeout=0&since={since}")).AssertOkAsync();
        await (await b.PostAsync($"/_matrix/client/v3/join/{Esc(roomId)}", null)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DeleteV1_MovesMembersAndAliasesToANewRoom_AndAnswersWithWhatItDid(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (adminUser, admin) = await hs.RegisterAdminAsync();
        var (_, _, _, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var alias = $"#mv{Guid.NewGuid().ToString("N")[..8]}:{TestHomeserver.ServerName}";
        await (await b.PutAsJsonAsync($"/_matrix/client/v3/directory/room/{Esc(alias)}", new { room_id = roomId })).AssertOkAsync();

        var request = new HttpRequestMessage(HttpMethod.Delete, $"/_synapse/admin/v1/rooms/{Esc(roomId)}")
        {
            Content = JsonContent.Create(new { new_room_user_id = adminUser.UserId, room_name = "Moved", message = "This room was closed" }),
        };
        var done = await (await admin.SendAsync(request)).AssertOkAsync();
        Assert.Equal(2, done.GetProperty("kicked_users").GetArrayLength());
        Assert.Equal(alias, Assert.Single(done.GetProperty("local_aliases").EnumerateArray()).GetString());
        var newRoom = done.GetProperty("new_room_id").GetString()!;

        var joined = await (await b.GetAsync("/_matrix/client/v3/joined_rooms")).AssertOkAsync();
        Assert.Equal([newRoom], joined.GetProperty("joined_rooms").EnumerateArray().Select(r => r.GetString()));
        var resolved = await (await b.GetAsync($"/_matrix/client/v3/directory/room/{Esc(alias)}")).AssertOkAsync();
        Assert.Equal(newRoom, resolved.GetProperty("room_id").GetString());
        Assert.Contains("This room was closed", (await b.MessagesAsync(newRoom)).Bodies());
        var details = await (await admin.GetAsync($"/_synapse/admin/v1/rooms/{Esc(newRoom)}")).AssertOkAsync();
        Assert.Equal("Moved", details.GetProperty("name").GetString());
        await (await admin.GetAsync($"/_synapse/admin/v1/rooms/{Esc(roomId)}")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Delete_BadInput_UnknownIds_AndNonAdmins_AreRefused(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (_, a) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync();
        HttpRequestMessage Delete(string path, object? body) =>
            new(HttpMethod.Delete, path) { Content = body is null ? null : JsonContent.Create(body) };
        var v2 = $"/_synapse/admin/v2/rooms/{Esc(roomId)}";

        await (await admin.SendAsync(Delete(v2, null))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_NOT_JSON");
        await (await admin.SendAsync(Delete(v2, new { purge = "yes" }))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.SendAsync(Delete(v2, new { purge = false, force_purge = true }))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.SendAsync(Delete(v2, new { new_room_user_id = "@someone:elsewhere.example" }))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.SendAsync(Delete("/_synapse/admin/v2/rooms/not-a-room", new { }))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        var unknown = $"!gone{Guid.NewGuid():N}:{TestHomeserver.ServerName}";
        await (await admin.SendAsync(Delete($"/_synapse/admin/v2/rooms/{Esc(unknown)}", new { }))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await admin.GetAsync($"/_synapse/admin/v2/rooms/{Esc(unknown)}/delete_status")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await admin.GetAsync("/_synapse/admin/v2/rooms/delete_status/nope")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await a.SendAsync(Delete(v2, new { }))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await a.SendAsync(Delete($"/_synapse/admin/v1/rooms/{Esc(roomId)}", new { }))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        // Blocking ahead of time a room never held here is what a deletion with block does for it.
        var status = await DeleteAndWaitAsync(admin, unknown, new { block = true });
        Assert.Empty(status.GetProperty("shutdown_room").GetProperty("kicked_users").EnumerateArray());
        Assert.True((await (await admin.GetAsync($"/_synapse/admin/v1/rooms/{Esc(unknown)}/block")).AssertOkAsync()).GetProperty("block").GetBoolean());
    }
}
