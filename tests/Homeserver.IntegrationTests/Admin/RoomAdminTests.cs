using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Admin;

public sealed class RoomAdminTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static string Esc(string s) => Uri.EscapeDataString(s);

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RoomList_SearchOrderAndOffsets_AsSynapse(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (alice, a) = await hs.RegisterClientAsync();
        var (_, b) = await hs.RegisterClientAsync();
        var tag = "list" + Guid.NewGuid().ToString("N")[..8];
        var big = await a.CreateRoomAsync(new { name = $"{tag} b-big", preset = "public_chat", room_alias_name = tag });
        await b.JoinAsync(big);
        var small = await a.CreateRoomAsync(new { name = $"{tag} a-small", initial_state = new[] { new { type = "m.room.encryption", state_key = "", content = new { algorithm = "m.megolm.v1.aes-sha2" } } } });
        await a.CreateRoomAsync(new { name = $"{tag} c-other" });

        var byName = await (await admin.GetAsync($"/_synapse/admin/v1/rooms?search_term={tag}&limit=2")).AssertOkAsync();
        Assert.Equal(3, byName.GetProperty("total_rooms").GetInt32());
        Assert.Equal(0, byName.GetProperty("offset").GetInt32());
        Assert.Equal(2, byName.GetProperty("next_batch").GetInt32());
        Assert.False(byName.TryGetProperty("prev_batch", out _));
        var rooms = byName.GetProperty("rooms").EnumerateArray().ToList();
        Assert.Equal([small, big], rooms.Select(r => r.GetProperty("room_id").GetString()));
        var first = rooms[0];
        Assert.Equal("m.megolm.v1.aes-sha2", first.GetProperty("encryption").GetString());
        Assert.Equal(1, first.GetProperty("joined_members").GetInt32());
        Assert.Equal(alice.UserId, first.GetProperty("creator").GetString());
        Assert.True(first.GetProperty("federatable").GetBoolean());
        Assert.False(first.GetProperty("public").GetBoolean());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("canonical_alias").ValueKind);
        Assert.Equal(JsonValueKind.Null, first.GetProperty("room_type").ValueKind);
        Assert.Equal("invite", first.GetProperty("join_rules").GetString());
        Assert.True(first.GetProperty("state_events").GetInt32() >= 5);
        var second = rooms[1];
        Assert.Equal(2, second.GetProperty("joined_local_members").GetInt32());
        Assert.Equal($"#{tag}:{TestHomeserver.ServerName}", second.GetProperty("canonical_alias").GetString());
        Assert.Equal("public", second.GetProperty("join_rules").GetString());
        Assert.Equal("shared", second.GetProperty("history_visibility").GetString());
        Assert.True(second.GetProperty("version").GetString()!.Length > 0);

        var last = await (await admin.GetAsync($"/_synapse/admin/v1/rooms?search_term={tag}&limit=2&from=2")).AssertOkAsync();
        Assert.Equal(0, last.GetProperty("prev_batch").GetInt32());
        Assert.False(last.TryGetProperty("next_batch", out _));
        Assert.Single(last.GetProperty("rooms").EnumerateArray());

        var bySize = await (await admin.GetAsync($"/_synapse/admin/v1/rooms?search_term={tag}&order_by=joined_members&dir=b")).AssertOkAsync();
        Assert.Equal(big, bySize.GetProperty("rooms")[0].GetProperty("room_id").GetString());
        var byId = await (await admin.GetAsync($"/_synapse/admin/v1/rooms?search_term={Esc(small)}")).AssertOkAsync();
        Assert.Equal(small, Assert.Single(byId.GetProperty("rooms").EnumerateArray()).GetProperty("room_id").GetString());
        var byAlias = await (await admin.GetAsync($"/_synapse/admin/v1/rooms?search_term={tag.ToUpperInvariant()}")).AssertOkAsync();
        Assert.Equal(3, byAlias.GetProperty("total_rooms").GetInt32());

        await (await admin.GetAsync("/_synapse/admin/v1/rooms?order_by=nope")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.GetAsync("/_synapse/admin/v1/rooms?from=-1")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.GetAsync("/_synapse/admin/v1/rooms?dir=x")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await a.GetAsync("/_synapse/admin/v1/rooms")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RoomDetailsMembersStateAndEvents_SeeEverything(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (alice, bob, a, _, roomId) = await hs.TwoUsersInPublicRoomAsync();
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Esc(roomId)}/state/m.room.topic", new { topic = "the topic" })).AssertOkAsync();
        var message = await a.SendTextAsync(roomId, "hello");
        var r = $"/_synapse/admin/v1/rooms/{Esc(roomId)}";

        var details = await (await admin.GetAsync(r)).AssertOkAsync();
        Assert.Equal(roomId, details.GetProperty("room_id").GetString());
        Assert.Equal("the topic", details.GetProperty("topic").GetString());
        Assert.Equal(JsonValueKind.Null, details.GetProperty("avatar").ValueKind);
        Assert.Equal(2, details.GetProperty("joined_local_devices").GetInt32());
        Assert.False(details.GetProperty("forgotten").GetBoolean());
        Assert.Equal(2, details.GetProperty("joined_members").GetInt32());

        var members = await (await admin.GetAsync($"{r}/members")).AssertOkAsync();
        Assert.Equal(2, members.GetProperty("total").GetInt32());
        Assert.Equal(new[] { alice.UserId, bob.UserId }.Order(), members.GetProperty("members").EnumerateArray().Select(m => m.GetString()).Order());

        var state = await (await admin.GetAsync($"{r}/state")).AssertOkAsync();
        Assert.Contains(state.GetProperty("state").EnumerateArray(), e => e.GetProperty("type").GetString() == "m.room.topic");
        Assert.Equal(details.GetProperty("state_events").GetInt32(), state.GetProperty("state").GetArrayLength());

        var fetched = await (await admin.GetAsync($"/_synapse/admin/v1/fetch_event/{Esc(message)}")).AssertOkAsync();
        Assert.Equal("hello", fetched.GetProperty("event").GetProperty("content").GetProperty("body").GetString());
        Assert.Equal(roomId, fetched.GetProperty("event").GetProperty("room_id").GetString());

        var extremities = await (await admin.GetAsync($"{r}/forward_extremities")).AssertOkAsync();
        Assert.Equal(1, extremities.GetProperty("count").GetInt32());
        Assert.Equal(message, extremities.GetProperty("results")[0].GetProperty("event_id").GetString());
        var deleted = await (await admin.DeleteAsync($"{r}/forward_extremities")).AssertOkAsync();
        Assert.Equal(0, deleted.GetProperty("deleted").GetInt32());

        var unknown = $"!nope{Guid.NewGuid():N}:{TestHomeserver.ServerName}";
        await (await admin.GetAsync($"/_synapse/admin/v1/rooms/{Esc(unknown)}")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await admin.GetAsync($"/_synapse/admin/v1/rooms/{Esc(unknown)}/members")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await admin.GetAsync("/_synapse/admin/v1/rooms/not-a-room/state")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.GetAsync($"/_synapse/admin/v1/fetch_event/{Esc("$nope:" + TestHomeserver.ServerName)}")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await a.GetAsync(r)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await a.GetAsync($"/_synapse/admin/v1/fetch_event/{Esc(message)}")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task BlockedRoom_RefusesJoinsAndInvites_UntilUnblocked(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (adminUser, admin) = await hs.RegisterAdminAsync();
        var (_, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
        var block = $"/_synapse/admin/v1/rooms/{Esc(roomId)}/block";

        var before = await (await admin.GetAsync(block)).AssertOkAsync();
        Assert.False(before.GetProperty("block").GetBoolean());
        Assert.False(before.TryGetProperty("user_id", out _));
        Assert.True((await (await admin.PutAsJsonAsync(block, new { block = true })).AssertOkAsync()).GetProperty("block").GetBoolean());
        var after = await (await admin.GetAsync(block)).AssertOkAsync();
        Assert.True(after.GetProperty("block").GetBoolean());
        Assert.Equal(adminUser.UserId, after.GetProperty("user_id").GetString());

        await (await b.PostAsync($"/_matrix/client/v3/join/{Esc(roomId)}", null)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await a.PostRoomAsync(roomId, "invite", new { user_id = bob.UserId })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        await (await admin.PutAsJsonAsync(block, new { block = false })).AssertOkAsync();
        await b.JoinAsync(roomId);

        // A room never seen here may be blocked ahead of time.
        var unknown = $"!future{Guid.NewGuid():N}:elsewhere.example";
        await (await admin.PutAsJsonAsync($"/_synapse/admin/v1/rooms/{Esc(unknown)}/block", new { block = true })).AssertOkAsync();
        await (await admin.PutAsJsonAsync(block, new { block = "yes" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await a.PutAsJsonAsync(block, new { block = true })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AdminJoin_PutsLocalUsersIntoPublicRoomsByAlias_AndIntoPrivateOnesTheAdminIsIn(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (_, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var alias = "aj" + Guid.NewGuid().ToString("N")[..8];
        var publicRoom = await a.CreateRoomAsync(new { preset = "public_chat", room_alias_name = alias });
        var aliasPath = Esc($"#{alias}:{TestHomeserver.ServerName}");

        var joined = await (await admin.PostAsJsonAsync($"/_synapse/admin/v1/join/{aliasPath}", new { user_id = bob.UserId })).AssertOkAsync();
        Assert.Equal(publicRoom, joined.GetProperty("room_id").GetString());
        Assert.Contains(publicRoom, (await (await b.GetAsync("/_matrix/client/v3/joined_rooms")).AssertOkAsync()).GetProperty("joined_rooms").EnumerateArray().Select(r => r.GetString()));

        var privateRoom = await a.CreateRoomAsync(new { preset = "private_chat" });
        await (await admin.PostAsJsonAsync($"/_synapse/admin/v1/join/{Esc(privateRoom)}", new { user_id = bob.UserId })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        var adminsRoom = await admin.CreateRoomAsync(new { preset = "private_chat" });
        await (await admin.PostAsJsonAsync($"/_synapse/admin/v1/join/{Esc(adminsRoom)}", new { user_id = bob.UserId })).AssertOkAsync();
        var members = await (await admin.GetAsync($"/_synapse/admin/v1/rooms/{Esc(adminsRoom)}/members")).AssertOkAsync();
        Assert.Contains(bob.UserId, members.GetProperty("members").EnumerateArray().Select(m => m.GetString()));

        await (await admin.PostAsJsonAsync($"/_synapse/admin/v1/join/{Esc(publicRoom)}", new { user_id = "@x:elsewhere.example" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.PostAsJsonAsync($"/_synapse/admin/v1/join/{Esc(publicRoom)}", new { user_id = $"@nobody:{TestHomeserver.ServerName}" })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await admin.PostAsJsonAsync($"/_synapse/admin/v1/join/{Esc($"#missing{alias}:{TestHomeserver.ServerName}")}", new { user_id = bob.UserId })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await b.PostAsJsonAsync($"/_synapse/admin/v1/join/{Esc(publicRoom)}", new { user_id = bob.UserId })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }
}
