using System.Net;
using System.Net.Http.Json;
using Homeserver.Testing;
using Xunit;

namespace Homeserver.IntegrationTests.Accounts;

public sealed class RegistrationTests(HomeserverFixture fixture) : IClassFixture<HomeserverFixture>
{
    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Register_ThroughUiaDummyStage_ReturnsWorkingToken(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var challenge = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = "alice" + engine, password = TestHomeserver.DefaultPassword });
        Assert.Equal(HttpStatusCode.Unauthorized, challenge.StatusCode);
        var uia = await challenge.JsonAsync();
        Assert.Equal("m.login.dummy", uia.GetProperty("flows")[0].GetProperty("stages")[0].GetString());
        Assert.Empty(uia.GetProperty("completed").EnumerateArray());
        Assert.False(uia.TryGetProperty("errcode", out _));
        var session = uia.GetProperty("session").GetString();

        var done = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new
        {
            username = "alice" + engine,
            password = TestHomeserver.DefaultPassword,
            auth = new { type = "m.login.dummy", session },
        });
        var body = await done.AssertOkAsync();
        Assert.Equal($"@alice{engine}:{TestHomeserver.ServerName}", body.GetProperty("user_id").GetString());

        using var client = hs.NewClient(body.GetProperty("access_token").GetString());
        var whoami = await (await client.GetAsync("/_matrix/client/v3/account/whoami")).AssertOkAsync();
        Assert.Equal(body.GetProperty("user_id").GetString(), whoami.GetProperty("user_id").GetString());
        Assert.Equal(body.GetProperty("device_id").GetString(), whoami.GetProperty("device_id").GetString());
    }

    [Theory, MemberData(nameof(TestEngines.All), MemberType = typeof(TestEngines))]
    public async Task Register_ExistingUser_IsRefusedAtEveryStage(string engine)
    {
        var hs = await fixture.GetAsync(engine);
        var existing = await hs.RegisterAsync();
        var first = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = existing.Localpart, password = "another password" });
        await first.AssertErrorAsync(HttpStatusCode.BadRequest, "M_USER_IN_USE");

        // A UIA session obtained for a fresh name cannot be spent on the taken one (checklist row 16).
        var challenge = await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { })).JsonAsync();
        var withAuth = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new
        {
            username = existing.Localpart,
            password = "another password",
            auth = new { type = "m.login.dummy", session = challenge.GetProperty("session").GetString() },
        });
        await withAuth.AssertErrorAsync(HttpStatusCode.BadRequest, "M_USER_IN_USE");

        // The original password still works: nothing was overwritten.
        await hs.LoginAsync(existing);
    }

    [Fact]
    public async Task Register_WithCapitals_RegistersTheLowerCasedName()
    {
        var hs = await fixture.GetAsync("sqlite");
        var challenge = await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { })).JsonAsync();
        var body = await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new
        {
            username = "Capital-USER",
            password = TestHomeserver.DefaultPassword,
            auth = new { type = "m.login.dummy", session = challenge.GetProperty("session").GetString() },
        })).AssertOkAsync();
        Assert.Equal($"@capital-user:{TestHomeserver.ServerName}", body.GetProperty("user_id").GetString());

        // The lower-cased name is the one taken.
        var again = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = "CAPITAL-user", password = TestHomeserver.DefaultPassword });
        await again.AssertErrorAsync(HttpStatusCode.BadRequest, "M_USER_IN_USE");
    }

    [Theory]
    [InlineData("al ice")]
    [InlineData("alice:evil")]
    [InlineData("ünïcode")]
    public async Task Register_InvalidUsername_IsRefused(string username)
    {
        var hs = await fixture.GetAsync("sqlite");
        var res = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username, password = TestHomeserver.DefaultPassword });
        await res.AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_USERNAME");
    }

    [Fact]
    public async Task Register_TooLongUserId_IsRefused()
    {
        var hs = await fixture.GetAsync("sqlite");
        var res = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = new string('a', 250), password = TestHomeserver.DefaultPassword });
        await res.AssertErrorAsync(HttpStatusCode.BadRequest, "M_INVALID_USERNAME");
    }

    [Fact]
    public async Task Register_ShortPassword_IsWeak()
    {
        var hs = await fixture.GetAsync("sqlite");
        var res = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = "weakling", password = "short" });
        await res.AssertErrorAsync(HttpStatusCode.BadRequest, "M_WEAK_PASSWORD");
    }

    [Fact]
    public async Task RegisterAvailable_ReportsTakenAndFreeNames()
    {
        var hs = await fixture.GetAsync("sqlite");
        var user = await hs.RegisterAsync();
        var free = await (await hs.Client.GetAsync("/_matrix/client/v3/register/available?username=nobody" + Guid.NewGuid().ToString("N")[..8])).AssertOkAsync();
        Assert.True(free.GetProperty("available").GetBoolean());
        await (await hs.Client.GetAsync("/_matrix/client/v3/register/available?username=" + user.Localpart)).AssertErrorAsync(HttpStatusCode.BadRequest, "M_USER_IN_USE");
    }

    [Fact]
    public async Task Register_WhenDisabled_IsForbidden()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite", o => o.Registration.Enabled = false);
        var res = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = "nobody", password = TestHomeserver.DefaultPassword });
        await res.AssertErrorAsync(HttpStatusCode.Forbidden, "M_FORBIDDEN");
    }

    [Fact]
    public async Task Register_WithRequiredToken_NeedsAValidToken()
    {
        await using var hs = await TestHomeserver.StartAsync("sqlite", o =>
        {
            o.Registration.RequireToken = true;
            o.Registration.Tokens = ["let-me-in-please"];
        });
        var challenge = await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = "tokenuser", password = TestHomeserver.DefaultPassword })).JsonAsync();
        Assert.Equal("m.login.registration_token", challenge.GetProperty("flows")[0].GetProperty("stages")[0].GetString());
        var session = challenge.GetProperty("session").GetString();

        var dummy = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = "tokenuser", password = TestHomeserver.DefaultPassword, auth = new { type = "m.login.dummy", session } });
        Assert.Equal(HttpStatusCode.Unauthorized, dummy.StatusCode);

        var wrong = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = "tokenuser", password = TestHomeserver.DefaultPassword, auth = new { type = "m.login.registration_token", token = "guess", session } });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("M_FORBIDDEN", (await wrong.JsonAsync()).GetProperty("errcode").GetString());

        var validity = await (await hs.Client.GetAsync("/_matrix/client/v1/register/m.login.registration_token/validity?token=let-me-in-please")).AssertOkAsync();
        Assert.True(validity.GetProperty("valid").GetBoolean());

        var ok = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { username = "tokenuser", password = TestHomeserver.DefaultPassword, auth = new { type = "m.login.registration_token", token = "let-me-in-please", session } });
        var body = await ok.AssertOkAsync();
        Assert.Equal("@tokenuser:" + TestHomeserver.ServerName, body.GetProperty("user_id").GetString());
    }

    [Fact]
    public async Task Register_InhibitLogin_CreatesUserWithoutToken()
    {
        var hs = await fixture.GetAsync("sqlite");
        var challenge = await (await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new { })).JsonAsync();
        var res = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register", new
        {
            username = "inhibited", password = TestHomeserver.DefaultPassword, inhibit_login = true,
            auth = new { type = "m.login.dummy", session = challenge.GetProperty("session").GetString() },
        });
        var body = await res.AssertOkAsync();
        Assert.False(body.TryGetProperty("access_token", out _));
        Assert.Equal("@inhibited:" + TestHomeserver.ServerName, body.GetProperty("user_id").GetString());
    }

    [Fact]
    public async Task Register_Guest_IsRefused()
    {
        var hs = await fixture.GetAsync("sqlite");
        var res = await hs.Client.PostAsJsonAsync("/_matrix/client/v3/register?kind=guest", new { });
        await res.AssertErrorAsync(HttpStatusCode.Forbidden, "M_GUEST_ACCESS_FORBIDDEN");
    }

    [Fact]
    public async Task Register_LegacyR0Path_Works()
    {
        var hs = await fixture.GetAsync("sqlite");
        var res = await hs.Client.PostAsJsonAsync("/_matrix/client/r0/register", new { username = "legacy" + Guid.NewGuid().ToString("N")[..6], password = TestHomeserver.DefaultPassword });
        Assert.Equal(HttpStatusCode.Unauthorized, res.StatusCode);
        Assert.True((await res.JsonAsync()).TryGetProperty("session", out _));
    }
}
