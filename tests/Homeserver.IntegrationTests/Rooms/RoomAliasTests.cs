using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Rooms;

/// <summary>
/// <c>/directory/room/{alias}</c> and <c>/rooms/{roomId}/aliases</c>: only a joined member points an alias of this server
/// at a room, a taken alias stays its first owner's, its creator or a member with the power to change the canonical alias
/// deletes it (as in Synapse), a room's aliases are read like the room, and a local user's <c>m.room.canonical_alias</c>
/// names only aliases that point at the room.
/// </summary>
public sealed class RoomAliasTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    private static string AliasPath(string alias) => "/_matrix/client/v3/directory/room/" + Uri.EscapeDataString(alias);

    private static string NewAlias(string server = TestHomeserver.ServerName) => $"#a{Guid.NewGuid().ToString("N")[..10]}:{server}";

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AMember_CreatesAnAlias_ThatResolvesAndIsListed_AndOnlyTheCreatorDeletesIt(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, _, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var alias = NewAlias();

        await (await a.PutAsJsonAsync(AliasPath(alias), new { room_id = roomId })).AssertOkAsync();

        var resolved = await (await b.GetAsync(AliasPath(alias))).AssertOkAsync();
        Assert.Equal(roomId, resolved.GetProperty("room_id").GetString());
        Assert.Equal([TestHomeserver.ServerName], resolved.GetProperty("servers").EnumerateArray().Select(s => s.GetString()));
        var listed = await (await b.GetRoomAsync(roomId, "aliases")).AssertOkAsync();
        Assert.Equal([alias], listed.GetProperty("aliases").EnumerateArray().Select(s => s.GetString()));

        var taken = await (await b.PutAsJsonAsync(AliasPath(alias), new { room_id = roomId })).AssertErrorAsync(HttpStatusCode.Conflict, "M_UNKNOWN");
        Assert.Equal("Room alias already exists", taken.GetProperty("error").GetString());
        await (await b.DeleteAsync(AliasPath(alias))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        Assert.Equal(roomId, (await (await b.GetAsync(AliasPath(alias))).AssertOkAsync()).GetProperty("room_id").GetString());

        await (await a.DeleteAsync(AliasPath(alias))).AssertOkAsync();
        await (await b.GetAsync(AliasPath(alias))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await a.DeleteAsync(AliasPath(alias))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AnAlias_OfAnotherServer_OrForARoomOneIsNotIn_IsRefused(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, a) = await hs.RegisterClientAsync();
        var (_, stranger) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });

        // The domain is checked before the body is read: a foreign alias is refused whatever the body holds.
        var foreign = await (await a.PutAsync(AliasPath(NewAlias("elsewhere.example")), new StringContent("not json")))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        Assert.Equal("Aliases can only be created on this server's domain", foreign.GetProperty("error").GetString());

        var alias = NewAlias();
        await (await stranger.PutAsJsonAsync(AliasPath(alias), new { room_id = roomId })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await a.GetAsync(AliasPath(alias))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ThePrivateRoomsAliases_AreNotListedToAStranger(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, a) = await hs.RegisterClientAsync();
        var (_, stranger) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new { preset = "private_chat" });
        await (await a.PutAsJsonAsync(AliasPath(NewAlias()), new { room_id = roomId })).AssertOkAsync();

        await (await stranger.GetRoomAsync(roomId, "aliases")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }

    private static Task<HttpResponseMessage> PutCanonicalAsync(HttpClient c, string roomId, object content) =>
        c.PutAsJsonAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/m.room.canonical_alias/", content);

    private static async Task<JsonElement> CanonicalAsync(HttpClient c, string roomId) =>
        await (await c.GetRoomAsync(roomId, "state/m.room.canonical_alias/")).AssertOkAsync();

    private static async Task SetUserLevelAsync(HttpClient admin, string roomId, string userId, int level)
    {
        var levels = JsonNode.Parse((await (await admin.GetRoomAsync(roomId, "state/m.room.power_levels/")).AssertOkAsync()).GetRawText())!.AsObject();
        levels["users"]![userId] = level;
        await (await admin.PutAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/m.room.power_levels/",
            new StringContent(levels.ToJsonString(), System.Text.Encoding.UTF8, "application/json"))).AssertOkAsync();
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AMemberWithThePowerToSetTheCanonicalAlias_DeletesAnothersAlias_ButNotOneBelowIt_NorOneWhoLeft(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, bob, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var (carol, c) = await hs.RegisterClientAsync();
        await c.JoinAsync(roomId);
        var first = NewAlias();
        var second = NewAlias();
        await (await a.PutAsJsonAsync(AliasPath(first), new { room_id = roomId })).AssertOkAsync();
        await (await a.PutAsJsonAsync(AliasPath(second), new { room_id = roomId })).AssertOkAsync();

        // Just below the canonical alias's level (50 by default) is not enough.
        await SetUserLevelAsync(a, roomId, bob.UserId, 49);
        await (await b.DeleteAsync(AliasPath(first))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        Assert.Equal(roomId, (await (await b.GetAsync(AliasPath(first))).AssertOkAsync()).GetProperty("room_id").GetString());

        // A member who had the power but left the room has it no longer.
        await SetUserLevelAsync(a, roomId, carol.UserId, 100);
        await c.LeaveAsync(roomId);
        await (await c.DeleteAsync(AliasPath(first))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        await SetUserLevelAsync(a, roomId, bob.UserId, 50);
        await (await b.DeleteAsync(AliasPath(first))).AssertOkAsync();
        await (await a.GetAsync(AliasPath(first))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        Assert.Equal(roomId, (await (await a.GetAsync(AliasPath(second))).AssertOkAsync()).GetProperty("room_id").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task TheCanonicalAlias_NamesOnlyAliasesOfTheRoom(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, a) = await hs.RegisterClientAsync();
        var roomId = await a.CreateRoomAsync(new { preset = "public_chat" });
        var otherRoom = await a.CreateRoomAsync(new { preset = "public_chat" });
        var mine = NewAlias();
        var others = NewAlias();
        await (await a.PutAsJsonAsync(AliasPath(mine), new { room_id = roomId })).AssertOkAsync();
        await (await a.PutAsJsonAsync(AliasPath(others), new { room_id = otherRoom })).AssertOkAsync();

        await (await PutCanonicalAsync(a, roomId, new { alias = mine, alt_aliases = new[] { mine } })).AssertOkAsync();
        await (await PutCanonicalAsync(a, roomId, new { alias = NewAlias() })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_ALIAS");
        await (await PutCanonicalAsync(a, roomId, new { alias = mine, alt_aliases = new[] { NewAlias() } })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_ALIAS");
        await (await PutCanonicalAsync(a, roomId, new { alias = mine, alt_aliases = new[] { others } })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_ALIAS");
        await (await PutCanonicalAsync(a, roomId, new { alias = others })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_ALIAS");
        await (await PutCanonicalAsync(a, roomId, new { alias = mine, alt_aliases = new[] { "%" + mine[1..] } })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await PutCanonicalAsync(a, roomId, new { alias = "%" + mine[1..] })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await PutCanonicalAsync(a, roomId, new { alias = 5 })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await PutCanonicalAsync(a, roomId, new { alias = mine, alt_aliases = mine })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");

        // None of the refusals changed the event.
        var current = await CanonicalAsync(a, roomId);
        Assert.Equal(mine, current.GetProperty("alias").GetString());
        Assert.Equal([mine], current.GetProperty("alt_aliases").EnumerateArray().Select(x => x.GetString()));
        // An empty event names nothing and is always allowed.
        await (await PutCanonicalAsync(a, roomId, new { })).AssertOkAsync();
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DeletingAnAlias_TakesItOutOfTheCanonicalAlias_WhenTheDeleterMaySendIt(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, _, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var main = NewAlias();
        var alt = NewAlias();
        var bobs = NewAlias();
        await (await a.PutAsJsonAsync(AliasPath(main), new { room_id = roomId })).AssertOkAsync();
        await (await a.PutAsJsonAsync(AliasPath(alt), new { room_id = roomId })).AssertOkAsync();
        await (await b.PutAsJsonAsync(AliasPath(bobs), new { room_id = roomId })).AssertOkAsync();
        await (await PutCanonicalAsync(a, roomId, new { alias = main, alt_aliases = new[] { alt, bobs } })).AssertOkAsync();

        await (await a.DeleteAsync(AliasPath(main))).AssertOkAsync();
        var after = await CanonicalAsync(a, roomId);
        Assert.False(after.TryGetProperty("alias", out _));
        Assert.Equal([alt, bobs], after.GetProperty("alt_aliases").EnumerateArray().Select(x => x.GetString()));

        // Bob may delete his own alias, but not change the event (power level 0): the alias goes, the event stays.
        await (await b.DeleteAsync(AliasPath(bobs))).AssertOkAsync();
        await (await a.GetAsync(AliasPath(bobs))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        Assert.Equal([alt, bobs], (await CanonicalAsync(a, roomId)).GetProperty("alt_aliases").EnumerateArray().Select(x => x.GetString()));

        // Deleting another alt alias sends the event again with the stale one kept: only what an event adds is checked.
        await (await a.DeleteAsync(AliasPath(alt))).AssertOkAsync();
        Assert.Equal([bobs], (await CanonicalAsync(a, roomId)).GetProperty("alt_aliases").EnumerateArray().Select(x => x.GetString()));
    }
}
