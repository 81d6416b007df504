using System.Net;
using System.Net.Http.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Rooms;

/// <summary>
/// <c>/directory/room/{alias}</c> and <c>/rooms/{roomId}/aliases</c>: only a joined member points an alias of this server
/// at a room, a taken alias stays its first owner's, only the creator deletes it, and a room's aliases are read like the room.
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
}
