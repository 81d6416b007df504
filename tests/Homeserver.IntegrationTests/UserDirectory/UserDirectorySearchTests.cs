using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.UserDirectory;

/// <summary>
/// <c>POST /user_directory/search</c>. Users are registered with a fresh tag in their localpart (their
/// display name starts as the localpart), so each search sees only its own test's users.
/// </summary>
public sealed class UserDirectorySearchTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private const string SearchPath = "/_matrix/client/v3/user_directory/search";

    private static string NewTag() => "ud" + Guid.NewGuid().ToString("N")[..10];

    private static async Task<JsonElement> SearchAsync(HttpClient c, object body) =>
        await (await c.PostAsJsonAsync(SearchPath, body)).AssertOkAsync();

    private static List<string> UserIds(JsonElement result) =>
        result.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("user_id").GetString()!).ToList();

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Search_FindsRoommates_ButNotStrangersInPrivateRooms(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var tag = NewTag();
        var searcher = await hs.RegisterAsync(tag + "searcher");
        var roommate = await hs.RegisterAsync(tag + "roommate");
        var stranger = await hs.RegisterAsync(tag + "stranger");
        var strangersFriend = await hs.RegisterAsync(tag + "friend");
        var invitee = await hs.RegisterAsync(tag + "invitee");
        using var s = hs.ClientFor(searcher);
        using var r = hs.ClientFor(roommate);
        using var st = hs.ClientFor(stranger);
        using var f = hs.ClientFor(strangersFriend);

        var shared = await s.CreateRoomAsync(new { preset = "private_chat", invite = new[] { roommate.UserId, invitee.UserId } });
        await r.JoinAsync(shared);
        var theirs = await st.CreateRoomAsync(new { preset = "private_chat", invite = new[] { strangersFriend.UserId } });
        await f.JoinAsync(theirs);

        var found = UserIds(await SearchAsync(s, new { search_term = tag }));
        // Invited is not joined, so the invitee is not "sharing" the room yet; and a user in private rooms only does
        // not find themselves (as in Synapse, where one shares no room with oneself).
        Assert.Equal([roommate.UserId], found);
        var fromStranger = UserIds(await SearchAsync(st, new { search_term = tag }));
        Assert.Equal([strangersFriend.UserId], fromStranger);
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Search_ForOneself_FollowsWhetherOnesRoomsArePublic(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var tag = NewTag();
        var creator = await hs.RegisterAsync(tag + "creator");
        var member = await hs.RegisterAsync(tag + "member");
        using var c = hs.ClientFor(creator);
        using var m = hs.ClientFor(member);
        var roomId = await c.CreateRoomAsync(new { preset = "private_chat", invite = new[] { member.UserId } });
        await m.JoinAsync(roomId);
        var joinRules = $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/m.room.join_rules/";
        var visibility = $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/m.room.history_visibility/";
        async Task<bool> FindsThemselfAsync() => UserIds(await SearchAsync(m, new { search_term = tag + "member" })).Contains(member.UserId);

        Assert.False(await FindsThemselfAsync());
        await (await c.PutAsJsonAsync(joinRules, new { join_rule = "public" })).AssertOkAsync();
        Assert.True(await FindsThemselfAsync());
        await (await c.PutAsJsonAsync(visibility, new { history_visibility = "world_readable" })).AssertOkAsync();
        await (await c.PutAsJsonAsync(joinRules, new { join_rule = "invite" })).AssertOkAsync();
        Assert.True(await FindsThemselfAsync());
        await (await c.PutAsJsonAsync(visibility, new { history_visibility = "shared" })).AssertOkAsync();
        Assert.False(await FindsThemselfAsync());
        // The roommate still finds them, through the room they share.
        Assert.Contains(member.UserId, UserIds(await SearchAsync(c, new { search_term = tag + "member" })));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Search_FindsMembersOfPublicOrWorldReadableRooms(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var tag = NewTag();
        using var searcher = hs.ClientFor(await hs.RegisterAsync());
        var inPublic = await hs.RegisterAsync(tag + "public");
        var inReadable = await hs.RegisterAsync(tag + "readable");
        var inPrivate = await hs.RegisterAsync(tag + "private");
        await hs.ClientFor(inPublic).CreateRoomAsync(new { preset = "public_chat" });
        await hs.ClientFor(inReadable).CreateRoomAsync(new
        {
            preset = "private_chat",
            initial_state = new[] { new { type = "m.room.history_visibility", state_key = "", content = new { history_visibility = "world_readable" } } },
        });
        var privateRoom = await hs.ClientFor(inPrivate).CreateRoomAsync(new { preset = "private_chat" });

        Assert.Equal(new[] { inPublic.UserId, inReadable.UserId }.Order(), UserIds(await SearchAsync(searcher, new { search_term = tag })).Order());

        // Opening the private room makes its member findable.
        await (await hs.ClientFor(inPrivate).PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(privateRoom)}/state/m.room.join_rules/", new { join_rule = "public" })).AssertOkAsync();
        Assert.Contains(inPrivate.UserId, UserIds(await SearchAsync(searcher, new { search_term = tag })));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Search_MatchesDisplayNameOrUserId_IgnoringCase(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var tag = NewTag();
        var (zed, z) = await hs.RegisterClientAsync();
        await (await z.PutAsJsonAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString(zed.UserId)}/displayname", new { displayname = $"Zebra {tag.ToUpperInvariant()} Crossing" })).AssertOkAsync();
        await (await z.PutAsJsonAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString(zed.UserId)}/avatar_url", new { avatar_url = "mxc://test.local/zebra" })).AssertOkAsync();
        await z.CreateRoomAsync(new { preset = "public_chat" });
        using var searcher = hs.ClientFor(await hs.RegisterAsync());

        var byName = await SearchAsync(searcher, new { search_term = "zebra " + tag });
        var entry = Assert.Single(byName.GetProperty("results").EnumerateArray());
        Assert.Equal(zed.UserId, entry.GetProperty("user_id").GetString());
        Assert.Equal($"Zebra {tag.ToUpperInvariant()} Crossing", entry.GetProperty("display_name").GetString());
        Assert.Equal("mxc://test.local/zebra", entry.GetProperty("avatar_url").GetString());
        Assert.False(byName.GetProperty("limited").GetBoolean());

        Assert.Equal([zed.UserId], UserIds(await SearchAsync(searcher, new { search_term = zed.UserId.ToUpperInvariant() })));
        Assert.Empty(UserIds(await SearchAsync(searcher, new { search_term = "zebra " + tag + " nope" })));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Search_RanksPrefixMatchesBeforeMatchesInsideAWord(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var tag = NewTag();
        // By user ID alone "@…a" would sort first; its match is only inside its display name's word.
        var inside = await hs.RegisterAsync(tag + "a");
        var prefix = await hs.RegisterAsync(tag + "rank");
        using var i = hs.ClientFor(inside);
        await (await i.PutAsJsonAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString(inside.UserId)}/displayname", new { displayname = $"zz{tag}rank" })).AssertOkAsync();
        var roomId = await i.CreateRoomAsync(new { preset = "public_chat" });
        await (await hs.ClientFor(prefix).PostRoomAsync(roomId, "join", new { })).AssertOkAsync();
        using var searcher = hs.ClientFor(await hs.RegisterAsync());
        Assert.Equal([prefix.UserId, inside.UserId], UserIds(await SearchAsync(searcher, new { search_term = tag + "rank" })));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Search_TreatsWildcardsLiterally(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var tag = NewTag();
        var user = await hs.RegisterAsync(tag + "x1");
        await hs.ClientFor(user).CreateRoomAsync(new { preset = "public_chat" });
        using var searcher = hs.ClientFor(await hs.RegisterAsync());
        Assert.Equal([user.UserId], UserIds(await SearchAsync(searcher, new { search_term = tag + "x" })));
        // As LIKE wildcards, "_" and "%" would match the "x".
        Assert.Empty(UserIds(await SearchAsync(searcher, new { search_term = tag + "_1" })));
        Assert.Empty(UserIds(await SearchAsync(searcher, new { search_term = tag + "%1" })));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Search_LeavesOutDeactivatedUsers(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var tag = NewTag();
        var leaving = await hs.RegisterAsync(tag + "leaving");
        var staying = await hs.RegisterAsync(tag + "staying");
        using var l = hs.ClientFor(leaving);
        var roomId = await l.CreateRoomAsync(new { preset = "public_chat" });
        await (await hs.ClientFor(staying).PostRoomAsync(roomId, "join", new { })).AssertOkAsync();
        using var searcher = hs.ClientFor(await hs.RegisterAsync());
        Assert.Equal(2, UserIds(await SearchAsync(searcher, new { search_term = tag })).Count);

        var challenge = await (await l.PostAsJsonAsync("/_matrix/client/v3/account/deactivate", new { })).JsonAsync();
        var auth = new { type = "m.login.password", identifier = new { type = "m.id.user", user = leaving.Localpart }, password = leaving.Password, session = challenge.GetProperty("session").GetString() };
        await (await l.PostAsJsonAsync("/_matrix/client/v3/account/deactivate", new { auth })).AssertOkAsync();

        Assert.Equal([staying.UserId], UserIds(await SearchAsync(searcher, new { search_term = tag })));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Search_AppliesLimit_AndValidatesTheBody(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var tag = NewTag();
        var owner = await hs.RegisterAsync(tag + "owner");
        var roomId = await hs.ClientFor(owner).CreateRoomAsync(new { preset = "public_chat" });
        for (var i = 0; i < 2; i++)
            await (await hs.ClientFor(await hs.RegisterAsync($"{tag}member{i}")).PostRoomAsync(roomId, "join", new { })).AssertOkAsync();
        using var searcher = hs.ClientFor(await hs.RegisterAsync());

        var limited = await SearchAsync(searcher, new { search_term = tag, limit = 2 });
        Assert.Equal(2, UserIds(limited).Count);
        Assert.True(limited.GetProperty("limited").GetBoolean());
        var all = await SearchAsync(searcher, new { search_term = tag });
        Assert.Equal(3, UserIds(all).Count);
        Assert.False(all.GetProperty("limited").GetBoolean());

        await (await searcher.PostAsJsonAsync(SearchPath, new { limit = 5 })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        await (await searcher.PostAsJsonAsync(SearchPath, new { search_term = 5 })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        await (await searcher.PostAsJsonAsync(SearchPath, new { search_term = tag, limit = "ten" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        await (await hs.Client.PostAsJsonAsync(SearchPath, new { search_term = tag })).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
        var blank = await SearchAsync(searcher, new { search_term = "  " });
        Assert.Empty(UserIds(blank));
    }
}
