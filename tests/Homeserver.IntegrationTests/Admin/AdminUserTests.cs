using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Admin;

/// <summary>Synapse's admin API for accounts: <c>/_synapse/admin/v2/users</c> and <c>v3</c>, one account, create and edit.</summary>
public sealed class AdminUserTests(AdminServersFixture fixture) : IClassFixture<AdminServersFixture>
{
    private static string User(string userId) => "/_synapse/admin/v2/users/" + Uri.EscapeDataString(userId);

    [Fact]
    public async Task ServerVersion_WithoutAnyToken_NamesTheVersion()
    {
        var hs = await fixture.GetAsync("sqlite");
        var body = await (await hs.Client.GetAsync("/_synapse/admin/v1/server_version")).AssertOkAsync();
        Assert.False(string.IsNullOrEmpty(body.GetProperty("server_version").GetString()));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task UserEndpoints_ForAnOrdinaryUserOrAGuest_AreForbidden(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (alice, a) = await hs.RegisterClientAsync();
        var guestBody = await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register?kind=guest", new { })).AssertOkAsync();
        using var guest = hs.NewClient(guestBody.GetProperty("access_token").GetString());

        foreach (var path in new[] { "/_synapse/admin/v2/users", "/_synapse/admin/v3/users", User(alice.UserId), "/_synapse/admin/v1/registration_tokens" })
        {
            await (await a.GetAsync(path)).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
            Assert.Equal(HttpStatusCode.Forbidden, (await guest.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await hs.Client.GetAsync(path)).StatusCode);
        }
        await (await a.PutAsJsonAsync(User(alice.UserId), new { admin = true })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        await (await a.PostAsJsonAsync("/_synapse/admin/v1/deactivate/" + Uri.EscapeDataString(alice.UserId), new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        // Nothing was changed by the refused calls.
        await (await a.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task List_PagesWithAStringNextTokenOnlyWhileMoreRemain(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var tag = "pg" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 3; i++)
            await hs.RegisterAsync($"{tag}{i}");

        var first = await (await admin.GetAsync($"/_synapse/admin/v2/users?user_id={tag}&limit=2&from=0&unknown_filter=x")).AssertOkAsync();
        Assert.Equal(3, first.GetProperty("total").GetInt32());
        Assert.Equal([$"@{tag}0:{TestHomeserver.ServerName}", $"@{tag}1:{TestHomeserver.ServerName}"],
            first.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("name").GetString()));
        Assert.Equal(JsonValueKind.String, first.GetProperty("next_token").ValueKind);
        Assert.Equal("2", first.GetProperty("next_token").GetString());

        var second = await (await admin.GetAsync($"/_synapse/admin/v2/users?user_id={tag}&limit=2&from=2")).AssertOkAsync();
        Assert.Equal($"@{tag}2:{TestHomeserver.ServerName}", Assert.Single(second.GetProperty("users").EnumerateArray()).GetProperty("name").GetString());
        Assert.False(second.TryGetProperty("next_token", out _));

        var backwards = await (await admin.GetAsync($"/_synapse/admin/v3/users?user_id={tag}&dir=b&order_by=name")).AssertOkAsync();
        Assert.Equal($"@{tag}2:{TestHomeserver.ServerName}", backwards.GetProperty("users")[0].GetProperty("name").GetString());

        var item = first.GetProperty("users")[0];
        foreach (var key in new[] { "is_guest", "admin", "user_type", "deactivated", "erased", "shadow_banned", "displayname", "avatar_url", "creation_ts", "locked" })
            Assert.True(item.TryGetProperty(key, out _), $"list item lacks {key}");
        // The list gives creation_ts in milliseconds, a single user in seconds, as Synapse does.
        var ms = item.GetProperty("creation_ts").GetInt64();
        Assert.InRange(ms, DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds());
        var one = await (await admin.GetAsync(User(item.GetProperty("name").GetString()!))).AssertOkAsync();
        Assert.Equal(ms / 1000, one.GetProperty("creation_ts").GetInt64());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task List_BadPagingOrFilters_AreInvalidParams(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        foreach (var query in new[] { "from=-1", "limit=-5", "from=abc", "order_by=password", "dir=x", "guests=maybe" })
            await (await admin.GetAsync("/_synapse/admin/v2/users?" + query)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task List_Filters_NameGuestsAdminsAndDeactivatedAsV2AndV3Read(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (adminUser, admin) = await hs.RegisterAdminAsync();
        var tag = "flt" + Guid.NewGuid().ToString("N")[..8];
        var (active, activeClient) = await hs.RegisterClientAsync(tag + "a");
        var (gone, _) = await hs.RegisterClientAsync(tag + "d");
        await (await activeClient.PutAsJsonAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString(active.UserId)}/displayname",
            new { displayname = "Zebra " + tag })).AssertOkAsync();
        await (await admin.PostAsJsonAsync("/_synapse/admin/v1/deactivate/" + Uri.EscapeDataString(gone.UserId), new { })).AssertOkAsync();

        async Task<List<string>> Names(string path) =>
            (await (await admin.GetAsync(path)).AssertOkAsync()).GetProperty("users").EnumerateArray().Select(u => u.GetProperty("name").GetString()!).ToList();

        Assert.Equal([active.UserId], await Names($"/_synapse/admin/v2/users?user_id={tag}"));
        Assert.Equal([active.UserId, gone.UserId], await Names($"/_synapse/admin/v2/users?user_id={tag}&deactivated=true"));
        Assert.Equal([active.UserId, gone.UserId], await Names($"/_synapse/admin/v3/users?user_id={tag}"));
        Assert.Equal([gone.UserId], await Names($"/_synapse/admin/v3/users?user_id={tag}&deactivated=true"));
        Assert.Equal([active.UserId], await Names($"/_synapse/admin/v3/users?user_id={tag}&deactivated=false"));
        // name matches the display name as well as the localpart.
        Assert.Equal([active.UserId], await Names($"/_synapse/admin/v2/users?name=zebra%20{tag}"));
        Assert.Contains(adminUser.UserId, await Names($"/_synapse/admin/v2/users?admins=true&user_id={adminUser.Localpart}"));
        Assert.Empty(await Names($"/_synapse/admin/v2/users?admins=false&user_id={adminUser.Localpart}"));

        var guestId = (await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register?kind=guest", new { })).AssertOkAsync()).GetProperty("user_id").GetString()!;
        var localpart = guestId[1..guestId.IndexOf(':')];
        Assert.Equal([guestId], await Names($"/_synapse/admin/v2/users?user_id={localpart}"));
        Assert.Empty(await Names($"/_synapse/admin/v2/users?user_id={localpart}&guests=false"));
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Get_ShowsTheAccount_AndRefusesOtherServersAndUnknownUsers(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (alice, _) = await hs.RegisterClientAsync();

        var body = await (await admin.GetAsync(User(alice.UserId))).AssertOkAsync();
        Assert.Equal(alice.UserId, body.GetProperty("name").GetString());
        Assert.False(body.GetProperty("admin").GetBoolean());
        Assert.False(body.GetProperty("deactivated").GetBoolean());
        Assert.Equal(JsonValueKind.Array, body.GetProperty("threepids").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("user_type").ValueKind);
        Assert.InRange(body.GetProperty("creation_ts").GetInt64(), DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());

        await (await admin.GetAsync(User("@someone:elsewhere.example"))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.GetAsync(User($"@nobody{Guid.NewGuid():N}:{TestHomeserver.ServerName}"))).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
        await (await admin.GetAsync(User("not-a-user"))).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Put_CreatesWith201_ThenEditsOnlyWhatIsGivenWith200(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var localpart = "made" + Guid.NewGuid().ToString("N")[..8];
        var userId = $"@{localpart}:{TestHomeserver.ServerName}";

        var created = await admin.PutAsJsonAsync(User(userId), new
        {
            password = "first password",
            displayname = "Made By Admin",
            threepids = new[] { new { medium = "email", address = "made@example.org" } },
            user_type = "bot",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.JsonAsync();
        Assert.Equal("Made By Admin", body.GetProperty("displayname").GetString());
        Assert.Equal("bot", body.GetProperty("user_type").GetString());
        Assert.False(body.GetProperty("admin").GetBoolean());
        Assert.Equal("made@example.org", Assert.Single(body.GetProperty("threepids").EnumerateArray()).GetProperty("address").GetString());

        // The account works: its user logs in with the password the admin gave.
        var user = await hs.LoginAsync(new TestUser(userId, localpart, "first password", "", ""));
        using var client = hs.ClientFor(user);
        var profile = await (await client.GetAsync($"/_matrix/client/v3/profile/{Uri.EscapeDataString(userId)}")).AssertOkAsync();
        Assert.Equal("Made By Admin", profile.GetProperty("displayname").GetString());

        // Only the keys present act: the display name stays, the threepids are replaced, the type is cleared.
        var edited = await admin.PutAsJsonAsync(User(userId), new
        {
            threepids = new[] { new { medium = "email", address = "other@example.org" }, new { medium = "msisdn", address = "447700900000" } },
            user_type = (string?)null,
            avatar_url = "mxc://example.org/avatar",
        });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        body = await edited.JsonAsync();
        Assert.Equal("Made By Admin", body.GetProperty("displayname").GetString());
        Assert.Equal("mxc://example.org/avatar", body.GetProperty("avatar_url").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("user_type").ValueKind);
        Assert.Equal(["other@example.org", "447700900000"], body.GetProperty("threepids").EnumerateArray().Select(t => t.GetProperty("address").GetString()));
        // Its user's session survived an edit without a password.
        await (await client.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();

        // A new password logs the devices out unless logout_devices is false.
        await (await admin.PutAsJsonAsync(User(userId), new { password = "second password", logout_devices = false })).AssertOkAsync();
        await (await client.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();
        await (await admin.PutAsJsonAsync(User(userId), new { password = "third password" })).AssertOkAsync();
        await (await client.GetAsync("/_matrix/client/v3/account/whoami")).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
        await hs.LoginAsync(user with { Password = "third password" });

        // The admin flag is given and taken.
        Assert.True((await (await admin.PutAsJsonAsync(User(userId), new { admin = true })).AssertOkAsync()).GetProperty("admin").GetBoolean());
        Assert.False((await (await admin.PutAsJsonAsync(User(userId), new { admin = false })).AssertOkAsync()).GetProperty("admin").GetBoolean());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Put_RefusesSelfDemotionOtherServersAndBadValues(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (me, admin) = await hs.RegisterAdminAsync();
        await (await admin.PutAsJsonAsync(User(me.UserId), new { admin = false })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        Assert.True((await (await admin.GetAsync(User(me.UserId))).AssertOkAsync()).GetProperty("admin").GetBoolean());

        await (await admin.PutAsJsonAsync(User("@x:elsewhere.example"), new { password = "whatever password" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        var (alice, _) = await hs.RegisterClientAsync();
        await (await admin.PutAsJsonAsync(User(alice.UserId), new { user_type = "wizard" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.PutAsJsonAsync(User(alice.UserId), new { admin = "yes" })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.PutAsJsonAsync(User(alice.UserId), new { password = new string('p', 513) })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        await (await admin.PutAsJsonAsync(User(alice.UserId), new { threepids = new[] { new { medium = "fax", address = "1" } } }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Put_DeactivatesAndReactivatesWithANewPassword(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (alice, a) = await hs.RegisterClientAsync();

        Assert.True((await (await admin.PutAsJsonAsync(User(alice.UserId), new { deactivated = true })).AssertOkAsync()).GetProperty("deactivated").GetBoolean());
        await (await a.GetAsync("/_matrix/client/v3/account/whoami")).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");

        // A deactivated account has no password, so reactivating it needs one.
        await (await admin.PutAsJsonAsync(User(alice.UserId), new { deactivated = false })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_PARAM");
        var back = await (await admin.PutAsJsonAsync(User(alice.UserId), new { deactivated = false, password = "back again password" })).AssertOkAsync();
        Assert.False(back.GetProperty("deactivated").GetBoolean());
        await hs.LoginAsync(alice with { Password = "back again password" });
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task ResetPassword_SetsItAndLogsOutUnlessAskedNotTo(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (alice, a) = await hs.RegisterClientAsync();
        var path = "/_synapse/admin/v1/reset_password/" + Uri.EscapeDataString(alice.UserId);

        await (await admin.PostAsJsonAsync(path, new { new_password = "kept sessions password", logout_devices = false })).AssertOkAsync();
        await (await a.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();
        await (await admin.PostAsJsonAsync(path, new { new_password = "fresh password" })).AssertOkAsync();
        await (await a.GetAsync("/_matrix/client/v3/account/whoami")).AssertErrorAsync(HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN");
        await hs.LoginAsync(alice with { Password = "fresh password" });

        await (await admin.PostAsJsonAsync(path, new { })).AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
        await (await admin.PostAsJsonAsync("/_synapse/admin/v1/reset_password/" + Uri.EscapeDataString($"@nobody{Guid.NewGuid():N}:{TestHomeserver.ServerName}"),
            new { new_password = "x password" })).AssertErrorAsync(HttpStatusCode.NotFound, "M_NOT_FOUND");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task UsernameAvailable_AnswersAsRegistrationWould(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var (_, admin) = await hs.RegisterAdminAsync();
        var (alice, _) = await hs.RegisterClientAsync();
        var free = await (await admin.GetAsync("/_synapse/admin/v1/username_available?username=free" + Guid.NewGuid().ToString("N")[..8])).AssertOkAsync();
        Assert.True(free.GetProperty("available").GetBoolean());
        await (await admin.GetAsync("/_synapse/admin/v1/username_available?username=" + alice.Localpart)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_USER_IN_USE");
        await (await admin.GetAsync("/_synapse/admin/v1/username_available?username=Bad%20Name")).AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_USERNAME");
    }
}
