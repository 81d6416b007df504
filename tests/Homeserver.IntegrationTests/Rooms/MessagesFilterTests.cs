using System.Net;
using System.Net.Http.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Rooms;

public sealed class MessagesFilterTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Fact]
    public async Task Messages_Filter_ByTypeSenderAndUrl()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (alice, bob, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        await a.SendTextAsync(roomId, "from alice");
        await b.SendTextAsync(roomId, "from bob");
        await (await a.PutAsJsonAsync($"/_matrix/client/v3/rooms/{roomId}/send/m.room.message/img", new { msgtype = "m.image", body = "pic", url = "mxc://test.local/abc" })).AssertOkAsync();

        async Task<List<string>> Types(string filter) =>
            (await a.MessagesAsync(roomId, "dir=b&limit=100&filter=" + Uri.EscapeDataString(filter))).Select(e => e.GetProperty("type").GetString()!).ToList();
        async Task<List<string>> Bodies(string filter) =>
            (await a.MessagesAsync(roomId, "dir=b&limit=100&filter=" + Uri.EscapeDataString(filter))).Bodies().ToList();

        Assert.All(await Types("{\"types\":[\"m.room.message\"]}"), t => Assert.Equal("m.room.message", t));
        Assert.DoesNotContain("m.room.message", await Types("{\"not_types\":[\"m.room.mess*\"]}"));
        Assert.Contains("m.room.member", await Types("{\"types\":[\"m.room.*\"]}"));
        Assert.Equal(["from bob"], await Bodies($"{{\"senders\":[\"{bob.UserId}\"]}}"));
        Assert.Equal(["pic"], await Bodies("{\"contains_url\":true}"));
        Assert.DoesNotContain("from bob", await Bodies($"{{\"not_senders\":[\"{bob.UserId}\"]}}"));
        await (await a.GetRoomAsync(roomId, "messages?filter=" + Uri.EscapeDataString("{\"types\":\"m.room.message\"}"))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
    }
}
