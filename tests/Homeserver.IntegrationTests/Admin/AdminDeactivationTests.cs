using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Admin;

/// <summary><c>POST /_synapse/admin/v1/deactivate/{userId}</c>, its effects seen through the client API.</summary>
public sealed class AdminDeactivationTests(AdminServersFixture fixture) : IClassFixture<AdminServersFixture>
{
    private static string Deactivate(string userId) => "/_synapse/admin/v1/deactivate/" + Uri.EscapeDataString(userId);

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task DeactivateWithErase_LeavesRoomsRefusesInvitesAndRemovesProfileSessionsAndPushers(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (alice, bob, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var invitedTo = await a.CreateRoomAsync();
        await a.InviteAsync(invitedTo, bob.UserId);
        await (await b.PutAsJsonAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString(bob.UserId)}/displayname", new { displayname = "Bob Erased" })).AssertOkAsync();
        await (await b.PostAsJsonAsync("/_matrix/client/v3/pushers/set", new
        {
            kind = "http", app_id = "org.example.app", pushkey = "bobkey", app_display_name = "App", device_display_name = "Phone", lang = "en",
            data = new { url = "https://push.example.org/_matrix/push/v1/notify" },
        })).AssertOkAsync();
        var pushersPath = $"/_synapse/admin/v1/users/{Uri.EscapeDataString(bob.UserId)}/pushers";
        var pushers = await (await admin.GetAsync(pushersPath)).AssertOkAsync();
        Assert.Equal(1, pushers.GetProperty("total").GetInt32());
        Assert.Equal("bobkey", pushers.GetProperty("pushers")[0].GetProperty("pushkey").GetString());

        var res = await (await admin.PostAsJsonAsync(Deactivate(bob.UserId), new { erase = true })).AssertOkAsync();
        Assert.Equal("success", res.GetProperty("id_server_unbind_result").GetString());

        // Bob left the room he was in and refused the invite, by events everyone sees.
        var joined = await (await a.GetAsync($"/_matrix/client/v3/rooms/{roomId}/joined_members")).AssertOkAsync();
        Assert.False(joined.GetProperty("joined").TryGetProperty(bob.UserId, out _));
        Assert.True(joined.GetProperty("joined").TryGetProperty(alice.UserId, out _));
        var invited = await (await a.GetAsync($"/_matrix/client/v3/rooms/{invitedTo}/state/m.room.member/{Uri.EscapeDataString(bob.UserId)}")).AssertOkAsync();
        Assert.Equal("leave", invited.GetProperty("membership").GetString());

        // No session, no login, no profile, no pushers.
        await (await b.GetAsync("/_matrix/client/v3/account/whoami")).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
        await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.password", identifier = new { type = "m.id.user", user = bob.Localpart }, password = bob.Password,
        })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_USER_DEACTIVATED");
        await (await a.GetAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString(bob.UserId)}")).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        Assert.Equal(0, (await (await admin.GetAsync(pushersPath)).AssertOkAsync()).GetProperty("total").GetInt32());

        var shown = await (await admin.GetAsync("/_synapse/admin/v2/users/" + Uri.EscapeDataString(bob.UserId))).AssertOkAsync();
        Assert.True(shown.GetProperty("deactivated").GetBoolean());
        Assert.True(shown.GetProperty("erased").GetBoolean());
        Assert.Equal(JsonValueKind.Null, shown.GetProperty("displayname").ValueKind);
        Assert.Empty((await (await admin.GetAsync($"/_synapse/admin/v1/users/{Uri.EscapeDataString(bob.UserId)}/joined_rooms")).AssertOkAsync())
            .GetProperty("joined_rooms").EnumerateArray());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Deactivate_WithoutErase_OrEmptyBody_IsNotErased_AndBadTargetsAreRefused(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (alice, _) = await hs.RegisterClientAsync();
        var empty = new HttpRequestMessage(HttpMethod.Post, Deactivate(alice.UserId));
        await (await admin.SendAsync(empty)).AssertOkAsync();
        var shown = await (await admin.GetAsync("/_synapse/admin/v2/users/" + Uri.EscapeDataString(alice.UserId))).AssertOkAsync();
        Assert.True(shown.GetProperty("deactivated").GetBoolean());
        Assert.False(shown.GetProperty("erased").GetBoolean());

        await (await admin.PostAsJsonAsync(Deactivate("@x:elsewhere.example"), new { })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.PostAsJsonAsync(Deactivate($"@nobody{Guid.NewGuid():N}:{TestHomeserver.ServerName}"), new { })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await admin.PostAsJsonAsync(Deactivate(alice.UserId), new { erase = "yes" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ClientDeactivation_AlsoLeavesTheUsersRooms(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, bob, a, b, roomId) = await hs.TwoUsersInPublicRoomAsync();
        var challenge = await (await b.PostAsJsonAsync("/_matrix/client/v3/account/deactivate", new { })).JsonAsync();
        var auth = new
        {
            type = "m.login.password",
            identifier = new { type = "m.id.user", user = bob.Localpart },
            password = bob.Password,
            session = challenge.GetProperty("session").GetString(),
        };
        await (await b.PostAsJsonAsync("/_matrix/client/v3/account/deactivate", new { auth })).AssertOkAsync();
        var joined = await (await a.GetAsync($"/_matrix/client/v3/rooms/{roomId}/joined_members")).AssertOkAsync();
        Assert.False(joined.GetProperty("joined").TryGetProperty(bob.UserId, out _));
    }
}
