using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Rooms;

public sealed class RoomLifecycleTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task CreateRoom_V12Default_HasHashRoomIdAndPresetState(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, c) = await hs.RegisterClientAsync();
        var roomId = await c.CreateRoomAsync(new { name = "Lunch", topic = "Where to eat", preset = "private_chat" });
        Assert.StartsWith("!", roomId);
        Assert.DoesNotContain(":", roomId);

        var state = (await (await c.GetRoomAsync(roomId, "state")).AssertOkAsync()).EnumerateArray().ToList();
        string? Content(string type, string key) => state.FirstOrDefault(e => e.GetProperty("type").GetString() == type).GetProperty("content").GetProperty(key).ToString();
        Assert.Equal("12", Content("m.room.create", "room_version"));
        Assert.Equal("join", Content("m.room.member", "membership"));
        Assert.Equal("invite", Content("m.room.join_rules", "join_rule"));
        Assert.Equal("shared", Content("m.room.history_visibility", "history_visibility"));
        Assert.Equal("Lunch", Content("m.room.name", "name"));
        Assert.Equal("Where to eat", Content("m.room.topic", "topic"));
        var pl = state.Single(e => e.GetProperty("type").GetString() == "m.room.power_levels").GetProperty("content");
        Assert.False(pl.GetProperty("users").TryGetProperty(alice.UserId, out _));

        var name = await (await c.GetRoomAsync(roomId, "state/m.room.name/")).AssertOkAsync();
        Assert.Equal("Lunch", name.GetProperty("name").GetString());
        var joined = await (await c.GetAsync("/_matrix/client/v3/joined_rooms")).AssertOkAsync();
        Assert.Contains(roomId, joined.GetProperty("joined_rooms").EnumerateArray().Select(r => r.GetString()));
    }

    [Theory]
    [InlineData("10")]
    [InlineData("11")]
    public async Task CreateRoom_OlderVersions_Work(string version)
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await c.CreateRoomAsync(new { room_version = version });
        Assert.EndsWith(":" + TestHomeserver.ServerName, roomId);
        await c.SendTextAsync(roomId, "hello v" + version);
        Assert.Contains("hello v" + version, (await c.MessagesAsync(roomId)).Bodies());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task CreateRoom_ManyAtOnceByOneUser_AreDistinctRooms(string engine)
    {
        // v12 room IDs are create-event hashes: identical requests in one millisecond must still make distinct rooms.
        var hs = await fixture.GetAsync(engine);
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => c.PostAsJsonAsync("/_matrix/client/v3/createRoom", new { })));
        var ids = new List<string>();
        foreach (var r in responses)
            ids.Add((await r.AssertOkAsync()).GetProperty("room_id").GetString()!);
        Assert.Equal(20, ids.Distinct().Count());
    }

    [Fact]
    public async Task CreateRoom_UnknownVersion_IsUnsupported()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var c = hs.ClientFor(await hs.RegisterAsync());
        var res = await c.PostAsJsonAsync("/_matrix/client/v3/createRoom", new { room_version = "9000" });
        await res.AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNSUPPORTED_ROOM_VERSION");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task InviteJoinMessage_EveryMemberSeesTheSameHistory(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new { invite = new[] { bob.UserId } });
        await b.JoinAsync(roomId);
        await a.SendTextAsync(roomId, "hi bob");
        await b.SendTextAsync(roomId, "hi alice");

        var fromAlice = (await a.MessagesAsync(roomId)).Bodies().ToList();
        var fromBob = (await b.MessagesAsync(roomId)).Bodies().ToList();
        Assert.Equal(["hi alice", "hi bob"], fromAlice);
        Assert.Equal(fromAlice, fromBob);

        var members = await (await a.GetRoomAsync(roomId, "joined_members")).AssertOkAsync();
        Assert.True(members.GetProperty("joined").TryGetProperty(bob.UserId, out var bobInfo));
        Assert.Equal(bob.Localpart, bobInfo.GetProperty("display_name").GetString());
        // A member without an avatar still has the key, null.
        Assert.Equal(JsonValueKind.Null, bobInfo.GetProperty("avatar_url").ValueKind);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task PuttingOnesOwnJoin_Joins_WithTheRoomSpecificName_ButOnlyWhereAJoinWouldBeAllowed(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        var publicRoom = await a.CreateRoomAsync(new { preset = "public_chat" });
        var privateRoom = await a.CreateRoomAsync(new { preset = "private_chat" });
        string MemberPath(string roomId, string userId) => $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/m.room.member/{Uri.EscapeDataString(userId)}";

        var put = await (await b.PutAsJsonAsync(MemberPath(publicRoom, bob.UserId), new { membership = "join", displayname = "Overridden" })).AssertOkAsync();
        var member = await (await a.GetAsync(MemberPath(publicRoom, bob.UserId) + "?format=event")).AssertOkAsync();
        Assert.Equal(put.GetProperty("event_id").GetString(), member.GetProperty("event_id").GetString());
        Assert.Equal("join", member.GetProperty("content").GetProperty("membership").GetString());
        Assert.Equal("Overridden", member.GetProperty("content").GetProperty("displayname").GetString());

        // The join's rules hold: no invite, no join.
        await (await b.PutAsJsonAsync(MemberPath(privateRoom, bob.UserId), new { membership = "join" })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await b.GetRoomAsync(privateRoom, "state")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        // Nor does it join someone else.
        var (carol, _) = await hs.RegisterClientAsync();
        await (await b.PutAsJsonAsync(MemberPath(publicRoom, carol.UserId), new { membership = "join" })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await a.GetAsync(MemberPath(publicRoom, carol.UserId))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Fact]
    public async Task Join_PrivateRoomWithoutInvite_IsForbiddenByTheRules()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        using var stranger = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync(new { preset = "private_chat" });
        var body = await (await stranger.PostRoomAsync(roomId, "join", new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        Assert.Contains("m.room.member", body.GetProperty("error").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task PublicRoom_JoinByAlias(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        using var b = hs.ClientFor(await hs.RegisterAsync());
        var aliasName = "town" + Guid.NewGuid().ToString("N")[..6];
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat", room_alias_name = aliasName });
        var alias = $"#{aliasName}:{TestHomeserver.ServerName}";
        var resolved = await (await b.GetAsync("/_matrix/client/v3/directory/room/" + Uri.EscapeDataString(alias))).AssertOkAsync();
        Assert.Equal(roomId, resolved.GetProperty("room_id").GetString());
        var joined = await (await b.PostAsJsonAsync("/_matrix/client/v3/join/" + Uri.EscapeDataString(alias), new { })).AssertOkAsync();
        Assert.Equal(roomId, joined.GetProperty("room_id").GetString());
        var taken = await a.PostAsJsonAsync("/_matrix/client/v3/createRoom", new { room_alias_name = aliasName });
        await taken.AssertErrorAsync(HttpStatusCode.BadRequest, "M_ROOM_IN_USE");
    }

    [Fact]
    public async Task KickAndBan_NeedPower_AndBanKeepsTheUserOut()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (_, bob, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var (carol, c) = await hs.RegisterClientAsync();
        await c.JoinAsync(roomId);

        await (await b.PostRoomAsync(roomId, "kick", new { user_id = carol.UserId })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await a.PostRoomAsync(roomId, "ban", new { user_id = carol.UserId, reason = "spam" })).AssertOkAsync();
        await (await c.PostRoomAsync(roomId, "join", new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await c.GetRoomAsync(roomId, "messages")).AssertOkAsync();
        await (await a.PostRoomAsync(roomId, "unban", new { user_id = carol.UserId })).AssertOkAsync();
        await c.JoinAsync(roomId);
        await (await a.PostRoomAsync(roomId, "kick", new { user_id = bob.UserId })).AssertOkAsync();
        var bobMembership = await (await a.GetRoomAsync(roomId, $"state/m.room.member/{Uri.EscapeDataString(bob.UserId)}")).AssertOkAsync();
        Assert.Equal("leave", bobMembership.GetProperty("membership").GetString());
    }

    [Fact]
    public async Task KickOfSomeoneNotInTheRoom_IsRefused_AndRepeatedStateOrJoins_SendNothingNew()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (_, _, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var (stranger, _) = await hs.RegisterClientAsync();
        var (carol, c) = await hs.RegisterClientAsync();
        await c.JoinAsync(roomId);
        await c.LeaveAsync(roomId);

        await (await a.PostRoomAsync(roomId, "kick", new { user_id = stranger.UserId })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await a.PostRoomAsync(roomId, "kick", new { user_id = carol.UserId })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await a.PostRoomAsync(roomId, "ban", new { user_id = carol.UserId })).AssertOkAsync();
        // A kick would turn the ban into a leave: a ban is undone by unbanning.
        await (await a.PostRoomAsync(roomId, "kick", new { user_id = carol.UserId })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        var carols = await (await a.GetRoomAsync(roomId, $"state/m.room.member/{Uri.EscapeDataString(carol.UserId)}")).AssertOkAsync();
        Assert.Equal("ban", carols.GetProperty("membership").GetString());

        var topic = $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/m.room.topic";
        var first = (await (await a.PutAsJsonAsync(topic, new { topic = "same" })).AssertOkAsync()).GetProperty("event_id").GetString();
        var again = (await (await a.PutAsJsonAsync(topic, new { topic = "same" })).AssertOkAsync()).GetProperty("event_id").GetString();
        Assert.Equal(first, again);
        // Another sender, or other content, is a new event.
        var changed = (await (await a.PutAsJsonAsync(topic, new { topic = "other" })).AssertOkAsync()).GetProperty("event_id").GetString();
        Assert.NotEqual(first, changed);

        var before = (await a.MessagesAsync(roomId)).Count;
        await b.JoinAsync(roomId);
        Assert.Equal(before, (await a.MessagesAsync(roomId)).Count);
    }

    [Fact]
    public async Task Join_KeepsTheClientsOwnFields_WithTheProfileFillingIn()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (_, a) = await hs.RegisterClientAsync();
        var (bob, b) = await hs.RegisterClientAsync();
        await (await b.PutAsJsonAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString(bob.UserId)}/displayname", new { displayname = "Bob" })).AssertOkAsync();
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });

        await (await b.PostAsJsonAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}",
            new { foo = "bar", reason = "hello", membership = "ban" })).AssertOkAsync();

        var member = await (await a.GetRoomAsync(roomId, $"state/m.room.member/{Uri.EscapeDataString(bob.UserId)}")).AssertOkAsync();
        Assert.Equal("join", member.GetProperty("membership").GetString());
        Assert.Equal("bar", member.GetProperty("foo").GetString());
        Assert.Equal("hello", member.GetProperty("reason").GetString());
        Assert.Equal("Bob", member.GetProperty("displayname").GetString());
    }

    [Fact]
    public async Task Leave_ThenLaterMessagesAreHidden()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        using var b = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
        await b.JoinAsync(roomId);
        await a.SendTextAsync(roomId, "while you were here");
        await b.LeaveAsync(roomId);
        await a.SendTextAsync(roomId, "after you left");
        var seen = (await b.MessagesAsync(roomId)).Bodies().ToList();
        Assert.Contains("while you were here", seen);
        Assert.DoesNotContain("after you left", seen);
        await (await b.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/x1", new { body = "back?" })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }
}
