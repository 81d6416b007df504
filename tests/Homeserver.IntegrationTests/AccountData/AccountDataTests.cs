using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.AccountData;

public sealed class AccountDataTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    /// <summary>Content exercising the awkward corners of JSON: nesting, escapes, non-ASCII, big integers, empty containers, null.</summary>
    private const string TrickyContent = """
        {"nested":{"deeper":{"list":[1,2.5,-3,true,false,null,"x"]}},"text":"quote \" backslash \\ newline \n tab \t","unicode":"Grüße 🌍 日本","big":9007199254740991,"empty_object":{},"empty_list":[],"nothing":null}
        """;

    private static string GlobalPath(string userId, string type) =>
        $"/_matrix/client/v3/user/{Uri.EscapeDataString(userId)}/account_data/{Uri.EscapeDataString(type)}";

    private static string RoomPath(string userId, string roomId, string type) =>
        $"/_matrix/client/v3/user/{Uri.EscapeDataString(userId)}/rooms/{Uri.EscapeDataString(roomId)}/account_data/{Uri.EscapeDataString(type)}";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task AssertJsonEqualAsync(string expected, HttpResponseMessage res)
    {
        var text = await res.Content.ReadAsStringAsync();
        Assert.True(res.IsSuccessStatusCode, $"expected success, got {(int)res.StatusCode}: {text}");
        Assert.Equal("application/json", res.Content.Headers.ContentType?.MediaType);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(text)), $"expected {expected}, got {text}");
    }

    private static string NewRoomId() => $"!{Guid.NewGuid():N}:{TestHomeserver.ServerName}";

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task GlobalAccountData_PutThenGet_RoundTripsExactJson(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();

        var put = await client.PutAsync(GlobalPath(user.UserId, "org.example.tricky"), Json(TrickyContent));
        var putBody = await put.AssertOkAsync();
        Assert.Empty(putBody.EnumerateObject());

        await AssertJsonEqualAsync(TrickyContent, await client.GetAsync(GlobalPath(user.UserId, "org.example.tricky")));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task GlobalAccountData_PutTwice_LastContentWins(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        await (await client.PutAsync(GlobalPath(user.UserId, "m.direct"), Json("""{"@a:x":["!r1:x"]}"""))).AssertOkAsync();
        await (await client.PutAsync(GlobalPath(user.UserId, "m.direct"), Json("""{"@b:x":["!r2:x"]}"""))).AssertOkAsync();
        // Replaced, not merged.
        await AssertJsonEqualAsync("""{"@b:x":["!r2:x"]}""", await client.GetAsync(GlobalPath(user.UserId, "m.direct")));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task RoomAccountData_PutThenGet_RoundTripsAndIsScopedToRoom(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        var room = NewRoomId();
        var otherRoom = NewRoomId();

        await (await client.PutAsync(RoomPath(user.UserId, room, "m.tag"), Json(TrickyContent))).AssertOkAsync();
        await AssertJsonEqualAsync(TrickyContent, await client.GetAsync(RoomPath(user.UserId, room, "m.tag")));

        // The same type is distinct globally and in another room.
        await (await client.GetAsync(GlobalPath(user.UserId, "m.tag"))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await client.GetAsync(RoomPath(user.UserId, otherRoom, "m.tag"))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");

        await (await client.PutAsync(GlobalPath(user.UserId, "m.tag"), Json("""{"global":true}"""))).AssertOkAsync();
        await AssertJsonEqualAsync("""{"global":true}""", await client.GetAsync(GlobalPath(user.UserId, "m.tag")));
        await AssertJsonEqualAsync(TrickyContent, await client.GetAsync(RoomPath(user.UserId, room, "m.tag")));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AccountData_Missing_IsNotFound(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        await (await client.GetAsync(GlobalPath(user.UserId, "org.example.never.set"))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await client.GetAsync(RoomPath(user.UserId, NewRoomId(), "org.example.never.set"))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task AccountData_OfAnotherUser_IsForbidden(string engine)
    {
        // Checklist row 19: account data is private to its owner.
        var hs = await fixture.GetAsync(engine);
        var (owner, ownerClient) = await hs.RegisterClientAsync();
        var (snoop, client) = await hs.RegisterClientAsync();
        var room = NewRoomId();
        await (await ownerClient.PutAsync(GlobalPath(owner.UserId, "org.example.secret"), Json("""{"pin":"1234"}"""))).AssertOkAsync();
        await (await ownerClient.PutAsync(RoomPath(owner.UserId, room, "org.example.secret"), Json("""{"pin":"5678"}"""))).AssertOkAsync();

        await (await client.GetAsync(GlobalPath(owner.UserId, "org.example.secret"))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await client.GetAsync(RoomPath(owner.UserId, room, "org.example.secret"))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await client.PutAsync(GlobalPath(owner.UserId, "org.example.secret"), Json("""{"pin":"0000"}"""))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await client.PutAsync(RoomPath(owner.UserId, room, "org.example.secret"), Json("""{"pin":"0000"}"""))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");

        // The owner's data is untouched, and the snoop has none of its own under that type.
        await AssertJsonEqualAsync("""{"pin":"1234"}""", await ownerClient.GetAsync(GlobalPath(owner.UserId, "org.example.secret")));
        await AssertJsonEqualAsync("""{"pin":"5678"}""", await ownerClient.GetAsync(RoomPath(owner.UserId, room, "org.example.secret")));
        await (await client.GetAsync(GlobalPath(snoop.UserId, "org.example.secret"))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Theory]
    [InlineData("m.fully_read")]
    [InlineData("m.push_rules")]
    public async Task PutAccountData_ServerManagedType_IsMethodNotAllowed(string type)
    {
        var hs = await fixture.GetAsync("sqlite");
        var (user, client) = await hs.RegisterClientAsync();
        await (await client.PutAsync(GlobalPath(user.UserId, type), Json("""{"event_id":"$x"}""")))
            .AssertErrorAsync(HttpStatusCode.MethodNotAllowed, "M_BAD_JSON");
        await (await client.PutAsync(RoomPath(user.UserId, NewRoomId(), type), Json("""{"event_id":"$x"}""")))
            .AssertErrorAsync(HttpStatusCode.MethodNotAllowed, "M_BAD_JSON");
    }

    [Theory]
    [InlineData("not-a-room")]
    [InlineData("#alias:test.local")]
    [InlineData("@user:test.local")]
    public async Task RoomAccountData_InvalidRoomId_IsInvalidParam(string roomId)
    {
        var hs = await fixture.GetAsync("sqlite");
        var (user, client) = await hs.RegisterClientAsync();
        await (await client.PutAsync(RoomPath(user.UserId, roomId, "m.tag"), Json("""{"tags":{}}""")))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await client.GetAsync(RoomPath(user.UserId, roomId, "m.tag")))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Theory]
    [InlineData("[1,2,3]")]
    [InlineData("\"a string\"")]
    [InlineData("42")]
    [InlineData("null")]
    public async Task PutAccountData_NonObjectBody_IsBadJson(string body)
    {
        var hs = await fixture.GetAsync("sqlite");
        var (user, client) = await hs.RegisterClientAsync();
        await (await client.PutAsync(GlobalPath(user.UserId, "org.example.shape"), Json(body)))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        await (await client.PutAsync(RoomPath(user.UserId, NewRoomId(), "org.example.shape"), Json(body)))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
        await (await client.GetAsync(GlobalPath(user.UserId, "org.example.shape"))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Fact]
    public async Task PutAccountData_InvalidJson_IsNotJson()
    {
        var hs = await fixture.GetAsync("sqlite");
        var (user, client) = await hs.RegisterClientAsync();
        await (await client.PutAsync(GlobalPath(user.UserId, "org.example.broken"), Json("{\"a\":")))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_NOT_JSON");
    }

    [Fact]
    public async Task AccountData_WithoutToken_IsMissingToken()
    {
        var hs = await fixture.GetAsync("sqlite");
        var user = await hs.RegisterAsync();
        await (await hs.Client.GetAsync(GlobalPath(user.UserId, "m.direct"))).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
        await (await hs.Client.PutAsJsonAsync(GlobalPath(user.UserId, "m.direct"), new { })).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_MISSING_TOKEN");
    }
}
