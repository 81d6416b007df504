using System.Net;
using System.Net.Http.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Accounts;

public sealed class LoginTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Fact]
    public async Task GetLogin_OffersPasswordFlow()
    {
        var hs = await fixture.GetAsync("sqlite");
        var body = await (await hs.Client.GetAsync("/_matrix/client/v3/login")).AssertOkAsync();
        Assert.Contains(body.GetProperty("flows").EnumerateArray(), f => f.GetProperty("type").GetString() == "m.login.password");
        Assert.DoesNotContain(body.GetProperty("flows").EnumerateArray(), f => f.GetProperty("type").GetString() == "org.matrix.login.jwt");
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Login_WithIdentifier_ReturnsNewDeviceAndToken(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var user = await hs.RegisterAsync();
        var res = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.password",
            identifier = new { type = "m.id.user", user = user.UserId },
            password = user.Password,
            initial_device_display_name = "laptop",
        });
        var body = await res.AssertOkAsync();
        Assert.Equal(user.UserId, body.GetProperty("user_id").GetString());
        Assert.NotEqual(user.DeviceId, body.GetProperty("device_id").GetString());
        Assert.NotEqual(user.AccessToken, body.GetProperty("access_token").GetString());
        Assert.False(body.TryGetProperty("refresh_token", out _));
        Assert.StartsWith("http://127.0.0.1:", body.GetProperty("well_known").GetProperty("m.homeserver").GetProperty("base_url").GetString());

        using var c = hs.NewClient(body.GetProperty("access_token").GetString());
        var device = await (await c.GetAsync("/_matrix/client/v3/devices/" + body.GetProperty("device_id").GetString())).AssertOkAsync();
        Assert.Equal("laptop", device.GetProperty("display_name").GetString());
    }

    [Fact]
    public async Task Login_LegacyUserField_Works()
    {
        var hs = await fixture.GetAsync("sqlite");
        var user = await hs.RegisterAsync();
        var res = await hs.Client.PostAsJsonAsync("/_matrix/client/r0/login", new { type = "m.login.password", user = user.Localpart, password = user.Password });
        Assert.Equal(user.UserId, (await res.AssertOkAsync()).GetProperty("user_id").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Login_WrongPasswordOrUnknownUser_IsForbidden(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var user = await hs.RegisterAsync();
        var wrong = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.password", identifier = new { type = "m.id.user", user = user.Localpart }, password = "not the password",
        });
        await wrong.AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        var unknown = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.password", identifier = new { type = "m.id.user", user = "nobody-here" }, password = "whatever",
        });
        await unknown.AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        // Names that are no user ID at all get the answer of an unknown user too.
        foreach (var name in new[] { "@no-server", "a:b", "@x:not a server", "@" + new string('a', 300) + ":test.local" })
        {
            var malformed = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new
            {
                type = "m.login.password", identifier = new { type = "m.id.user", user = name }, password = "whatever",
            });
            await malformed.AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
        }
    }

    [Fact]
    public async Task Login_UnknownType_IsRefused()
    {
        var hs = await fixture.GetAsync("sqlite");
        var res = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new { type = "m.login.sso" });
        await res.AssertErrorAsync(HttpStatusCode.BadRequest, "M_UNKNOWN");
    }

    [Fact]
    public async Task Login_MissingIdentifier_IsMissingParam()
    {
        var hs = await fixture.GetAsync("sqlite");
        var res = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/login", new { type = "m.login.password", password = "x" });
        await res.AssertErrorAsync(HttpStatusCode.BadRequest, "M_MISSING_PARAM");
    }
}
