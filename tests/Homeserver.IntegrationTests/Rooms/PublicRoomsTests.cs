using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Rooms;

/// <summary>
/// The published room directory: <c>/publicRooms</c> and <c>/directory/list/room</c>. Tests share a server,
/// so each one names its rooms with a fresh tag and searches for that tag.
/// </summary>
public sealed class PublicRoomsTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private const string PublicRoomsPath = "/_matrix/client/v3/publicRooms";

    private static string NewTag() => "t" + Guid.NewGuid().ToString("N")[..10];

    private static string VisibilityPath(string roomId) => "/_matrix/client/v3/directory/list/room/" + Uri.EscapeDataString(roomId);

    private static async Task<JsonElement> SearchAsync(HttpClient c, object body) =>
        await (await c.PostAsJsonAsync(PublicRoomsPath, body)).AssertOkAsync();

    private static List<string> RoomIds(JsonElement page) =>
        page.GetProperty("chunk").EnumerateArray().Select(r => r.GetProperty("room_id").GetString()!).ToList();

    private static async Task<string> VisibilityAsync(HttpClient c, string roomId) =>
        (await (await c.GetAsync(VisibilityPath(roomId))).AssertOkAsync()).GetProperty("visibility").GetString()!;

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task PublishedRoom_IsListedWithoutAuth_WithItsCurrentState(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        using var b = hs.ClientFor(await hs.RegisterAsync());
        var tag = NewTag();
        var roomId = await a.CreateRoomAsync(new
        {
            visibility = "public",
            preset = "public_chat",
            name = "Lobby " + tag,
            topic = "old topic",
            room_alias_name = "lobby" + tag,
            initial_state = new object[]
            {
                new { type = "m.room.avatar", state_key = "", content = new { url = "mxc://test.local/avatar" + tag } },
                new { type = "m.room.guest_access", state_key = "", content = new { guest_access = "can_join" } },
                new { type = "m.room.history_visibility", state_key = "", content = new { history_visibility = "world_readable" } },
            },
        });
        await b.JoinAsync(roomId);
        // Current state, not creation state: the newer topic is the one listed.
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/m.room.topic/", new { topic = "new topic" })).AssertOkAsync();

        var page = await (await hs.Client.GetAsync(PublicRoomsPath + "?limit=500")).AssertOkAsync();
        var entry = page.GetProperty("chunk").EnumerateArray().Single(r => r.GetProperty("room_id").GetString() == roomId);
        Assert.Equal("Lobby " + tag, entry.GetProperty("name").GetString());
        Assert.Equal("new topic", entry.GetProperty("topic").GetString());
        Assert.Equal($"#lobby{tag}:{TestHomeserver.ServerName}", entry.GetProperty("canonical_alias").GetString());
        Assert.Equal(2, entry.GetProperty("num_joined_members").GetInt32());
        Assert.True(entry.GetProperty("world_readable").GetBoolean());
        Assert.True(entry.GetProperty("guest_can_join").GetBoolean());
        Assert.Equal("public", entry.GetProperty("join_rule").GetString());
        Assert.Equal("mxc://test.local/avatar" + tag, entry.GetProperty("avatar_url").GetString());
        Assert.False(entry.TryGetProperty("room_type", out _));
        Assert.True(page.GetProperty("total_room_count_estimate").GetInt32() >= 1);
        Assert.Equal("public", await VisibilityAsync(hs.Client, roomId));
    }

    [Fact]
    public async Task PublishedRoom_WithAnHttpAvatar_IsListedWithIt_AsSynapseLists()
    {
        var hs = await fixture.GetAsync("sqlite");
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync(new { visibility = "public", preset = "public_chat" });
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/m.room.avatar/",
            new { url = "https://example.com/ruffed.jpg" })).AssertOkAsync();

        var page = await (await hs.Client.GetAsync(PublicRoomsPath + "?limit=500")).AssertOkAsync();
        var entry = page.GetProperty("chunk").EnumerateArray().Single(r => r.GetProperty("room_id").GetString() == roomId);
        Assert.Equal("https://example.com/ruffed.jpg", entry.GetProperty("avatar_url").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Visibility_PublishAndUnpublish_ChangesListingAndTotal(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var tag = NewTag();
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat", name = "Quiet " + tag });
        Assert.Equal("private", await VisibilityAsync(hs.Client, roomId));
        var before = await SearchAsync(a, new { filter = new { generic_search_term = tag } });
        Assert.Empty(RoomIds(before));

        await (await a.PutAsJsonAsync(VisibilityPath(roomId), new { visibility = "public" })).AssertOkAsync();
        Assert.Equal("public", await VisibilityAsync(hs.Client, roomId));
        var published = await SearchAsync(a, new { filter = new { generic_search_term = tag } });
        Assert.Equal([roomId], RoomIds(published));
        // The estimate counts the whole directory, not just the filtered rooms.
        Assert.Equal(before.GetProperty("total_room_count_estimate").GetInt32() + 1, published.GetProperty("total_room_count_estimate").GetInt32());

        await (await a.PutAsJsonAsync(VisibilityPath(roomId), new { visibility = "private" })).AssertOkAsync();
        Assert.Equal("private", await VisibilityAsync(hs.Client, roomId));
        Assert.Empty(RoomIds(await SearchAsync(a, new { filter = new { generic_search_term = tag } })));

        // The spec's default visibility for a body without one is public.
        await (await a.PutAsJsonAsync(VisibilityPath(roomId), new { })).AssertOkAsync();
        Assert.Equal("public", await VisibilityAsync(hs.Client, roomId));
        await (await a.PutAsJsonAsync(VisibilityPath(roomId), new { visibility = "secret" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Visibility_RequiresPowerToSetTheCanonicalAlias(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var (_, lowClient) = await hs.RegisterClientAsync();
        var (moderator, modClient) = await hs.RegisterClientAsync();
        using var outsider = hs.ClientFor(await hs.RegisterAsync());
        var roomId = await a.CreateRoomAsync(new
        {
            preset = "public_chat",
            power_level_content_override = new { users = new Dictionary<string, int> { [moderator.UserId] = 50 } },
        });
        await lowClient.JoinAsync(roomId);
        await modClient.JoinAsync(roomId);

        await (await outsider.PutAsJsonAsync(VisibilityPath(roomId), new { visibility = "public" })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await lowClient.PutAsJsonAsync(VisibilityPath(roomId), new { visibility = "public" })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        Assert.Equal("private", await VisibilityAsync(hs.Client, roomId));
        await (await modClient.PutAsJsonAsync(VisibilityPath(roomId), new { visibility = "public" })).AssertOkAsync();
        Assert.Equal("public", await VisibilityAsync(hs.Client, roomId));

        var unknown = "!nosuchroom:" + TestHomeserver.ServerName;
        await (await hs.Client.GetAsync(VisibilityPath(unknown))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await a.PutAsJsonAsync(VisibilityPath(unknown), new { visibility = "public" })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await hs.Client.PutAsJsonAsync(VisibilityPath(roomId), new { visibility = "private" })).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Search_MatchesNameTopicAndAlias_IgnoringCase(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var tag = NewTag();
        var byName = await a.CreateRoomAsync(new { visibility = "public", name = $"The {tag.ToUpperInvariant()} club" });
        var byTopic = await a.CreateRoomAsync(new { visibility = "public", topic = $"all about {tag}" });
        var byAlias = await a.CreateRoomAsync(new { visibility = "public", room_alias_name = "x" + tag });
        var unrelated = await a.CreateRoomAsync(new { visibility = "public", name = "unrelated " + NewTag() });

        var found = RoomIds(await SearchAsync(a, new { limit = 50, filter = new { generic_search_term = tag.ToUpperInvariant() } }));
        Assert.Equal(new[] { byName, byTopic, byAlias }.Order(), found.Order());
        Assert.DoesNotContain(unrelated, found);
        Assert.Empty(RoomIds(await SearchAsync(a, new { filter = new { generic_search_term = tag + "zzz" } })));
        // A search for a LIKE wildcard is a literal search.
        Assert.DoesNotContain(byName, RoomIds(await SearchAsync(a, new { limit = 500, filter = new { generic_search_term = "%" } })));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RoomTypesFilter_SelectsTypedAndUntypedRooms(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var tag = NewTag();
        var space = await a.CreateRoomAsync(new { visibility = "public", name = "space " + tag, creation_content = new { type = "m.space" } });
        var plain = await a.CreateRoomAsync(new { visibility = "public", name = "plain " + tag });

        Task<List<string>> Find(object? types) => SearchAsync(a, new { filter = new { generic_search_term = tag, room_types = types } }).ContinueWith(t => RoomIds(t.Result));
        Assert.Equal([space], await Find(new[] { "m.space" }));
        Assert.Equal([plain], await Find(new string?[] { null }));
        Assert.Equal(new[] { space, plain }.Order(), (await Find(new string?[] { null, "m.space" })).Order());
        Assert.Equal(new[] { space, plain }.Order(), (await Find(null)).Order());

        var page = await SearchAsync(a, new { filter = new { generic_search_term = tag, room_types = new[] { "m.space" } } });
        Assert.Equal("m.space", page.GetProperty("chunk")[0].GetProperty("room_type").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Pagination_OrdersByMembers_AndWalksForwardAndBack(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        using var b = hs.ClientFor(await hs.RegisterAsync());
        var tag = NewTag();
        var rooms = new List<string>();
        for (var i = 0; i < 5; i++)
            rooms.Add(await a.CreateRoomAsync(new { visibility = "public", name = $"{tag} {i}" }));
        var busiest = rooms[3];
        await b.JoinAsync(busiest);

        object Query(string? since) => new { limit = 2, since, filter = new { generic_search_term = tag } };
        var first = await SearchAsync(a, Query(null));
        Assert.Equal(busiest, RoomIds(first)[0]);
        Assert.False(first.TryGetProperty("prev_batch", out _));
        var second = await SearchAsync(a, Query(first.GetProperty("next_batch").GetString()));
        var third = await SearchAsync(a, Query(second.GetProperty("next_batch").GetString()));
        Assert.Equal([2, 2, 1], new[] { first, second, third }.Select(p => RoomIds(p).Count));
        Assert.False(third.TryGetProperty("next_batch", out _));
        Assert.Equal(rooms.Order(), RoomIds(first).Concat(RoomIds(second)).Concat(RoomIds(third)).Order());

        // Going back from the second page gives the first page again.
        var back = await SearchAsync(a, Query(second.GetProperty("prev_batch").GetString()));
        Assert.Equal(RoomIds(first), RoomIds(back));
        Assert.False(back.TryGetProperty("prev_batch", out _));

        // GET pages the same way.
        var got = await (await hs.Client.GetAsync($"{PublicRoomsPath}?limit=1")).AssertOkAsync();
        Assert.Single(RoomIds(got));
        Assert.True(got.TryGetProperty("next_batch", out _));

        await (await a.PostAsJsonAsync(PublicRoomsPath, Query("not-a-token"))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await hs.Client.GetAsync($"{PublicRoomsPath}?since=bm9wZQ")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task PublishedInviteOnlyRoom_IsListedOnlyOnceJoinableOrReadable(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        var tag = NewTag();
        var roomId = await a.CreateRoomAsync(new { visibility = "public", preset = "private_chat", name = "closed " + tag });
        Assert.Equal("public", await VisibilityAsync(hs.Client, roomId));
        Assert.Empty(RoomIds(await SearchAsync(a, new { filter = new { generic_search_term = tag } })));

        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/m.room.join_rules/", new { join_rule = "public" })).AssertOkAsync();
        Assert.Equal([roomId], RoomIds(await SearchAsync(a, new { filter = new { generic_search_term = tag } })));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Requests_AreValidated(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        using var a = hs.ClientFor(await hs.RegisterAsync());
        await (await hs.Client.PostAsJsonAsync(PublicRoomsPath, new { })).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
        await (await a.PostAsJsonAsync(PublicRoomsPath, new { limit = "ten" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        await (await a.PostAsJsonAsync(PublicRoomsPath, new { filter = new { room_types = new object[] { 1 } } })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        await (await a.PostAsJsonAsync(PublicRoomsPath, new { limit = -1 })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await hs.Client.GetAsync(PublicRoomsPath + "?limit=x")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        // Another server's directory is asked of it for users only; a name that is no server name is refused.
        await (await hs.Client.GetAsync(PublicRoomsPath + "?server=elsewhere.example")).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
        await (await a.GetAsync(PublicRoomsPath + "?server=" + Uri.EscapeDataString("not a server"))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await hs.Client.GetAsync(PublicRoomsPath + "?server=" + TestHomeserver.ServerName)).AssertOkAsync();
        // A network no application service has is an empty list; an ID that is not an instance_id is refused.
        var unknown = await (await a.PostAsJsonAsync(PublicRoomsPath, new { third_party_instance_id = "nobridge|irc" })).AssertOkAsync();
        Assert.Equal(0, unknown.GetProperty("chunk").GetArrayLength());
        await (await a.PostAsJsonAsync(PublicRoomsPath, new { third_party_instance_id = "irc" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }
}
