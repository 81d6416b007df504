using System.Net;
using System.Net.Http.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Rooms;

public sealed class RoomUpgradeAndIgnoreTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Upgrade_CreatesSuccessor_CopiesState_MovesAlias_AndTombstonesTheOldRoom(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var aliasName = "up" + Guid.NewGuid().ToString("N")[..6];
        var oldRoom = await a.CreateRoomAsync(new { room_version = "11", name = "Old name", topic = "kept", room_alias_name = aliasName });
        var res = await (await a.PostRoomAsync(oldRoom, "upgrade", new { new_version = "12" })).AssertOkAsync();
        var newRoom = res.GetProperty("replacement_room").GetString()!;
        Assert.NotEqual(oldRoom, newRoom);

        var create = await (await a.GetRoomAsync(newRoom, "state/m.room.create/")).AssertOkAsync();
        Assert.Equal("12", create.GetProperty("room_version").GetString());
        Assert.Equal(oldRoom, create.GetProperty("predecessor").GetProperty("room_id").GetString());
        Assert.Equal("Old name", (await (await a.GetRoomAsync(newRoom, "state/m.room.name/")).AssertOkAsync()).GetProperty("name").GetString());
        Assert.Equal("kept", (await (await a.GetRoomAsync(newRoom, "state/m.room.topic/")).AssertOkAsync()).GetProperty("topic").GetString());
        var tomb = await (await a.GetRoomAsync(oldRoom, "state/m.room.tombstone/")).AssertOkAsync();
        Assert.Equal(newRoom, tomb.GetProperty("replacement_room").GetString());
        Assert.Equal("can_join", (await (await a.GetRoomAsync(newRoom, "state/m.room.guest_access/")).AssertOkAsync()).GetProperty("guest_access").GetString());
        // A public room states no guest access (none means forbidden); its successor says so in so many words, as Synapse's states it.
        var publicRoom = await a.CreateRoomAsync(new { preset = "public_chat" });
        var successor = (await (await a.PostRoomAsync(publicRoom, "upgrade", new { new_version = "12" })).AssertOkAsync()).GetProperty("replacement_room").GetString()!;
        Assert.Equal("forbidden", (await (await a.GetRoomAsync(successor, "state/m.room.guest_access/")).AssertOkAsync()).GetProperty("guest_access").GetString());
        var resolved = await (await a.GetAsync($"/_matrix/client/v3/directory/room/{Uri.EscapeDataString($"#{aliasName}:{TestHomeserver.ServerName}")}")).AssertOkAsync();
        Assert.Equal(newRoom, resolved.GetProperty("room_id").GetString());
        await a.SendTextAsync(newRoom, "in the new room");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Upgrade_BeforeV12_NamesTheTombstone_MovesTheCanonicalAlias_AndCopiesMembersTagsAndDirectChats(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, bob, a, b, oldRoom) = await hs.TwoUsersInPublicRoomAsync();
        var (carol, c) = await hs.RegisterClientAsync();
        await c.JoinAsync(oldRoom);
        var alias = $"#up{Guid.NewGuid().ToString("N")[..8]}:{TestHomeserver.ServerName}";
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/directory/room/{Uri.EscapeDataString(alias)}", new { room_id = oldRoom })).AssertOkAsync();
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(oldRoom)}/state/m.room.canonical_alias/", new { alias })).AssertOkAsync();
        string Tags(string userId, string roomId) => $"/_matrix/client/v3/user/{Uri.EscapeDataString(userId)}/rooms/{Uri.EscapeDataString(roomId)}/tags";
        await (await b.PutAsJsonAsync(Tags(bob.UserId, oldRoom) + "/u.work", new { order = 0.5 })).AssertOkAsync();
        var direct = $"/_matrix/client/v3/user/{Uri.EscapeDataString(bob.UserId)}/account_data/m.direct";
        await (await b.PutAsJsonAsync(direct, new Dictionary<string, string[]> { [alice.UserId] = [oldRoom] })).AssertOkAsync();
        // Carol tagged the room too but left before the upgrade: her tags stay behind.
        await (await c.PutAsJsonAsync(Tags(carol.UserId, oldRoom) + "/u.gone", new { })).AssertOkAsync();
        await c.LeaveAsync(oldRoom);

        var newRoom = (await (await a.PostRoomAsync(oldRoom, "upgrade", new { new_version = "10" })).AssertOkAsync()).GetProperty("replacement_room").GetString()!;

        var tombstoneId = (await (await a.GetRoomAsync(oldRoom, "state/m.room.tombstone/?format=event")).AssertOkAsync()).GetProperty("event_id").GetString();
        var predecessor = (await (await a.GetRoomAsync(newRoom, "state/m.room.create/")).AssertOkAsync()).GetProperty("predecessor");
        Assert.Equal(oldRoom, predecessor.GetProperty("room_id").GetString());
        Assert.Equal(tombstoneId, predecessor.GetProperty("event_id").GetString());
        Assert.Equal(alias, (await (await a.GetRoomAsync(newRoom, "state/m.room.canonical_alias/")).AssertOkAsync()).GetProperty("alias").GetString());
        Assert.False((await (await a.GetRoomAsync(oldRoom, "state/m.room.canonical_alias/")).AssertOkAsync()).TryGetProperty("alias", out _));

        var tags = (await (await b.GetAsync(Tags(bob.UserId, newRoom))).AssertOkAsync()).GetProperty("tags");
        Assert.Equal(0.5, tags.GetProperty("u.work").GetProperty("order").GetDouble());
        var directRooms = (await (await b.GetAsync(direct)).AssertOkAsync()).GetProperty(alice.UserId).EnumerateArray().Select(r => r.GetString());
        Assert.Equal([oldRoom, newRoom], directRooms);
        Assert.Empty((await (await c.GetAsync(Tags(carol.UserId, newRoom))).AssertOkAsync()).GetProperty("tags").EnumerateObject());
    }

    [Fact]
    public async Task Upgrade_WithoutPower_OrToUnknownVersion_IsRefused()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        using var b = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
        await b.JoinAsync(roomId);
        await (await b.PostRoomAsync(roomId, "upgrade", new { new_version = "12" })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await a.PostRoomAsync(roomId, "upgrade", new { new_version = "99" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNSUPPORTED_ROOM_VERSION");
    }

    [Fact]
    public async Task Upgrade_MovesDirectoryListingToTheSuccessor()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var oldRoom = await a.CreateRoomAsync(new { preset = "public_chat", visibility = "public", name = "listed" + Guid.NewGuid().ToString("N")[..6] });
        var newRoom = (await (await a.PostRoomAsync(oldRoom, "upgrade", new { new_version = "12" })).AssertOkAsync()).GetProperty("replacement_room").GetString();
        Assert.Equal("public", (await (await hs.Client.GetAsync($"/_matrix/client/v3/directory/list/room/{Uri.EscapeDataString(newRoom!)}")).AssertOkAsync()).GetProperty("visibility").GetString());
        Assert.Equal("private", (await (await hs.Client.GetAsync($"/_matrix/client/v3/directory/list/room/{Uri.EscapeDataString(oldRoom)}")).AssertOkAsync()).GetProperty("visibility").GetString());
    }

    [Fact]
    public async Task ForgottenRoom_HistoryIsNoLongerReadable()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        using var b = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
        await b.JoinAsync(roomId);
        await a.SendTextAsync(roomId, "remember me");
        await b.LeaveAsync(roomId);
        Assert.Contains("remember me", (await b.MessagesAsync(roomId)).Bodies());
        await (await b.PostRoomAsync(roomId, "forget", new { })).AssertOkAsync();
        await (await b.GetRoomAsync(roomId, "messages")).AssertErrorAsync(System.Net.HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await b.GetRoomAsync(roomId, "state")).AssertErrorAsync(System.Net.HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }

    [Fact]
    public async Task IgnoredUsers_MessagesAreLeftOutOfReadPaths()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (alice, troll, a, t, roomId) = await hs.TwoUsersInPublicRoomAsync();
        await t.SendTextAsync(roomId, "noise");
        await a.SendTextAsync(roomId, "signal");
        Assert.Contains("noise", (await a.MessagesAsync(roomId)).Bodies());

        await (await a.PutAsJsonAsync($"/_matrix/client/v3/user/{Uri.EscapeDataString(alice.UserId)}/account_data/m.ignored_user_list",
            new { ignored_users = new Dictionary<string, object> { [troll.UserId] = new { } } })).AssertOkAsync();
        var seen = (await a.MessagesAsync(roomId)).ToList();
        Assert.DoesNotContain("noise", seen.Bodies());
        Assert.Contains("signal", seen.Bodies());
        // The ignored user's membership stays: state keeps the room understandable.
        Assert.Contains(seen, e => e.GetProperty("type").GetString() == "m.room.member" && e.GetProperty("state_key").GetString() == troll.UserId);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task IgnoredUsers_InvitesAreNotDelivered_InFullOrIncrementalSync(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var (troll, t) = await hs.RegisterClientAsync();
        var (_, friend) = await hs.RegisterClientAsync();
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/user/{Uri.EscapeDataString(alice.UserId)}/account_data/m.ignored_user_list",
            new { ignored_users = new Dictionary<string, object> { [troll.UserId] = new { } } })).AssertOkAsync();
        var since = (await (await a.GetAsync("/_matrix/client/v3/sync")).AssertOkAsync()).GetProperty("next_batch").GetString()!;

        var spam = await t.CreateRoomAsync();
        await t.InviteAsync(spam, alice.UserId);
        var welcome = await friend.CreateRoomAsync();
        await friend.InviteAsync(welcome, alice.UserId);

        var incremental = await (await a.GetAsync($"/_matrix/client/v3/sync?since={Uri.EscapeDataString(since)}&timeout=0")).AssertOkAsync();
        var full = await (await a.GetAsync("/_matrix/client/v3/sync")).AssertOkAsync();
        foreach (var sync in new[] { incremental, full })
        {
            var invites = sync.GetProperty("rooms").GetProperty("invite");
            Assert.False(invites.TryGetProperty(spam, out _), $"an ignored user's invite was delivered: {invites}");
            Assert.True(invites.TryGetProperty(welcome, out _));
        }
    }

    [Fact]
    public async Task DirectChat_InviteCarriesIsDirect()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var bob = await hs.RegisterAsync();
        var roomId = await a.CreateRoomAsync(new { preset = "trusted_private_chat", is_direct = true, invite = new[] { bob.UserId } });
        var invite = await (await a.GetRoomAsync(roomId, $"state/m.room.member/{Uri.EscapeDataString(bob.UserId)}")).AssertOkAsync();
        Assert.Equal("invite", invite.GetProperty("membership").GetString());
        Assert.True(invite.GetProperty("is_direct").GetBoolean());
        var pl = await (await a.GetRoomAsync(roomId, "state/m.room.power_levels/")).AssertOkAsync();
        Assert.Equal(100, pl.GetProperty("users").GetProperty(bob.UserId).GetInt32());
    }
}
