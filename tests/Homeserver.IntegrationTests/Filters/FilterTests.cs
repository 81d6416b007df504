using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Filters;

public sealed class FilterTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    /// <summary>The example filter of filter.yaml, plus a client extension field the server must keep.</summary>
    private const string SpecFilter = """
        {
          "room": {
            "state": {"types": ["m.room.*"], "not_rooms": ["!726s6s6q:example.com"], "lazy_load_members": true},
            "timeline": {"limit": 10, "types": ["m.room.message"], "not_rooms": ["!726s6s6q:example.com"], "not_senders": ["@spam:example.com"]},
            "ephemeral": {"types": ["m.receipt", "m.typing"], "not_rooms": ["!726s6s6q:example.com"], "not_senders": ["@spam:example.com"]},
            "include_leave": false
          },
          "presence": {"types": ["m.presence"], "not_senders": ["@alice:example.com"]},
          "event_format": "client",
          "event_fields": ["type", "content", "sender"],
          "org.example.client_extension": {"keep": ["me", 1, null]}
        }
        """;

    private static string FiltersPath(string userId) => $"/_matrix/client/v3/user/{Uri.EscapeDataString(userId)}/filter";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<string> CreateAsync(HttpClient client, TestUser user, string filter)
    {
        var body = await (await client.PostAsync(FiltersPath(user.UserId), Json(filter))).AssertOkAsync();
        var id = body.GetProperty("filter_id");
        Assert.Equal(JsonValueKind.String, id.ValueKind);
        Assert.False(string.IsNullOrEmpty(id.GetString()));
        // The ID goes in sync URLs, so it must not contain '{' (the spec reserves that for inline filters).
        Assert.DoesNotContain('{', id.GetString()!);
        return id.GetString()!;
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task PostFilter_ThenGet_ReturnsSameJson(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();

        var id = await CreateAsync(client, user, SpecFilter);

        var res = await client.GetAsync($"{FiltersPath(user.UserId)}/{Uri.EscapeDataString(id)}");
        var text = await res.Content.ReadAsStringAsync();
        Assert.True(res.IsSuccessStatusCode, $"expected success, got {(int)res.StatusCode}: {text}");
        Assert.Equal("application/json", res.Content.Headers.ContentType?.MediaType);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(SpecFilter), JsonNode.Parse(text)), $"expected {SpecFilter}, got {text}");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task PostFilter_Twice_GetsDifferentIdsForDifferentFilters(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();

        var first = await CreateAsync(client, user, """{"room":{"timeline":{"limit":1}}}""");
        var second = await CreateAsync(client, user, """{"room":{"timeline":{"limit":2}}}""");
        Assert.NotEqual(first, second);

        var a = await (await client.GetAsync($"{FiltersPath(user.UserId)}/{first}")).AssertOkAsync();
        var b = await (await client.GetAsync($"{FiltersPath(user.UserId)}/{second}")).AssertOkAsync();
        Assert.Equal(1, a.GetProperty("room").GetProperty("timeline").GetProperty("limit").GetInt32());
        Assert.Equal(2, b.GetProperty("room").GetProperty("timeline").GetProperty("limit").GetInt32());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task PostFilter_EmptyObject_IsAccepted(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        var id = await CreateAsync(client, user, "{}");
        var body = await (await client.GetAsync($"{FiltersPath(user.UserId)}/{id}")).AssertOkAsync();
        Assert.Empty(body.EnumerateObject());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task GetFilter_UnknownOrMalformedId_IsNotFound(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (user, client) = await hs.RegisterClientAsync();
        var existing = await CreateAsync(client, user, "{}");
        await (await client.GetAsync($"{FiltersPath(user.UserId)}/{Uri.EscapeDataString(existing)}")).AssertOkAsync();

        foreach (var id in new[] { "999999999", "abc", "-1", "1.5", "1e3", "99999999999999999999999" })
            await (await client.GetAsync($"{FiltersPath(user.UserId)}/{Uri.EscapeDataString(id)}")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task GetFilter_OfAnotherUser_IsForbidden(string engine)
    {
        // Checklist row 19.
        var hs = await fixture.GetAsync(engine);
        var (owner, ownerClient) = await hs.RegisterClientAsync();
        var (snoop, client) = await hs.RegisterClientAsync();
        var id = await CreateAsync(ownerClient, owner, """{"room":{"rooms":["!secret:test.local"]}}""");

        await (await client.GetAsync($"{FiltersPath(owner.UserId)}/{id}")).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await client.PostAsync(FiltersPath(owner.UserId), Json("{}"))).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        // Nor is the owner's filter reachable under the snoop's own path.
        await (await client.GetAsync($"{FiltersPath(snoop.UserId)}/{id}")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Theory]
    [InlineData("""{"room":{"timeline":{"limit":"ten"}}}""")]
    [InlineData("""{"room":{"timeline":{"limit":-1}}}""")]
    [InlineData("""{"room":{"timeline":{"limit":2.5}}}""")]
    [InlineData("""{"presence":{"types":"m.presence"}}""")]
    [InlineData("""{"room":{"timeline":{"types":"m.room.message"}}}""")]
    [InlineData("""{"room":{"rooms":[1,2]}}""")]
    [InlineData("""{"room":{"not_rooms":["not_a_room_id"]}}""")]
    [InlineData("""{"room":{"timeline":{"rooms":["not_a_room_id"]}}}""")]
    [InlineData("""{"room":{"timeline":{"senders":["not_a_sender_id"]}}}""")]
    [InlineData("""{"presence":{"not_senders":["@no_server_name"]}}""")]
    [InlineData("""{"room":{"state":{"lazy_load_members":"yes"}}}""")]
    [InlineData("""{"room":{"include_leave":1}}""")]
    [InlineData("""{"event_fields":"type"}""")]
    [InlineData("""{"event_format":"xml"}""")]
    [InlineData("""{"room":"all"}""")]
    [InlineData("""{"room":{"timeline":[]}}""")]
    public async Task PostFilter_WrongFieldType_IsBadJson(string filter)
    {
        var hs = await fixture.GetAsync("sqlite");
        var (user, client) = await hs.RegisterClientAsync();
        await (await client.PostAsync(FiltersPath(user.UserId), Json(filter))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"filter\"")]
    public async Task PostFilter_NonObjectBody_IsBadJson(string body)
    {
        var hs = await fixture.GetAsync("sqlite");
        var (user, client) = await hs.RegisterClientAsync();
        await (await client.PostAsync(FiltersPath(user.UserId), Json(body))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_BAD_JSON");
    }
}
