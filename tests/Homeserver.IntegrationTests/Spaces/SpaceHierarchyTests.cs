using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Spaces;

/// <summary>
/// The client's <c>/hierarchy</c> on one server: the walk's order and nesting, <c>max_depth</c>, <c>suggested_only</c>,
/// pages walked to the end, which rooms each user sees (private and restricted children), and the refusals.
/// </summary>
public sealed class SpaceHierarchyTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    /// <summary>
    /// A public space holding, in the order the links give (linked in another): a public room (order "a", suggested), a
    /// sub-space (order "b", suggested) with a room of its own, a private room (order "c"), a room restricted to the
    /// space's members (no order, so after those with one), and a link without servers, which is no link.
    /// </summary>
    private sealed record Tree(TestHomeserver Hs, HttpClient Alice, HttpClient Bob, string Space, string Sub, string Nested, string Lobby,
        string Private, string Restricted, string Dangling);

    private static async Task<Tree> TreeAsync(TestHomeserver hs)
    {
        var (_, alice) = await hs.RegisterClientAsync();
        var (_, bob) = await hs.RegisterClientAsync();
        var space = await alice.CreateRoomAsync(new { preset = "public_chat", name = "Space", creation_content = new Dictionary<string, object> { ["type"] = "m.space" } });
        var sub = await alice.CreateRoomAsync(new { preset = "public_chat", name = "Sub", creation_content = new Dictionary<string, object> { ["type"] = "m.space" } });
        var nested = await alice.CreateRoomAsync(new { preset = "public_chat", name = "Nested", topic = "deep" });
        var lobby = await alice.CreateRoomAsync(new { preset = "public_chat", name = "Lobby" });
        var secret = await alice.CreateRoomAsync(new { preset = "private_chat", name = "Secret" });
        var restricted = await alice.CreateRoomAsync(new
        {
            preset = "private_chat",
            name = "Members only",
            initial_state = new object[]
            {
                new { type = "m.room.join_rules", state_key = "", content = new { join_rule = "restricted", allow = new[] { new { type = "m.room_membership", room_id = space } } } },
            },
        });
        var dangling = await alice.CreateRoomAsync(new { preset = "public_chat", name = "Dangling" });
        var server = hs.Options.ServerName;
        await LinkAsync(alice, space, sub, new { via = new[] { server }, order = "b", suggested = true });
        await LinkAsync(alice, sub, nested, new { via = new[] { server } });
        await LinkAsync(alice, space, lobby, new { via = new[] { server }, order = "a", suggested = true });
        await LinkAsync(alice, space, secret, new { via = new[] { server }, order = "c" });
        await LinkAsync(alice, space, restricted, new { via = new[] { server } });
        await LinkAsync(alice, space, dangling, new { via = Array.Empty<string>() });
        return new Tree(hs, alice, bob, space, sub, nested, lobby, secret, restricted, dangling);
    }

    private static async Task LinkAsync(HttpClient c, string parent, string child, object content) =>
        await (await c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{parent}/state/m.space.child/{Uri.EscapeDataString(child)}", content)).AssertOkAsync();

    private static Task<HttpResponseMessage> HierarchyAsync(HttpClient c, string roomId, string query = "") =>
        c.GetAsync($"/_matrix/client/v1/rooms/{Uri.EscapeDataString(roomId)}/hierarchy{query}");

    private static List<string> Ids(JsonElement page) =>
        page.GetProperty("rooms").EnumerateArray().Select(r => r.GetProperty("room_id").GetString()!).ToList();

    private static JsonElement Room(JsonElement page, string roomId) =>
        page.GetProperty("rooms").EnumerateArray().Single(r => r.GetProperty("room_id").GetString() == roomId);

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task TheTree_IsWalkedDepthFirstInTheLinksOrder_WithWhatEachUserMaySee(string engine)
    {
        var t = await TreeAsync(await fixture.GetAsync(engine));

        var forBob = await (await HierarchyAsync(t.Bob, t.Space)).AssertOkAsync();
        Assert.Equal([t.Space, t.Lobby, t.Sub, t.Nested], Ids(forBob));
        Assert.False(forBob.TryGetProperty("next_batch", out _), forBob.ToString());
        var space = Room(forBob, t.Space);
        Assert.Equal("Space", space.GetProperty("name").GetString());
        Assert.Equal("m.space", space.GetProperty("room_type").GetString());
        Assert.Equal("public", space.GetProperty("join_rule").GetString());
        Assert.Equal(1, space.GetProperty("num_joined_members").GetInt32());
        // Every link with servers, the ones to rooms Bob cannot see too, in order; the one without servers is left out.
        var links = space.GetProperty("children_state").EnumerateArray().ToList();
        Assert.Equal([t.Lobby, t.Sub, t.Private, t.Restricted], links.Select(l => l.GetProperty("state_key").GetString()));
        Assert.All(links, l =>
        {
            Assert.Equal("m.space.child", l.GetProperty("type").GetString());
            Assert.True(l.GetProperty("origin_server_ts").GetInt64() > 0);
            Assert.StartsWith("@", l.GetProperty("sender").GetString());
            Assert.Equal(t.Hs.Options.ServerName, l.GetProperty("content").GetProperty("via")[0].GetString());
        });
        Assert.Equal("deep", Room(forBob, t.Nested).GetProperty("topic").GetString());
        Assert.Empty(Room(forBob, t.Lobby).GetProperty("children_state").EnumerateArray());

        // Alice is in every room; the restricted one names the rooms that admit.
        var forAlice = await (await HierarchyAsync(t.Alice, t.Space)).AssertOkAsync();
        Assert.Equal([t.Space, t.Lobby, t.Sub, t.Nested, t.Private, t.Restricted], Ids(forAlice));
        Assert.Equal(t.Space, Room(forAlice, t.Restricted).GetProperty("allowed_room_ids")[0].GetString());

        // Joining the space lets Bob see the room restricted to its members.
        await t.Bob.JoinAsync(t.Space);
        Assert.Equal([t.Space, t.Lobby, t.Sub, t.Nested, t.Restricted], Ids(await (await HierarchyAsync(t.Bob, t.Space)).AssertOkAsync()));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task MaxDepthAndSuggestedOnly_CutTheWalk(string engine)
    {
        var t = await TreeAsync(await fixture.GetAsync(engine));

        Assert.Equal([t.Space], Ids(await (await HierarchyAsync(t.Bob, t.Space, "?max_depth=0")).AssertOkAsync()));
        Assert.Equal([t.Space, t.Lobby, t.Sub], Ids(await (await HierarchyAsync(t.Bob, t.Space, "?max_depth=1")).AssertOkAsync()));

        var suggested = await (await HierarchyAsync(t.Alice, t.Space, "?suggested_only=true")).AssertOkAsync();
        Assert.Equal([t.Space, t.Lobby, t.Sub], Ids(suggested));
        Assert.Equal([t.Lobby, t.Sub], Room(suggested, t.Space).GetProperty("children_state").EnumerateArray().Select(l => l.GetProperty("state_key").GetString()));
        Assert.Empty(Room(suggested, t.Sub).GetProperty("children_state").EnumerateArray());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Pages_WalkedToTheEnd_GiveTheWholeTreeOnce(string engine)
    {
        var t = await TreeAsync(await fixture.GetAsync(engine));
        var seen = new List<string>();
        string? from = null;
        var pages = 0;
        do
        {
            var query = "?limit=2" + (from is null ? "" : "&from=" + Uri.EscapeDataString(from));
            var page = await (await HierarchyAsync(t.Alice, t.Space, query)).AssertOkAsync();
            var ids = Ids(page);
            Assert.True(ids.Count <= 2, page.ToString());
            seen.AddRange(ids);
            from = page.TryGetProperty("next_batch", out var next) ? next.GetString() : null;
            Assert.True(++pages <= 10, "the pages never end");
        }
        while (from is not null);
        Assert.Equal([t.Space, t.Lobby, t.Sub, t.Nested, t.Private, t.Restricted], seen);
        Assert.True(pages >= 3);

        // A token is good for its own walk only.
        var first = await (await HierarchyAsync(t.Alice, t.Space, "?limit=1")).AssertOkAsync();
        var token = Uri.EscapeDataString(first.GetProperty("next_batch").GetString()!);
        await (await HierarchyAsync(t.Alice, t.Space, $"?limit=1&from={token}")).AssertOkAsync();
        await (await HierarchyAsync(t.Alice, t.Space, $"?limit=1&suggested_only=true&from={token}")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await HierarchyAsync(t.Alice, t.Space, $"?limit=1&max_depth=3&from={token}")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await HierarchyAsync(t.Alice, t.Sub, $"?limit=1&from={token}")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await HierarchyAsync(t.Bob, t.Space, $"?limit=1&from={token}")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await HierarchyAsync(t.Alice, t.Space, "?from=garbage")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Refusals_PrivateRootUnknownRoomAndBadParameters(string engine)
    {
        var t = await TreeAsync(await fixture.GetAsync(engine));
        await (await HierarchyAsync(t.Bob, t.Private)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await HierarchyAsync(t.Alice, $"!nowhere:{t.Hs.Options.ServerName}")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await HierarchyAsync(t.Alice, t.Space, "?limit=0")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await HierarchyAsync(t.Alice, t.Space, "?max_depth=-1")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await HierarchyAsync(t.Alice, t.Space, "?suggested_only=maybe")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await t.Hs.Client.GetAsync($"/_matrix/client/v1/rooms/{Uri.EscapeDataString(t.Space)}/hierarchy")).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
    }
}
